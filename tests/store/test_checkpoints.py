"""Checkpoints (issue 12): a signed receipt of the head catches a log cut short with its head
rewritten, and a rewrite before the checkpoint even where the key is not at hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from tests.store.test_keyed_chain import _rechain_plain
from upgradecamp.cli import app
from upgradecamp.store.db import make_engine, read_transaction, write_transaction
from upgradecamp.store.tables import CheckpointRow

runner = CliRunner()
PIN = "246810"


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "cp.db"
    monkeypatch.setenv("UPGRADECAMP_PIN", PIN)
    monkeypatch.setenv("UPGRADECAMP_NEW_PIN", "135792")
    monkeypatch.delenv("UPGRADECAMP_KEY_FILE", raising=False)
    assert runner.invoke(app, ["init", "--admin", "admin1", "--db", str(path)]).exit_code == 0
    return path


def _cli(*args: str):
    return runner.invoke(app, [*args])


def _checkpoint(db: Path, out: Path) -> dict:
    result = _cli(
        "log", "checkpoint", "--out", str(out), "--db", str(db), "--as", "admin1", "--json"
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _add_staff(db: Path, code: str) -> None:
    result = _cli(
        "staff",
        "add",
        code,
        "--name",
        "王五",
        "--role",
        "checkin",
        "--branch",
        "B02",
        "--db",
        str(db),
        "--as",
        "admin1",
    )
    assert result.exit_code == 0, result.output


# init's events: the cluster, the rule sets, the ladder, the admin and the six catalogue rewards
INIT_HEAD = 15


def test_checkpoint_is_signed_recorded_and_verifies(db, tmp_path):
    receipt = _checkpoint(db, tmp_path / "cp1.json")
    on_disk = json.loads((tmp_path / "cp1.json").read_text())
    assert on_disk["position"] == receipt["position"] == INIT_HEAD
    assert len(on_disk["signature"]) == 64
    _add_staff(db, "ck1")
    result = _cli("log", "verify", "--db", str(db), "--checkpoint", str(tmp_path / "cp1.json"))
    assert result.exit_code == 0, result.output
    assert f"still holds position {INIT_HEAD}" in result.stdout
    with read_transaction(make_engine(str(db))) as conn:
        row = conn.execute(select(CheckpointRow)).one()
    assert (row.position, row.checkpointed_by) == (INIT_HEAD, "admin1")


def test_a_log_cut_short_with_its_head_rewritten_is_caught_by_a_checkpoint(db, tmp_path):
    _add_staff(db, "ck1")
    _add_staff(db, "ck2")
    receipt = _checkpoint(db, tmp_path / "cp.json")
    head = receipt["position"]
    engine = make_engine(str(db))
    with write_transaction(engine) as conn:  # the attack: drop the tail, move the head back
        conn.execute(text("DELETE FROM event_log WHERE position >= :p"), {"p": head - 1})
        last, digest = conn.execute(
            text("SELECT position, hash FROM event_log ORDER BY position DESC LIMIT 1")
        ).one()
        conn.execute(text("UPDATE log_head SET position = :p, hash = :h"), {"p": last, "h": digest})
    engine.dispose()
    plain = _cli("log", "verify", "--db", str(db))
    assert plain.exit_code == 0  # the keyed chain alone cannot tell a shorter log
    caught = _cli("log", "verify", "--db", str(db), "--checkpoint", str(tmp_path / "cp.json"))
    assert caught.exit_code == 1
    assert f"position {head}" in caught.stderr and "cut short" in caught.stderr


def test_a_rewrite_before_a_checkpoint_is_named_even_without_the_key(db, tmp_path):
    _checkpoint(db, tmp_path / "cp.json")
    engine = make_engine(str(db))
    with write_transaction(engine) as conn:
        conn.execute(
            text("UPDATE event_log SET payload = replace(payload, 'B02', 'B09') WHERE position = 2")
        )
    engine.dispose()
    _rechain_plain(db, 2)
    Path(f"{db}.key").unlink()  # the verifier has only the database and the receipt
    structure = _cli("log", "verify", "--db", str(db))
    assert structure.exit_code == 0 and "structure only" in structure.stdout
    caught = _cli("log", "verify", "--db", str(db), "--checkpoint", str(tmp_path / "cp.json"))
    assert caught.exit_code == 1
    assert f"position {INIT_HEAD}" in caught.stderr and "rewritten at or before" in caught.stderr


def test_an_edited_or_foreign_checkpoint_is_refused(db, tmp_path):
    _checkpoint(db, tmp_path / "cp.json")
    data = json.loads((tmp_path / "cp.json").read_text())
    data["position"] = 3
    (tmp_path / "edited.json").write_text(json.dumps(data))
    result = _cli("log", "verify", "--db", str(db), "--checkpoint", str(tmp_path / "edited.json"))
    assert result.exit_code == 1 and "not signed with this database's key" in result.stderr
    (tmp_path / "junk.json").write_text("{}")
    junk = _cli("log", "verify", "--db", str(db), "--checkpoint", str(tmp_path / "junk.json"))
    assert junk.exit_code == 2 and "not an upgradecamp checkpoint" in junk.stderr


def test_only_an_admin_takes_a_checkpoint_and_a_missing_folder_is_bad_usage(
    db, tmp_path, monkeypatch
):
    _add_staff(db, "ck1")
    monkeypatch.setenv("UPGRADECAMP_PIN", "135792")
    refused = _cli(
        "log", "checkpoint", "--out", str(tmp_path / "x.json"), "--db", str(db), "--as", "ck1"
    )
    assert refused.exit_code == 1 and "take a checkpoint" in refused.stderr
    assert not (tmp_path / "x.json").exists()
    monkeypatch.setenv("UPGRADECAMP_PIN", PIN)
    bad = _cli(
        "log",
        "checkpoint",
        "--out",
        str(tmp_path / "no" / "x.json"),
        "--db",
        str(db),
        "--as",
        "admin1",
    )
    assert bad.exit_code == 2 and "does not exist" in bad.stderr
