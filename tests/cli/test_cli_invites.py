"""`upgradecamp invites build|export|outcome|list`: exit codes, --json, human output."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from tests.helpers import client_row
from upgradecamp.cli import app
from upgradecamp.domain.commands import AddStaff, RegisterClients
from upgradecamp.domain.commands.sessions import PlanSessions
from upgradecamp.domain.rules import shanghai
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import EventLog

runner = CliRunner()
ADMIN = Actor(code="admin1", role="admin", branch="B01")


def _start(days: int) -> str:
    day = (datetime.now(UTC) + timedelta(days=days)).astimezone(shanghai()).date()
    return f"{day:%Y-%m-%d} 15:00"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = str(tmp_path / "cli.db")
    monkeypatch.setenv("UPGRADECAMP_PIN", "123409")
    monkeypatch.delenv("UPGRADECAMP_AS", raising=False)
    assert runner.invoke(app, ["init", "--admin", "admin1", "--db", path]).exit_code == 0
    services = bootstrap(path)
    for code, role, branch in (
        ("org1", "organizer", "B01"),
        ("mk1", "marketer", "B02"),
        ("mk2", "marketer", "B02"),
    ):
        services.execute(
            AddStaff(code=code, name=f"员工{code}", role=role, branch=branch, pin="123409"), ADMIN
        )
    services.execute(
        RegisterClients(
            clients=[
                *[client_row(n) for n in range(1, 7)],
                client_row(7, marketing_consent=False),
                *[client_row(n, aum="300000.00") for n in range(8, 11)],
            ]
        ),
        ADMIN,
    )
    far = services.execute(PlanSessions(branch="B02", start=_start(60), capacity=2), ADMIN)
    near = services.execute(PlanSessions(branch="B02", start=_start(10), capacity=2), ADMIN)
    services.engine.dispose()
    return path, far["sessions"][0]["session_id"], near["sessions"][0]["session_id"]


def run(path, *args, who="org1"):
    return runner.invoke(app, ["invites", *args, "--db", path, "--as", who])


def head(path) -> int:
    services = bootstrap(path)
    with read_transaction(services.engine) as conn:
        position = EventLog.head(conn)[0]
    services.engine.dispose()
    return position


def test_build_json_prints_the_invitations_with_ids_and_codes(db):
    path, far, _ = db
    result = run(path, "build", far, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["issued"] == 3 and data["excluded"] == {"no_consent": 1}
    assert all({"invitation_id", "client_id", "code"} <= set(i) for i in data["invitations"])
    assert all(len(i["code"]) == 6 for i in data["invitations"])
    assert result.stderr == ""


def test_dry_run_shows_who_is_left_out_and_records_nothing(db):
    path, far, _ = db
    before = head(path)
    result = run(path, "build", far, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run, nothing recorded: would issue 3 of target 3" in result.stdout
    assert "left out: no_consent 1" in result.stdout
    assert "C000007" in result.stdout and "138****0007" in result.stdout
    assert "13800000007" not in result.stdout
    assert head(path) == before


def test_build_human_output_lists_codes(db):
    path, far, _ = db
    result = run(path, "build", far, "--per-seat", "1")
    assert result.exit_code == 0, result.output
    assert "issued 2 of target 2" in result.stdout
    assert f"{far}-001" in result.stdout and f"{far}-002" in result.stdout


def test_mix_alone_and_with_a_ratio(db):
    path, far, _ = db
    alone = json.loads(run(path, "build", far, "--mix", "--dry-run", "--json").stdout)
    assert alone["by_segment"] == {"potential": 2, "mid_high": 1}
    ratio = run(path, "build", far, "--mix", "1:2", "--per-seat", "3", "--dry-run", "--json")
    assert ratio.exit_code == 0, ratio.output
    data = json.loads(ratio.stdout)
    assert data["by_segment"] == {"potential": 3, "mid_high": 3}
    assert data["notes"] == ["mid_high: 3 eligible of 4 wanted", "1 place(s) filled from potential"]
    stray = run(path, "build", far, "2:1")
    assert stray.exit_code == 2 and "--mix" in stray.stderr
    bad = run(path, "build", far, "--mix", "two:one")
    assert bad.exit_code == 2
    both = run(path, "build", far, "--mix", "--aum-max", "300000")
    assert both.exit_code == 2 and "segments decide" in both.stderr


def test_warnings_go_to_stderr(db):
    path, _, near = db
    result = run(path, "build", near, "--dry-run", "--json")
    assert result.exit_code == 0
    assert "warning: session in 10 days" in result.stderr
    json.loads(result.stdout)  # stdout stays one JSON document


def test_build_exit_codes(db):
    path, far, _ = db
    assert run(path, "build", "B02-20990101-1500").exit_code == 2
    assert run(path, "build", far, "--aum-min", "lots").exit_code == 2
    refused = run(path, "build", far, who="mk1")
    assert refused.exit_code == 1 and "may not build invite lists" in refused.stderr
    nobody = run(path, "build", far, "--aum-min", "1", "--aum-max", "2")
    assert nobody.exit_code == 1 and "nobody qualifies" in nobody.stderr


def test_export_outcome_and_list(db, tmp_path):
    path, far, _ = db
    invs = json.loads(run(path, "build", far, "--json").stdout)["invitations"]
    out = tmp_path / "sms.csv"
    sms = run(path, "export", far, "--kind", "sms", "--out", str(out))
    assert sms.exit_code == 0, sms.output
    assert f"3 row(s) written to {out}" in sms.stdout and out.exists()
    assert run(path, "export", far, "--kind", "fax", "--out", str(out)).exit_code == 2
    assert run(path, "export", far, "--kind", "sms", "--out", str(out), who="mk1").exit_code == 1

    done = run(
        path,
        "outcome",
        invs[0]["code"],
        "--channel",
        "call",
        "--result",
        "wrong_number",
        "--note",
        "空号",
        who="mk1",
    )
    assert done.exit_code == 0, done.output
    assert "state wrong_number" in done.stdout and "unreachable" in done.stdout
    bad = run(path, "outcome", invs[1]["invitation_id"], "--channel", "sms", "--result", "maybe")
    assert bad.exit_code == 2 and "sent, opted_out" in bad.stderr
    early = run(
        path, "outcome", invs[1]["invitation_id"], "--channel", "call", "--result", "informed"
    )
    assert early.exit_code == 1
    confirmed = run(
        path,
        "outcome",
        invs[1]["invitation_id"],
        "--channel",
        "call",
        "--result",
        "confirmed",
        "--json",
    )
    assert json.loads(confirmed.stdout)["state"] == "confirmed"

    calls = run(path, "export", far, "--kind", "calls", "--out", str(tmp_path / "c.csv"), "--json")
    assert json.loads(calls.stdout)["left_out"] == {"unreachable": 1}

    listed = run(path, "list", far, "--json", who="mk1")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [r["state"] for r in rows] == ["wrong_number", "confirmed", "invited"]
    assert all("****" in r["mobile_masked"] for r in rows)
    assert "13800000" not in listed.stdout
    assert run(path, "list", "B02-20990101-1500").exit_code == 2
    # People read it too: a header, and columns aligned by cell width whatever the names.
    from rich.cells import cell_len

    human = run(path, "list", far, who="mk1")
    assert human.exit_code == 0, human.output
    header, *lines = human.stdout.splitlines()
    assert header.split()[:4] == ["invitation", "code", "client", "name"]
    assert len(lines) == 3
    mobile_at = cell_len(header[: header.index("mobile")])
    assert {cell_len(line[: line.index("****") - 3]) for line in lines} == {mobile_at}, human.stdout
