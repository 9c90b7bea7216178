"""`upgradecamp forms …` through Typer's runner (SPEC §6): --json, exit codes 0/1/2.

The database is set up through the handlers on a fixed clock (2026-11-20 10:00 in Shanghai,
the session at 15:00 that day is open with clients checked in); the commands run on it too.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import ADMIN, FakeClock
from tests.helpers import client_row
from upgradecamp.cli import app, forms_cmd
from upgradecamp.domain.commands import (
    AddStaff,
    CheckIn,
    OpenSession,
    PlanSessions,
    RegisterClients,
)
from upgradecamp.domain.staff import Actor

runner = CliRunner()
SESSION = "B02-20261120-1500"
F01 = f"{SESSION}-F01"
PINS = {"admin1": "123409", "mk2": "222209", "bh2": "333309", "bh3": "444409"}


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
    staff = [
        ("org2", "organizer", "B02", "111109"),
        ("ck2", "checkin", "B02", "111109"),
        ("mk2", "marketer", "B02", "222209"),
        ("bh2", "branch_head", "B02", "333309"),
        ("bh3", "branch_head", "B03", "444409"),
    ]
    for code, role, branch, pin in staff:
        services.execute(AddStaff(code=code, name=code, role=role, branch=branch, pin=pin), ADMIN)
    services.execute(
        RegisterClients(
            clients=[client_row(1, aum="120000.00"), client_row(3, aum="60000.00", risk_grade="C2")]
        ),
        ADMIN,
    )
    services.execute(
        PlanSessions(branch="B02", start="2026-11-20 15:00"), Actor("org2", "organizer", "B02")
    )
    desk = Actor("ck2", "checkin", "B02")
    services.execute(OpenSession(session_id=SESSION), desk)
    for client in ("C000001", "C000003"):
        services.execute(CheckIn(session_id=SESSION, client_id=client), desk)
    real = forms_cmd.open_services

    def open_on_fake_clock(db_path, **kw):
        return bootstrap(engine=real(db_path, **kw).engine, clock=clock, terminal="cli-desk")

    monkeypatch.setattr(forms_cmd, "open_services", open_on_fake_clock)
    return path


def run(db: str, actor: str, *args: str, pin: str | None = None):
    return runner.invoke(
        app,
        ["forms", *args, "--db", db, "--as", actor],
        env={"UPGRADECAMP_PIN": pin or PINS[actor]},
    )


WORKED = [
    "--line",
    "large_cd:50000:existing",
    "--line",
    "fund:10000",
    "--line",
    "insurance:8000:new",
    "--line",
    "credit_card:1",
    "--action",
    "mobile_banking",
]


def test_submit_json_prints_the_form_and_approve_credits_it(db):
    result = run(db, "mk2", "submit", SESSION, "--client", "C000001", *WORKED, "--json")
    assert result.exit_code == 0, result.output
    form = json.loads(result.stdout)
    assert (form["form_id"], form["status"], form["points"], form["converted_delta"]) == (
        F01,
        "submitted",
        1388,
        "49000.00",
    )
    assert form["lines"][1] == {"product": "fund", "value": "10000", "source": "new"}
    assert form["submitted_at"] == "2026-11-20T10:00:00+08:00"
    approved = run(db, "bh2", "approve", F01, "--json")
    assert approved.exit_code == 0, approved.output
    assert json.loads(approved.stdout)["points"] == 1388
    again = run(db, "bh2", "approve", F01)
    assert again.exit_code == 1
    assert "already approved by bh2 at terminal cli-desk at 2026-11-20 10:00" in again.stderr
    shown = json.loads(run(db, "bh2", "show", F01, "--json").stdout)
    assert shown["status"] == "approved" and shown["mobile"] == "138****0001"
    assert [x["points"] for x in shown["calculation"]["lines"]] == [600, 180, 288, 120]


def test_human_output(db):
    result = run(db, "mk2", "submit", SESSION, "--client", "C000001", *WORKED)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{F01} submitted: 1388 points, converted +49000.00")
    assert "31000.00 short of silver" in result.stdout
    queue = run(db, "bh2", "queue")
    assert queue.exit_code == 0 and F01 in queue.stdout and "138****0001" in queue.stdout
    assert "13800000001" not in queue.stdout


def test_refusals_exit_1_and_bad_input_exits_2(db):
    unsuitable = run(db, "mk2", "submit", SESSION, "--client", "C000003", "--line", "fund:10000")
    assert unsuitable.exit_code == 1 and "exceeds the client's risk grade C2" in unsuitable.stderr
    bad_line = run(db, "mk2", "submit", SESSION, "--client", "C000001", "--line", "fund")
    assert bad_line.exit_code == 2 and "PRODUCT:VALUE" in bad_line.stderr
    unknown = run(db, "mk2", "submit", SESSION, "--client", "C000001", "--line", "bitcoin:5")
    assert unknown.exit_code == 2 and "line 1: unknown product 'bitcoin'" in unknown.stderr
    cents = run(
        db, "mk2", "submit", SESSION, "--client", "C000001", "--line", "fund:1000.123"
    )  # refused, never rounded to 1000.12
    assert cents.exit_code == 2, cents.output
    assert "line 1: fund (基金): 1000.123 has more than two decimals" in cents.stderr
    assert cents.stderr.count("\n") == 1 and "Traceback" not in cents.output
    no_session = run(
        db, "mk2", "submit", "B02-20990101-1500", "--client", "C000001", "--line", "fund:1000"
    )
    assert no_session.exit_code == 2
    assert (
        run(db, "mk2", "submit", SESSION, "--client", "C000001", "--line", "fund:1000").exit_code
        == 0
    )
    wrong_pin = run(db, "bh2", "approve", F01, pin="0000")
    assert wrong_pin.exit_code == 1 and "wrong PIN" in wrong_pin.stderr
    other_branch = run(db, "bh3", "approve", F01)
    assert other_branch.exit_code == 1 and "only a branch head of B02 or B01" in other_branch.stderr
    no_reason = run(db, "bh2", "reject", F01)
    assert no_reason.exit_code == 2
    blank = run(db, "bh2", "reject", F01, "--reason", " ")
    assert blank.exit_code == 2 and "reason" in blank.stderr
    missing = run(db, "bh2", "show", "nope")
    assert missing.exit_code == 2


def test_return_resubmit_approve_photo_cancel(db):
    run(db, "mk2", "submit", SESSION, "--client", "C000001", "--line", "fund:100000")
    returned = run(db, "bh2", "return", F01, "--reason", "10,000 not 100,000", "--json")
    assert returned.exit_code == 0 and json.loads(returned.stdout)["status"] == "returned"
    mine = json.loads(run(db, "mk2", "list", "--mine", "--json").stdout)
    assert [(f["form_id"], f["status"], f["reason"]) for f in mine] == [
        (F01, "returned", "10,000 not 100,000")
    ]
    again = run(
        db,
        "mk2",
        "submit",
        SESSION,
        "--client",
        "C000001",
        "--line",
        "fund:10000",
        "--form",
        F01,
        "--json",
    )
    assert again.exit_code == 0, again.output
    assert (json.loads(again.stdout)["revision"], json.loads(again.stdout)["points"]) == (1, 180)
    assert run(db, "bh2", "approve", F01).exit_code == 0
    photo = run(db, "bh2", "photo", F01, "--json")
    assert photo.exit_code == 0 and json.loads(photo.stdout)["photo_taken"] is True
    assert run(db, "bh2", "photo", F01).exit_code == 1
    cancelled = run(db, "bh2", "cancel", F01, "--reason", "client withdrew", "--json")
    assert cancelled.exit_code == 0, cancelled.output
    assert json.loads(cancelled.stdout)["points_reversed"] == 180
    listed = json.loads(run(db, "bh2", "list", "--status", "cancelled", "--json").stdout)
    assert [f["form_id"] for f in listed] == [F01]
    assert run(db, "bh2", "list", "--status", "lost").exit_code == 2


def test_attendees_show_who_has_a_form(db):
    run(db, "mk2", "submit", SESSION, "--client", "C000001", "--line", "fund:1000")
    people = json.loads(run(db, "mk2", "attendees", SESSION, "--json").stdout)
    assert [(p["client_id"], p["has_form"]) for p in people] == [
        ("C000001", True),
        ("C000003", False),
    ]
