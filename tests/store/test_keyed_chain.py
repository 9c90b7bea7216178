"""The keyed chain (issue 12): a key file outside the database signs the log, so an edit
followed by recomputing every later hash with the project's own plain SHA-256 is caught."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from upgradecamp.cli import app
from upgradecamp.domain.errors import BadInput
from upgradecamp.service.bus import bootstrap
from upgradecamp.service.setup import ensure_keyed
from upgradecamp.store.db import make_engine, read_transaction, write_transaction
from upgradecamp.store.eventlog import EventLog, NewEvent, StreamAppend, row_hash
from upgradecamp.store.keyfile import KeyFileError, create_key, read_key
from upgradecamp.store.schema import create_schema

runner = CliRunner()
PIN = "246810"


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "keyed.db"
    monkeypatch.setenv("UPGRADECAMP_PIN", PIN)
    monkeypatch.delenv("UPGRADECAMP_KEY_FILE", raising=False)
    result = runner.invoke(app, ["init", "--admin", "admin1", "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _verify(path: Path):
    services = bootstrap(str(path), terminal="t")
    with read_transaction(services.engine) as conn:
        return services.log.verify(conn)


def _rechain_plain(path: Path, from_position: int) -> None:
    """The attack: recompute every hash from a position on with the project's own row_hash."""
    engine = make_engine(str(path))
    with write_transaction(engine) as conn:
        rows = conn.execute(
            text(
                "SELECT position, stream_id, stream_version, event_type, "
                "schema_version, payload, meta, recorded_at FROM event_log "
                "ORDER BY position"
            )
        ).all()
        prev = (
            conn.execute(
                text("SELECT hash FROM event_log WHERE position = :p"), {"p": from_position - 1}
            ).scalar()
            or "0" * 64
        )
        for row in rows[from_position - 1 :]:
            prev = row_hash(prev, *row)
            conn.execute(
                text("UPDATE event_log SET hash = :h WHERE position = :p"),
                {"h": prev, "p": row.position},
            )
        conn.execute(text("UPDATE log_head SET hash = :h"), {"h": prev})
    engine.dispose()


def test_init_writes_an_owner_only_key_file_and_keys_from_the_first_event(db):
    key_file = Path(f"{db}.key")
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    key = read_key(key_file)
    assert key is not None and key.keyed_from == 1
    report = _verify(db)
    assert report.ok and report.keyed_from == 1 and report.unchecked_from is None


def test_an_edit_with_a_recomputed_plain_chain_is_caught(db):
    engine = make_engine(str(db))
    with write_transaction(engine) as conn:
        conn.execute(
            text("UPDATE event_log SET payload = replace(payload, 'B02', 'B09') WHERE position = 2")
        )
    engine.dispose()
    _rechain_plain(db, 2)
    report = _verify(db)
    assert not report.ok and report.first_bad_position == 2
    result = runner.invoke(app, ["log", "verify", "--db", str(db)])
    assert result.exit_code == 1 and "position 2" in result.stderr


def test_without_the_key_verify_says_so_and_checks_structure_only(db):
    Path(f"{db}.key").rename(Path(f"{db}.key.away"))
    result = runner.invoke(app, ["log", "verify", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["ok"] and body["unchecked_from"] == 1
    assert "key file" in result.stderr and "UPGRADECAMP_KEY_FILE" in result.stderr
    human = runner.invoke(app, ["log", "verify", "--db", str(db)])
    assert human.stdout.startswith("ok (structure only)")


def test_without_the_key_nothing_is_appended_and_the_cli_says_why(db, monkeypatch):
    Path(f"{db}.key").unlink()
    monkeypatch.setenv("UPGRADECAMP_NEW_PIN", "135792")
    result = runner.invoke(
        app,
        [
            "staff",
            "add",
            "ck1",
            "--name",
            "李四",
            "--role",
            "checkin",
            "--branch",
            "B02",
            "--db",
            str(db),
            "--as",
            "admin1",
        ],
    )
    assert result.exit_code == 2
    assert "key file" in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    with read_transaction(make_engine(str(db))) as conn:
        # init's events, the six catalogue rewards among them
        assert EventLog.head(conn)[0] == 15


def test_key_file_placed_by_the_environment(tmp_path, monkeypatch):
    key_file = tmp_path / "keys" / "branch.key"
    monkeypatch.setenv("UPGRADECAMP_KEY_FILE", str(key_file))
    monkeypatch.setenv("UPGRADECAMP_PIN", PIN)
    result = runner.invoke(app, ["init", "--admin", "a1", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 0, result.output
    assert key_file.exists() and not (tmp_path / "x.db.key").exists()


def test_a_wrong_key_file_is_named(db, tmp_path):
    Path(f"{db}.key").unlink()
    create_key(Path(f"{db}.key"), keyed_from=1)
    report = _verify(db)
    assert not report.ok and "not this database's key" in report.problem


def test_moving_where_keying_began_is_named(db):
    engine = make_engine(str(db))
    with write_transaction(engine) as conn:
        conn.execute(text("UPDATE log_keying SET keyed_from = 100"))
    engine.dispose()
    report = _verify(db)
    assert not report.ok and "log_keying" in report.problem


def test_a_garbled_key_file_is_one_line(db):
    Path(f"{db}.key").write_text("secret = 'nope'\n")
    with pytest.raises(KeyFileError, match="not an upgradecamp key file"):
        bootstrap(str(db))
    assert issubclass(KeyFileError, BadInput)


def test_an_older_database_keeps_its_plain_prefix_and_is_keyed_from_the_next_position(tmp_path):
    path = tmp_path / "old.db"
    engine = make_engine(str(path))
    create_schema(engine)
    with write_transaction(engine) as conn:  # as an older version wrote it: no key at all
        conn.execute(text("DROP TABLE log_keying"))
    plain = EventLog()
    for n in range(3):
        with write_transaction(engine) as conn:
            plain.append(conn, [StreamAppend(f"s{n}", 0, [NewEvent("Noted", 1, {"n": n})])], {})
    services = bootstrap(engine=engine)
    key = ensure_keyed(services)
    assert key is not None and key.keyed_from == 4 and read_key(Path(f"{path}.key")) == key
    with write_transaction(engine) as conn:
        services.log.append(conn, [StreamAppend("s9", 0, [NewEvent("Noted", 1, {"n": 9})])], {})
    with read_transaction(engine) as conn:
        report = services.log.verify(conn)
        first = conn.execute(text("SELECT hash FROM event_log WHERE position = 1")).scalar()
    assert report.ok and report.keyed_from == 4 and report.checked == 4
    assert first == row_hash(
        "0" * 64, 1, "s0", 1, "Noted", 1, '{"n":0}', "{}", conn_recorded(engine, 1)
    )
    # Rewriting the plain prefix and recomputing it is caught where the keyed chain begins.
    with write_transaction(engine) as conn:
        conn.execute(text("UPDATE event_log SET payload = :p WHERE position = 1"), {"p": '{"n":7}'})
    _rechain_plain(path, 1)
    with read_transaction(engine) as conn:
        report = services.log.verify(conn)
    assert not report.ok and report.first_bad_position == 4


def conn_recorded(engine, position: int) -> str:
    with read_transaction(engine) as conn:
        return conn.execute(
            text("SELECT recorded_at FROM event_log WHERE position = :p"), {"p": position}
        ).scalar()
