"""`upgradecamp staff unlock|reset-pin|deactivate|edit|list`: an admin's work from the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from upgradecamp.cli import app

runner = CliRunner()
ADMIN_PIN, CK_PIN, NEW_PIN = "123409", "246813", "975318"


def run(db, *args, acting="admin1", pin=ADMIN_PIN, new_pin=None):
    env = {"UPGRADECAMP_PIN": pin, "UPGRADECAMP_AS": acting}
    if new_pin is not None:
        env["UPGRADECAMP_NEW_PIN"] = new_pin
    return runner.invoke(app, [*args, "--db", db], env=env)


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.delenv("UPGRADECAMP_NEW_PIN", raising=False)
    path = str(tmp_path / "staff.db")
    made = runner.invoke(
        app, ["init", "--admin", "admin1", "--db", path], env={"UPGRADECAMP_PIN": ADMIN_PIN}
    )
    assert made.exit_code == 0, made.output
    added = run(
        path,
        "staff",
        "add",
        "ck1",
        "--name",
        "王小明",
        "--role",
        "checkin",
        "--branch",
        "B02",
        new_pin=CK_PIN,
    )
    assert added.exit_code == 0, added.output
    return path


def lock_out(db):
    """Five wrong PINs as ck1 (on any command that signs in); the last says who unlocks."""
    for _ in range(5):
        last = run(db, "log", "tail", acting="ck1", pin="0000")
        assert last.exit_code == 1
    return last


def listed(db):
    result = runner.invoke(app, ["staff", "list", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    return {row["code"]: row for row in json.loads(result.stdout)}


def test_an_admin_unlocks_a_locked_member_who_then_signs_in_again(db):
    locked = lock_out(db)
    assert "ck1 is locked until" in locked.stderr
    assert "ask 管理员 (admin1) to unlock it with `upgradecamp staff unlock ck1`" in locked.stderr
    assert run(db, "log", "tail", acting="ck1", pin=CK_PIN).exit_code == 1  # still locked
    assert listed(db)["ck1"]["status"] == "locked"

    unlocked = run(db, "staff", "unlock", "ck1")
    assert unlocked.exit_code == 0, unlocked.output
    assert "unlocked ck1" in unlocked.stdout
    again = run(db, "log", "tail", "-n", "2", "--json", acting="ck1", pin=CK_PIN)
    assert again.exit_code == 0, again.output
    events = json.loads(again.stdout)  # a CLI sign-in writes nothing when nothing failed
    assert [(e["type"], e["actor"]) for e in events] == [
        ("StaffLocked", "ck1"),
        ("StaffUnlocked", "admin1"),
    ]
    assert listed(db)["ck1"]["status"] == "active"
    nothing = run(db, "staff", "unlock", "ck1")
    assert nothing.exit_code == 1 and "not locked" in nothing.stderr


def test_reset_pin_takes_the_new_pin_from_the_environment_and_refuses_weak_ones(db):
    weak = run(db, "staff", "reset-pin", "ck1", new_pin="123456")
    assert weak.exit_code == 2
    assert "a run of digits" in weak.stderr and "6 to 8 digits" in weak.stderr
    assert "Traceback" not in weak.output
    done = run(db, "staff", "reset-pin", "ck1", new_pin=NEW_PIN)
    assert done.exit_code == 0 and "new PIN set for ck1" in done.stdout
    assert NEW_PIN not in done.output
    assert run(db, "log", "tail", acting="ck1", pin=NEW_PIN).exit_code == 0
    assert run(db, "log", "tail", acting="ck1", pin=CK_PIN).exit_code == 1


def test_deactivate_keeps_the_history_and_shows_in_the_list(db):
    no_reason = runner.invoke(
        app,
        ["staff", "deactivate", "ck1", "--db", db],
        env={"UPGRADECAMP_PIN": ADMIN_PIN, "UPGRADECAMP_AS": "admin1"},
    )
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    done = run(db, "staff", "deactivate", "ck1", "--reason", "moved to B04's team")
    assert done.exit_code == 0, done.output
    refused = run(db, "log", "tail", acting="ck1", pin=CK_PIN)
    assert refused.exit_code == 1 and "ck1 is deactivated and cannot sign in" in refused.stderr
    row = listed(db)["ck1"]
    assert (row["status"], row["deactivated_reason"]) == ("deactivated", "moved to B04's team")
    human = runner.invoke(app, ["staff", "list", "--db", db])
    line = next(x for x in human.stdout.splitlines() if x.startswith("ck1"))
    assert "(deactivated " in line and "moved to B04's team" in line
    self_off = run(db, "staff", "deactivate", "admin1", "--reason", "x")
    assert self_off.exit_code == 1 and "ask another admin" in self_off.stderr


def test_edit_changes_name_role_and_branch(db):
    empty = run(db, "staff", "edit", "ck1")
    assert empty.exit_code == 2 and "give --name, --role or --branch" in empty.stderr
    done = run(db, "staff", "edit", "ck1", "--role", "marketer", "--branch", "B03", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["changed"] == ["role", "branch"]
    assert (listed(db)["ck1"]["role"], listed(db)["ck1"]["branch"]) == ("marketer", "B03")
    bad = run(db, "staff", "edit", "ck1", "--role", "boss")
    assert bad.exit_code == 2 and "unknown role 'boss'" in bad.stderr


def test_only_admins_administer_and_staff_add_refuses_a_trivial_pin(db):
    refused = run(db, "staff", "unlock", "admin1", acting="ck1", pin=CK_PIN)
    assert refused.exit_code == 1 and "may not unlock staff" in refused.stderr
    weak = run(
        db,
        "staff",
        "add",
        "mk1",
        "--name",
        "张",
        "--role",
        "marketer",
        "--branch",
        "B02",
        new_pin="777777",
    )
    assert weak.exit_code == 2 and "one digit repeated" in weak.stderr


def test_init_refuses_a_short_pin_and_leaves_no_file(tmp_path):
    path = tmp_path / "new.db"
    result = runner.invoke(
        app, ["init", "--admin", "admin1", "--db", str(path)], env={"UPGRADECAMP_PIN": "1234"}
    )
    assert result.exit_code == 2 and "6 to 8 digits" in result.stderr
    assert not path.exists()
