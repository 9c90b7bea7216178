"""`upgradecamp sessions …` through Typer's runner (SPEC §6): output, --json, exit codes 0/1/2.

The commands run on a fixed clock (2026-11-20 10:00 in Shanghai) so "in the future", "on the
session's day" and the 30-day notice do not depend on when the tests run.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from tests.conftest import FakeClock
from upgradecamp.cli import app, sessions_cmd

runner = CliRunner()
FIRST = "B02-20261201-1500"


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    from upgradecamp.service.bus import bootstrap

    fake = FakeClock()
    real = sessions_cmd.open_services

    def open_on_fake_clock(db, **kw):
        services = real(db, **kw)
        return bootstrap(engine=services.engine, clock=fake, terminal="cli-test")

    monkeypatch.setattr(sessions_cmd, "open_services", open_on_fake_clock)
    return fake


@pytest.fixture
def db(tmp_path, monkeypatch, clock):
    path = str(tmp_path / "cli.db")
    monkeypatch.setenv("UPGRADECAMP_PIN", "123409")
    monkeypatch.setenv("UPGRADECAMP_NEW_PIN", "123409")
    monkeypatch.delenv("UPGRADECAMP_AS", raising=False)
    assert runner.invoke(app, ["init", "--admin", "admin1", "--db", path]).exit_code == 0
    for code, name, role, branch in [
        ("org2", "赵六", "organizer", "B02"),
        ("mk2", "王五", "marketer", "B02"),
        ("ck2", "钱七", "checkin", "B02"),
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
                branch,
                "--db",
                path,
                "--as",
                "admin1",
            ],
        )
        assert result.exit_code == 0, result.output
    return path


def run(db: str, *args: str, actor: str | None = "org2"):
    argv = ["sessions", *args, "--db", db]
    if actor:
        argv += ["--as", actor]
    return runner.invoke(app, argv)


def test_create_one_prints_it_and_warns_on_stderr(db):
    result = run(db, "create", "--branch", "B02", "--start", "2026-12-01 15:00")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{FIRST:<22} 2026-12-01 Tue 15:00–15:40  贵宾室  小小银行家  cap 10  host org2  "
        "presenter mk2  planned"
    ]
    assert "warning:" in result.stderr and "this session is in 11 days" in result.stderr


def test_create_a_series_as_json(db):
    result = run(
        db,
        "create",
        "--branch",
        "B02",
        "--start",
        "2026-12-01 15:00",
        "--weekly-on",
        "tue,thu",
        "--weeks",
        "6",
        "--duration",
        "45",
        "--capacity",
        "12",
        "--venue",
        "会议室",
        "--theme",
        "亲子理财",
        "--host",
        "ck2",
        "--presenter",
        "mk2",
        "--json",
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert len(doc["sessions"]) == 12
    first = doc["sessions"][0]
    assert first == {
        "session_id": FIRST,
        "series_id": "B02-S20261201-1500",
        "branch": "B02",
        "venue": "会议室",
        "starts_at": "2026-12-01T15:00:00+08:00",
        "duration_minutes": 45,
        "capacity": 12,
        "theme": "亲子理财",
        "host": "ck2",
        "presenter": "mk2",
        "status": "planned",
    }
    assert len(doc["warnings"]) == 6


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--branch", "B02", "--start", "2026/12/01 15:00"], 2, "YYYY-MM-DD HH:MM"),
        (["--branch", "B02", "--start", "2026-12-01 15:00", "--capacity", "21"], 2, "1 to 20"),
        (["--branch", "B02", "--start", "2026-12-01 15:00", "--duration", "90"], 2, "10 to 60"),
        (["--branch", "B99", "--start", "2026-12-01 15:00"], 2, "unknown branch 'B99'"),
        (
            ["--branch", "B02", "--start", "2026-12-01 15:00", "--weekly-on", "tue,xx"],
            2,
            "'xx' is not a weekday",
        ),
        (["--branch", "B02", "--start", "2026-11-19 15:00"], 1, "not in the future"),
        (["--branch", "B03", "--start", "2026-12-01 15:00"], 1, "two different staff of B03"),
        (
            [
                "--branch",
                "B02",
                "--start",
                "2026-12-01 15:00",
                "--host",
                "mk2",
                "--presenter",
                "mk2",
            ],
            1,
            "both host and presenter",
        ),
    ],
)
def test_create_refusals_and_bad_input(db, args, code, message):
    result = run(db, "create", *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert result.stdout == ""


def test_create_overlap_and_permission_exit_1(db):
    assert run(db, "create", "--branch", "B02", "--start", "2026-12-01 15:00").exit_code == 0
    clash = run(
        db,
        "create",
        "--branch",
        "B02",
        "--start",
        "2026-12-01 15:20",
        "--weekly-on",
        "tue",
        "--weeks",
        "2",
    )
    assert clash.exit_code == 1
    assert "贵宾室 is already booked at 2026-12-01 15:20" in clash.stderr
    assert "nothing was planned" in clash.stderr
    denied = run(db, "create", "--branch", "B02", "--start", "2026-12-02 15:00", actor="mk2")
    assert denied.exit_code == 1 and "may not plan sessions" in denied.stderr
    no_actor = run(db, "create", "--branch", "B02", "--start", "2026-12-02 15:00", actor=None)
    assert no_actor.exit_code == 2 and "--as" in no_actor.stderr


def test_list_needs_no_sign_in_and_filters(db, clock):
    run(
        db,
        "create",
        "--branch",
        "B02",
        "--start",
        "2026-12-01 15:00",
        "--weekly-on",
        "tue,thu",
        "--weeks",
        "2",
    )
    run(db, "cancel", "B02-20261203-1500", "--reason", "台风")
    listed = run(db, "list", "--json", actor=None)
    assert listed.exit_code == 0, listed.output
    assert [s["session_id"] for s in json.loads(listed.stdout)] == [
        FIRST,
        "B02-20261208-1500",
        "B02-20261210-1500",
    ]
    window = run(
        db, "list", "--from", "2026-12-02", "--to", "2026-12-08", "--all", "--json", actor=None
    )
    doc = json.loads(window.stdout)
    assert [(s["session_id"], s["status"]) for s in doc] == [
        ("B02-20261203-1500", "cancelled"),
        ("B02-20261208-1500", "planned"),
    ]
    text = run(db, "list", "--branch", "B02", actor=None)
    assert text.exit_code == 0
    header, first, *_ = text.stdout.splitlines()
    assert header.split()[:4] == ["session", "date", "time", "venue"]
    assert first.split()[:4] == [FIRST, "2026-12-01", "15:00–15:40", "贵宾室"]
    assert first.split()[-2:] == ["赵六", "王五"]  # host, presenter
    clock.now = datetime(2026, 12, 9, 2, 0, tzinfo=UTC)  # default: from today on
    later = json.loads(run(db, "list", "--json", actor=None).stdout)
    assert [s["session_id"] for s in later] == ["B02-20261210-1500"]
    assert run(db, "list", "--branch", "B05", actor=None).stdout == ""
    bad = run(db, "list", "--from", "next week", actor=None)
    assert bad.exit_code == 2 and "--from 'next week' is not a date" in bad.stderr


def test_show_needs_sign_in_and_prints_the_plan(db):
    run(db, "create", "--branch", "B02", "--start", "2026-12-01 15:00")
    anonymous = run(db, "show", FIRST, actor=None)
    assert anonymous.exit_code == 2 and "--as" in anonymous.stderr
    shown = run(db, "show", FIRST)
    assert shown.exit_code == 0, shown.output
    assert "host:      org2 赵六" in shown.stdout and "invitations: none" in shown.stdout
    doc = json.loads(run(db, "show", FIRST, "--json").stdout)
    assert (doc["session_id"], doc["branch_name"], doc["to_tell"]) == (
        FIRST,
        "城东支行幸福路网点",
        [],
    )
    missing = run(db, "show", "B02-nothing")
    assert missing.exit_code == 2 and "no session has the id 'B02-nothing'" in missing.stderr


def test_open_close_cancel_and_edit(db, clock):
    run(db, "create", "--branch", "B02", "--start", "2026-12-01 15:00")
    run(db, "create", "--branch", "B02", "--start", "2026-12-03 15:00")
    early = run(db, "open", FIRST, actor="ck2")
    assert early.exit_code == 1 and "open it on 2026-12-01" in early.stderr
    never = run(db, "close", FIRST)
    assert never.exit_code == 1 and "never opened" in never.stderr
    edited = run(db, "edit", FIRST, "--capacity", "15", "--start", "2026-12-01 14:30", "--json")
    assert edited.exit_code == 0, edited.output
    doc = json.loads(edited.stdout)
    assert doc["changed"] == ["capacity", "starts_at"]
    assert doc["session"]["starts_at"] == "2026-12-01T14:30:00+08:00"
    text = run(db, "edit", FIRST, "--theme", "压岁钱")
    assert text.exit_code == 0 and "压岁钱" in text.stdout and "changed: theme" in text.stderr
    assert run(db, "edit", FIRST, "--duration", "0").exit_code == 2
    clock.now = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    opened = run(db, "open", FIRST, actor="ck2")
    assert opened.exit_code == 0 and "check-in is running" in opened.stdout
    assert run(db, "edit", FIRST, "--capacity", "16").exit_code == 1
    closed = run(db, "close", FIRST, "--json")
    assert closed.exit_code == 0 and json.loads(closed.stdout)["status"] == "closed"
    again = run(db, "cancel", FIRST, "--reason", "x")
    assert again.exit_code == 1 and "is closed" in again.stderr
    cancel = run(db, "cancel", "B02-20261203-1500", "--reason", "台风预警")
    assert cancel.exit_code == 0, cancel.output
    assert cancel.stdout.splitlines() == [
        "cancelled B02-20261203-1500: 台风预警",
        "0 invitee(s) to tell",
    ]
    blank = run(db, "cancel", "B02-20261203-1500", "--reason", " ")
    assert blank.exit_code == 2 and "needs a reason" in blank.stderr
    unknown = run(db, "open", "B09-1")
    assert unknown.exit_code == 2 and "sessions list" in unknown.stderr


def test_a_session_on_its_branch_theme_reads_in_the_command_s_language(db):
    """The branch's own theme has an English name (branches.toml theme_en); a theme typed by
    the organizer stays as typed in both languages."""
    assert run(db, "create", "--branch", "B02", "--start", "2026-12-01 15:00").exit_code == 0
    typed = run(
        db, "create", "--branch", "B02", "--start", "2026-12-02 15:00", "--theme", "亲子理财"
    )
    assert typed.exit_code == 0, typed.output
    english = runner.invoke(app, ["--lang", "en", "sessions", "list", "--db", db])
    assert english.exit_code == 0, english.output
    assert "Little bankers" in english.stdout and "小小银行家" not in english.stdout
    assert "亲子理财" in english.stdout
    chinese = runner.invoke(app, ["--lang", "zh_CN", "sessions", "list", "--db", db])
    assert "小小银行家" in chinese.stdout and "Little bankers" not in chinese.stdout
