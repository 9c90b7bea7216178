"""`upgradecamp followups …` through Typer's runner (SPEC §6): --json, exit codes 0/1/2.

The database is set up through the handlers on a fixed clock: a B02 session on 2026-11-20,
invitations built 40 days before, two clients checked in (one without a form), one invitee
who stayed away, the session closed at 16:00 in Shanghai: three follow-ups.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import ADMIN, FakeClock
from tests.helpers import client_row
from upgradecamp.cli import app, followups_cmd
from upgradecamp.domain.commands import (
    AddStaff,
    BuildInviteList,
    CheckIn,
    CloseSession,
    OpenSession,
    PlanSessions,
    RegisterClients,
)
from upgradecamp.domain.staff import Actor

runner = CliRunner()
SESSION = "B02-20261120-1500"
IC1 = f"{SESSION}-IC-C000001"
IC2 = f"{SESSION}-IC-C000002"
IN3 = f"{SESSION}-IN-C000003"
PINS = {
    "admin1": "123409",
    "org2": "111109",
    "ck2": "555509",
    "mk2": "222209",
    "mk3": "333309",
    "bh2": "444409",
}


@pytest.fixture
def db(tmp_path, monkeypatch):
    from upgradecamp.service.bus import bootstrap

    path = str(tmp_path / "cli.db")
    monkeypatch.delenv("UPGRADECAMP_AS", raising=False)
    monkeypatch.delenv("UPGRADECAMP_PIN", raising=False)
    result = runner.invoke(
        app, ["init", "--admin", "admin1", "--db", path], env={"UPGRADECAMP_PIN": "123409"}
    )
    assert result.exit_code == 0, result.output
    clock = FakeClock()
    services = bootstrap(path, clock=clock, terminal="setup")
    for code, role in (
        ("org2", "organizer"),
        ("ck2", "checkin"),
        ("mk2", "marketer"),
        ("mk3", "marketer"),
        ("bh2", "branch_head"),
    ):
        services.execute(
            AddStaff(code=code, name=f"员工{code}", role=role, branch="B02", pin=PINS[code]), ADMIN
        )
    services.execute(RegisterClients(clients=[client_row(n, rm="mk2") for n in (1, 2, 3)]), ADMIN)
    org = Actor("org2", "organizer", "B02")
    clock.advance(days=-40)
    services.execute(
        PlanSessions(branch="B02", start="2026-11-20 15:00", host="mk3", presenter="org2"), org
    )
    services.execute(BuildInviteList(session_id=SESSION), org)
    clock.advance(days=40)
    desk = Actor("ck2", "checkin", "B02")
    services.execute(OpenSession(session_id=SESSION), desk)
    for client in ("C000001", "C000002"):
        services.execute(CheckIn(session_id=SESSION, client_id=client), desk)
    clock.advance(hours=6)
    services.execute(CloseSession(session_id=SESSION), org)
    real = followups_cmd.open_services

    def open_on_fake_clock(db_path, **kw):
        return bootstrap(engine=real(db_path, **kw).engine, clock=clock, terminal="cli-desk")

    monkeypatch.setattr(followups_cmd, "open_services", open_on_fake_clock)
    return path, clock


def run(db, actor: str, *args: str):
    path, _clock = db
    return runner.invoke(
        app, ["followups", *args, "--db", path, "--as", actor], env={"UPGRADECAMP_PIN": PINS[actor]}
    )


def test_list_json_is_one_array_of_follow_ups_by_due_date(db):
    result = run(db, "mk2", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["followup_id"], r["kind"], r["assignee"], r["due"], r["overdue"]) for r in rows] == [
        (IC1, "intention_call", "mk2", "2026-11-23", False),
        (IC2, "intention_call", "mk2", "2026-11-23", False),
        (IN3, "invite_next", "mk2", "2026-11-23", False),
    ]
    assert rows[0]["mobile"] == "138****0001" and rows[0]["client_name"] == "张三"
    assert rows[0]["created_at"] == "2026-11-20T16:00:00+08:00"
    none = run(db, "mk2", "list", "--session", "B01-20261120-1500", "--json")
    assert none.exit_code == 0 and json.loads(none.stdout) == []


def test_list_filters_and_marks_overdue_ones(db):
    _path, clock = db
    assert run(db, "mk2", "done", IC1, "--outcome", "reached").exit_code == 0
    clock.advance(days=4)  # 2026-11-24: the open ones are a day late
    text = run(db, "org2", "list", "--status", "open")
    assert text.exit_code == 0, text.output
    assert IC1 not in text.stdout and IC2 in text.stdout
    header, *rows = text.stdout.splitlines()
    assert "overdue" in header.split() and "138****0002" in text.stdout
    assert all("1 d" in row for row in rows if IC2 in row)
    assert "2 follow-up(s), 2 overdue" in text.stdout
    done = json.loads(run(db, "org2", "list", "--status", "done", "--json").stdout)
    assert [(r["followup_id"], r["outcome"], r["done_by"]) for r in done] == [
        (IC1, "reached", "mk2")
    ]
    ranged = json.loads(run(db, "org2", "list", "--due-from", "2026-11-24", "--json").stdout)
    assert ranged == []
    mine = json.loads(
        run(db, "org2", "list", "--assignee", "mk3", "--branch", "B02", "--json").stdout
    )
    assert mine == []


def test_list_refuses_bad_options_and_check_in_staff(db):
    bad = run(db, "mk2", "list", "--status", "closed")
    assert bad.exit_code == 2 and "open or done" in bad.stderr
    bad_date = run(db, "mk2", "list", "--due-to", "tomorrow")
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.stderr
    refused = run(db, "ck2", "list")
    assert refused.exit_code == 1 and "may not read follow-ups" in refused.stderr


def test_done_records_an_outcome_and_refuses_a_second_close(db):
    tried = run(db, "mk2", "done", IC2, "--outcome", "not_reached", "--note", "没人接", "--json")
    assert tried.exit_code == 0, tried.output
    body = json.loads(tried.stdout)
    assert (body["status"], body["attempts"], body["note"]) == ("open", 1, "没人接")
    closed = run(db, "mk2", "done", IC2, "--outcome", "converted")
    assert closed.exit_code == 0 and "converted, closed" in closed.stdout
    again = run(db, "mk2", "done", IC2, "--outcome", "reached")
    assert again.exit_code == 1
    assert "already closed (converted) by mk2 at 2026-11-20 16:00" in again.stderr
    assert run(db, "mk2", "done", IN3, "--outcome", "perhaps").exit_code == 2
    assert run(db, "mk2", "done", "no-such", "--outcome", "reached").exit_code == 2
    assert run(db, "mk3", "done", IN3, "--outcome", "reached").exit_code == 1


def test_reschedule_and_assign(db):
    moved = run(db, "mk2", "reschedule", IN3, "--due", "2026-11-30", "--reason", "出差", "--json")
    assert moved.exit_code == 0, moved.output
    assert json.loads(moved.stdout)["due"] == "2026-11-30"
    past = run(db, "mk2", "reschedule", IN3, "--due", "2026-11-01")
    assert past.exit_code == 2 and "in the past" in past.stderr
    refused = run(db, "mk2", "assign", IN3, "--to", "mk3")
    assert refused.exit_code == 1 and "may not reassign" in refused.stderr
    given = run(db, "bh2", "assign", IN3, "--to", "mk3")
    assert given.exit_code == 0 and "assigned to mk3" in given.stdout
    assert run(db, "org2", "assign", IN3, "--to", "ghost").exit_code == 2
    listed = json.loads(run(db, "mk3", "list", "--assignee", "mk3", "--json").stdout)
    assert [(r["followup_id"], r["due"]) for r in listed] == [(IN3, "2026-11-30")]


def test_create_again_makes_nothing(db):
    result = run(db, "org2", "create", SESSION, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "session_id": SESSION,
        "created": 0,
        "already_there": 3,
        "followups": [],
    }
    text = run(db, "org2", "create", SESSION)
    assert "0 follow-up(s) created, 3 already there" in text.stdout
    assert run(db, "mk2", "create", SESSION).exit_code == 1


def test_feedback_add_report_and_complaints_from_the_cli(db, monkeypatch):
    """A complaint on Friday's session is bh2's follow-up, due Monday; the reports see it."""
    from upgradecamp.cli import feedback_cmd

    monkeypatch.setattr(feedback_cmd, "open_services", followups_cmd.open_services)
    path, _clock = db

    def feedback(actor: str, *args: str):
        return runner.invoke(
            app,
            ["feedback", *args, "--db", path, "--as", actor],
            env={"UPGRADECAMP_PIN": PINS[actor]},
        )

    added = feedback(
        "mk2",
        "add",
        SESSION,
        "--client",
        "C000001",
        "--score",
        "2",
        "--complaint",
        "讲解太快",
        "--json",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["followup"] == {
        "followup_id": f"{SESSION}-CP-C000001",
        "assignee": "bh2",
        "due": "2026-11-23",
    }
    assert feedback("mk2", "add", SESSION, "--client", "C000002", "--score", "9").exit_code == 2
    again = feedback("mk2", "add", SESSION, "--client", "C000001", "--score", "5")
    assert again.exit_code == 1 and "already gave feedback" in again.stderr
    report = json.loads(feedback("bh2", "report", "--by", "branch", "--json").stdout)
    assert report == [
        {
            "key": "B02",
            "forms": 1,
            "average": "2.00",
            "complaints": 1,
            "complaints_open": 1,
            "complaints_closed": 0,
        }
    ]
    listed = json.loads(feedback("bh2", "complaints", "--status", "open", "--json").stdout)
    assert [(c["complaint"], c["assignee"]) for c in listed] == [("讲解太快", "bh2")]


def test_targets_set_and_review_from_the_cli(db, monkeypatch):
    from upgradecamp.cli import targets_cmd

    monkeypatch.setattr(targets_cmd, "open_services", followups_cmd.open_services)
    path, _clock = db

    def targets(actor: str, *args: str):
        return runner.invoke(
            app,
            ["targets", *args, "--db", path, "--as", actor],
            env={"UPGRADECAMP_PIN": PINS[actor]},
        )

    done = targets(
        "bh2",
        "set",
        "--staff",
        "mk2",
        "--month",
        "2026-11",
        "--forms",
        "3",
        "--converted-aum",
        "80000",
        "--json",
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["converted_aum"] == "80000.00"
    assert (
        targets("mk2", "set", "--staff", "mk2", "--month", "2026-11", "--forms", "9").exit_code == 1
    )
    assert (
        targets("bh2", "set", "--staff", "mk2", "--month", "11/2026", "--forms", "9").exit_code == 2
    )
    review = json.loads(targets("bh2", "review", "--month", "2026-11", "--json").stdout)
    mk2 = next(r for r in review if r["staff"] == "mk2")
    assert mk2["targets"]["forms"] == 3 and mk2["results"]["attended"] == 2
    assert mk2["rates"]["form"] == "0.0000" and [r["rank"] for r in review] == [1, 2]
