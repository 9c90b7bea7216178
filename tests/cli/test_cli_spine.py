"""The CLI contract (SPEC §6) for init, staff, log and events, through Typer's runner."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from upgradecamp.cli import app
from upgradecamp.store.db import make_engine, write_transaction

runner = CliRunner()


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = str(tmp_path / "cli.db")
    monkeypatch.setenv("UPGRADECAMP_PIN", "123409")
    result = runner.invoke(app, ["init", "--admin", "admin1", "--db", path])
    assert result.exit_code == 0, result.output
    return path


def test_init_twice_is_refused_with_exit_1(db):
    result = runner.invoke(app, ["init", "--admin", "admin2", "--db", db])
    assert result.exit_code == 1
    assert "already initialised" in result.stderr


def test_staff_add_and_list(db, monkeypatch):
    monkeypatch.setenv("UPGRADECAMP_NEW_PIN", "567809")
    result = runner.invoke(
        app,
        [
            "staff",
            "add",
            "mk1",
            "--name",
            "张三",
            "--role",
            "marketer",
            "--branch",
            "B02",
            "--db",
            db,
            "--as",
            "admin1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["code"] == "mk1"
    listed = json.loads(runner.invoke(app, ["staff", "list", "--db", db, "--json"]).stdout)
    assert {(r["code"], r["role"]) for r in listed} == {("admin1", "admin"), ("mk1", "marketer")}


def test_staff_add_refusals_and_bad_input(db, monkeypatch):
    monkeypatch.setenv("UPGRADECAMP_NEW_PIN", "567809")
    bad_role = runner.invoke(
        app,
        [
            "staff",
            "add",
            "x1",
            "--name",
            "王",
            "--role",
            "boss",
            "--branch",
            "B02",
            "--db",
            db,
            "--as",
            "admin1",
        ],
    )
    assert bad_role.exit_code == 2 and "unknown role 'boss'" in bad_role.stderr
    monkeypatch.setenv("UPGRADECAMP_PIN", "9999")
    wrong_pin = runner.invoke(
        app,
        [
            "staff",
            "add",
            "x2",
            "--name",
            "王",
            "--role",
            "checkin",
            "--branch",
            "B02",
            "--db",
            db,
            "--as",
            "admin1",
        ],
    )
    assert wrong_pin.exit_code == 1 and "wrong PIN" in wrong_pin.stderr
    monkeypatch.delenv("UPGRADECAMP_AS", raising=False)
    no_actor = runner.invoke(app, ["log", "tail", "--db", db])
    assert no_actor.exit_code == 2 and "--as" in no_actor.stderr


def test_missing_database_says_what_to_do(tmp_path):
    result = runner.invoke(app, ["log", "verify", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "upgradecamp init" in result.stderr


def test_log_tail_json_masks_and_hides_secrets(db):
    result = runner.invoke(app, ["log", "tail", "-n", "10", "--db", db, "--as", "admin1", "--json"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)
    [staff] = [e for e in events if e["type"] == "StaffAdded"]  # before the rewards catalogue
    assert staff["payload"]["pin_hash"] == "(hidden)"
    assert "$argon2" not in result.stdout


def test_log_verify_replay_and_tampering(db):
    ok = runner.invoke(app, ["log", "verify", "--db", db])
    assert ok.exit_code == 0 and ok.stdout.startswith("ok:")
    replay = runner.invoke(app, ["log", "replay", "--db", db, "--as", "admin1", "--json"])
    assert replay.exit_code == 0 and json.loads(replay.stdout)["events"] == 15  # 6 rewards
    engine = make_engine(db)
    with write_transaction(engine) as conn:
        conn.execute(
            text("UPDATE event_log SET payload = :p WHERE position = 2"),
            {"p": '{"code":"B02","kind":"core","name":"x","theme":"y"}'},
        )
    bad = runner.invoke(app, ["log", "verify", "--db", db])
    assert bad.exit_code == 1 and "position 2" in bad.stderr


def test_events_export_writes_the_catalogue(tmp_path):
    result = runner.invoke(app, ["events", "export", str(tmp_path / "ev")])
    assert result.exit_code == 0
    assert (tmp_path / "ev" / "ClientRegistered.v2.json").exists()
    assert (tmp_path / "ev" / "ClientRegistered.v1.json").exists()


def test_demo_never_overwrites_a_real_database(db):
    result = runner.invoke(app, ["demo", "--no-tui", "--customers", "10", "--db", db])
    assert result.exit_code == 1
    assert "not a demo database" in result.stderr
    verify = runner.invoke(app, ["log", "verify", "--db", db])
    assert verify.exit_code == 0


def test_demo_rebuilds_its_own_file(tmp_path):
    path = str(tmp_path / "demo.db")
    for _ in range(2):
        result = runner.invoke(app, ["demo", "--no-tui", "--customers", "20", "--db", path])
        assert result.exit_code == 0, result.output


def test_tui_on_a_missing_file_says_what_to_do(tmp_path):
    result = runner.invoke(app, ["tui", "--db", str(tmp_path / "nothing.db")])
    assert result.exit_code == 2 and "upgradecamp init" in result.stderr
    assert not (tmp_path / "nothing.db").exists()
