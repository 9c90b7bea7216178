"""`upgradecamp checkin …` through Typer's runner (SPEC §6): check in by code, client id or as a
walk-in, overrides, annul, board, search and recent; --json, exit codes 0/1/2.

The commands run on a fixed clock (2026-11-20 10:00 in Shanghai) so the session is open today.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import ADMIN, FakeClock
from tests.helpers import client_row
from upgradecamp.cli import app, build_app, checkin_cmd
from upgradecamp.domain.commands import (
    BuildInviteList,
    OpenSession,
    PlanSessions,
    RegisterClients,
)

runner = CliRunner()
SESSION = "B02-20261120-1500"


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    from upgradecamp.service.bus import bootstrap

    fake = FakeClock()
    real = checkin_cmd.open_services

    def open_on_fake_clock(db, **kw):
        services = real(db, **kw)
        return bootstrap(engine=services.engine, clock=fake, terminal="desk-1")

    monkeypatch.setattr(checkin_cmd, "open_services", open_on_fake_clock)
    return fake


@pytest.fixture
def db(tmp_path, monkeypatch, clock):
    """A session of 2 seats, 3 invitations, opened on its day (the fake clock's today)."""
    from upgradecamp.service.bus import bootstrap

    path = str(tmp_path / "cli.db")
    monkeypatch.setenv("UPGRADECAMP_PIN", "123409")
    monkeypatch.setenv("UPGRADECAMP_NEW_PIN", "123409")
    monkeypatch.delenv("UPGRADECAMP_AS", raising=False)
    monkeypatch.delenv("UPGRADECAMP_OVERRIDE_PIN", raising=False)
    assert runner.invoke(app, ["init", "--admin", "admin1", "--db", path]).exit_code == 0
    for code, name, role in [
        ("org2", "赵六", "organizer"),
        ("ck2", "钱七", "checkin"),
        ("mk2", "王五", "marketer"),
    ]:
        result = runner.invoke(
            app,
            [
                "staff",
                "add",
                code,
                "--name",
                name,
                "--role",
                role,
                "--branch",
                "B02",
                "--db",
                path,
                "--as",
                "admin1",
            ],
        )
        assert result.exit_code == 0, result.output
    services = bootstrap(path, clock=clock, terminal="setup")
    services.execute(
        RegisterClients(clients=[client_row(n, aum="80000.00") for n in range(6)]), ADMIN
    )
    clock.advance(days=-40)
    services.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", capacity=2), ADMIN)
    built = services.execute(BuildInviteList(session_id=SESSION), ADMIN)
    clock.advance(days=40)
    services.execute(OpenSession(session_id=SESSION), ADMIN)
    services.engine.dispose()
    return path, built["invitations"]


def run(db: str, *args: str, actor: str | None = "ck2"):
    argv = ["checkin", *args, "--db", db]
    if actor:
        argv += ["--as", actor]
    return runner.invoke(app, argv)


def walk_ins(invitations) -> list[str]:
    invited = {i["client_id"] for i in invitations}
    return [c for c in (client_row(n)["client_id"] for n in range(6)) if c not in invited]


def test_check_in_by_code_then_refused_the_second_time(db):
    path, invitations = db
    code = invitations[0]["code"]
    first = run(path, SESSION, "--code", code, "--json")
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data["checkin_id"] == f"{SESSION}-C001"
    assert (data["client_id"], data["walk_in"], data["terminal"], data["by"]) == (
        invitations[0]["client_id"],
        False,
        "desk-1",
        "ck2",
    )
    assert data["at"] == "2026-11-20T10:00:00+08:00"
    again = run(path, SESSION, "--code", code)
    assert again.exit_code == 1
    assert "already checked in: by ck2 at terminal desk-1 at 10:00" in again.stderr
    unknown = run(path, SESSION, "--code", "ZZZZZZ")
    assert unknown.exit_code == 2 and "no invitation with code" in unknown.stderr


def test_walk_ins_fill_the_room_then_need_an_override(db, monkeypatch):
    path, invitations = db
    a, b, c = walk_ins(invitations)[:3]
    first = run(path, SESSION, "--client", a)
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(f"checked in 张三 ({a}, walk-in) as {SESSION}-C001 at 10:00")
    assert run(path, SESSION, "--client", b).exit_code == 0
    full = run(path, SESSION, "--client", c)
    assert full.exit_code == 1 and "is full" in full.stderr and "override" in full.stderr
    monkeypatch.setenv("UPGRADECAMP_OVERRIDE_PIN", "0000")
    wrong = run(path, SESSION, "--client", c, "--override", "org2")
    assert wrong.exit_code == 1 and "wrong PIN for org2" in wrong.stderr
    monkeypatch.setenv("UPGRADECAMP_OVERRIDE_PIN", "123409")
    let_in = run(path, SESSION, "--client", c, "--override", "org2", "--json")
    assert let_in.exit_code == 0, let_in.output
    assert json.loads(let_in.stdout)["override_by"] == "org2"
    board = json.loads(run(path, "board", SESSION, "--json", actor=None).stdout)
    assert (board["arrived"], board["walk_ins"], board["free_seats"], board["overrides"]) == (
        3,
        3,
        0,
        1,
    )
    assert board["expected"] == len(invitations)


def test_a_walk_in_prospect_and_a_referral(db):
    path, invitations = db
    referrer = walk_ins(invitations)[0]
    result = run(
        path,
        SESSION,
        "--walk-in",
        "--name",
        "孙八",
        "--mobile",
        "13600006666",
        "--referred-by",
        referrer,
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["prospect"] is True and data["referred_by"] == referrer
    assert data["client_id"].startswith("P")
    half = run(path, SESSION, "--name", "孙九", "--mobile", "13600007777")
    assert half.exit_code == 2 and "--walk-in" in half.stderr
    bare = run(path, SESSION, "--walk-in")
    assert bare.exit_code == 2
    known_client = run(path, SESSION, "--walk-in", "--client", walk_ins(invitations)[1])
    assert known_client.exit_code == 0 and "walk-in" in known_client.stdout
    bad = run(path, SESSION, "--walk-in", "--name", "孙九", "--mobile", "12345")
    assert bad.exit_code == 2 and "not a mobile number" in bad.stderr
    known = run(path, SESSION, "--walk-in", "--name", "孙八", "--mobile", "13600006666")
    assert known.exit_code == 1 and "already checked in" in known.stderr
    none = run(path, SESSION)
    assert none.exit_code == 2


def test_annul_and_recent(db):
    path, invitations = db
    code = invitations[0]["code"]
    checkin_id = json.loads(run(path, SESSION, "--code", code, "--json").stdout)["checkin_id"]
    no_reason = run(path, "annul", checkin_id)
    assert no_reason.exit_code == 2
    annulled = run(path, "annul", checkin_id, "--reason", "wrong client", "--json")
    assert annulled.exit_code == 0, annulled.output
    assert json.loads(annulled.stdout) == {
        "checkin_id": checkin_id,
        "session_id": SESSION,
        "client_id": invitations[0]["client_id"],
        "annulled": True,
        "reason": "wrong client",
    }
    twice = run(path, "annul", checkin_id, "--reason", "again")
    assert twice.exit_code == 1 and "already annulled" in twice.stderr
    unknown = run(path, "annul", f"{SESSION}-C999", "--reason", "typo")
    assert unknown.exit_code == 2
    recent = run(path, "recent", SESSION)
    assert recent.exit_code == 0 and "ANNULLED: wrong client" in recent.stdout
    rows = json.loads(run(path, "recent", SESSION, "--json").stdout)
    assert [r["checkin_id"] for r in rows] == [checkin_id]
    assert run(path, "recent", SESSION, actor="mk2").exit_code == 0  # marketers read clients


def test_search_masks_mobiles_and_puts_invitees_first(db):
    path, invitations = db
    rows = json.loads(run(path, "search", SESSION, "ls", "--json").stdout)
    invited = {i["client_id"] for i in invitations}
    assert {r["client_id"] for r in rows} == {client_row(n)["client_id"] for n in (0, 2, 4)}
    flags = [r["client_id"] in invited for r in rows]
    assert flags == sorted(flags, reverse=True)
    human = run(path, "search", SESSION, "0002")
    assert human.exit_code == 0 and "138****0002" in human.stdout
    assert "13800000002" not in human.stdout
    nobody = run(path, "search", SESSION, "zzz")
    assert nobody.exit_code == 0 and "nobody matches" in nobody.stderr
    no_actor = run(path, "search", SESSION, "zs", actor=None)
    assert no_actor.exit_code == 2 and "--as" in no_actor.stderr


def test_board_of_an_unknown_session_and_help(db):
    path, _ = db
    unknown = run(path, "board", "B09-20261120-1500", actor=None)
    assert unknown.exit_code == 2 and "no session" in unknown.stderr
    text = runner.invoke(app, ["checkin", "--help"]).stdout
    assert "annul" in text and "board" in text and "search" in text


def test_the_checkin_group_alone_as_main_builds_it(db):
    path, invitations = db
    only = build_app("checkin")
    result = runner.invoke(
        only, ["checkin", SESSION, "--code", invitations[1]["code"], "--db", path, "--as", "ck2"]
    )
    assert result.exit_code == 0, result.output
    board = runner.invoke(only, ["checkin", "board", SESSION, "--db", path, "--json"])
    assert json.loads(board.stdout)["arrived"] == 1
