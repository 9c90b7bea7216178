"""`sessions brief`, `invites cards`, `sessions cancel --sms-out` and `wall`: files, exit
codes, --json, and the sign-in the wall needs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from tests.helpers import client_row
from upgradecamp.cli import app
from upgradecamp.domain.commands import (
    AddStaff,
    BuildInviteList,
    PlanSessions,
    RecordInvitationOutcome,
    RegisterClients,
)
from upgradecamp.domain.rules import shanghai
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap
from upgradecamp.store.db import read_transaction

runner = CliRunner()
ADMIN = Actor(code="admin1", role="admin", branch="B01")


def _start(days: int) -> str:
    day = (datetime.now(UTC) + timedelta(days=days)).astimezone(shanghai()).date()
    return f"{day:%Y-%m-%d} 15:00"


@pytest.fixture
def db(tmp_path, monkeypatch):
    """B02: a session in 40 days (王小明 and 李四 confirmed, 张三 declined) and one after it."""
    path = str(tmp_path / "cli.db")
    monkeypatch.setenv("UPGRADECAMP_PIN", "123409")
    monkeypatch.delenv("UPGRADECAMP_AS", raising=False)
    assert runner.invoke(app, ["init", "--admin", "admin1", "--db", path]).exit_code == 0
    services = bootstrap(path)
    for code, role in (("org1", "organizer"), ("mk1", "marketer"), ("bh1", "branch_head")):
        services.execute(
            AddStaff(code=code, name=f"员工{code}", role=role, branch="B02", pin="123409"), ADMIN
        )
    services.execute(
        RegisterClients(
            clients=[
                client_row(1, name="王小明"),
                client_row(2, name="李四"),
                client_row(3, name="张三"),
            ]
        ),
        ADMIN,
    )
    session = services.execute(PlanSessions(branch="B02", start=_start(40)), ADMIN)["sessions"][0][
        "session_id"
    ]
    services.execute(PlanSessions(branch="B02", start=_start(47)), ADMIN)
    built = services.execute(BuildInviteList(session_id=session), ADMIN)
    codes = {}
    for inv, result in zip(
        built["invitations"], ("confirmed", "confirmed", "declined"), strict=True
    ):
        services.execute(
            RecordInvitationOutcome(invitation=inv["invitation_id"], channel="call", result=result),
            ADMIN,
        )
        codes[inv["invitation_id"]] = inv["code"]
    services.engine.dispose()
    return path, session, codes


def run(path, *args, who: str | None = "org1"):
    return runner.invoke(app, [*args, "--db", path, *(("--as", who) if who else ())])


def exports(path) -> list[dict]:
    services = bootstrap(path)
    with read_transaction(services.engine) as conn:
        found = [
            ev.payload for ev in services.log.tail(conn, 200) if ev.type == "PersonalDataExported"
        ]
    services.engine.dispose()
    return found


def test_sessions_brief_writes_the_html_and_records_the_export(db, tmp_path):
    path, session, codes = db
    out = tmp_path / "brief.html"
    result = run(path, "sessions", "brief", session, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"briefing of {session} written to {out} (2 confirmed attendee(s))\n"
    text = out.read_text(encoding="utf-8")
    assert "王小明" in text and "138****0001" in text and "张三" not in text
    assert all(code in text for code in list(codes.values())[:2])
    [recorded] = exports(path)
    assert (recorded["what"], recorded["rows"], recorded["file"]) == ("sessions.brief", 2, str(out))
    data = json.loads(run(path, "sessions", "brief", session, "--out", str(out), "--json").stdout)
    assert data == {"session_id": session, "file": str(out), "attendees": 2}


@pytest.mark.parametrize(
    ("args", "who", "code", "says"),
    [
        (["sessions", "brief", "NOPE", "--out", "x.html"], "org1", 2, "no session 'NOPE'"),
        (["sessions", "brief", "{s}", "--out", "x.html"], None, 2, "pass --as CODE"),
        (["sessions", "brief", "{s}", "--out", "x.html"], "mk1", 1, "may not print"),
        (["sessions", "brief", "{s}", "--out", "/nonexistent/x.html"], "org1", 2, "does not exist"),
        (
            ["invites", "cards", "{s}", "--out", "c.html", "--png", "/nonexistent"],
            "org1",
            2,
            "no such folder",
        ),
        (["invites", "cards", "{s}", "--out", "c.html"], "bh1", 1, "may not"),
        (["wall", "{s}"], None, 2, "pass --as CODE"),
        (["wall", "{s}"], "mk1", 1, "may not open the wall"),
        (["wall", "NOPE"], "bh1", 2, "no session has the id 'NOPE'"),
    ],
)
def test_refusals_say_what_to_do_with_their_exit_code(
    db, tmp_path, monkeypatch, args, who, code, says
):
    path, session, _ = db
    monkeypatch.chdir(tmp_path)
    result = run(path, *(a.format(s=session) for a in args), who=who)
    assert result.exit_code == code, result.output
    assert says in result.stderr and "Traceback" not in result.output
    assert exports(path) == []


def test_invites_cards_writes_cards_and_pngs_that_decode_to_the_codes(db, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    image = pytest.importorskip("PIL.Image")
    path, session, codes = db
    out, folder = tmp_path / "cards.html", tmp_path / "png"
    folder.mkdir()
    result = run(
        path, "invites", "cards", session, "--out", str(out), "--png", str(folder), "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["cards"], len(data["pngs"])) == (2, 2)
    for png in data["pngs"]:
        invitation = png.rsplit("/", 1)[1].removesuffix(".png")
        [found] = zxingcpp.read_barcodes(image.open(png))
        assert found.text == codes[invitation]
    assert "尊敬的王先生/女士" in out.read_text(encoding="utf-8")
    [recorded] = exports(path)
    assert (recorded["what"], recorded["format"], recorded["rows"]) == (
        "invitations.cards",
        "html+png",
        2,
    )


def test_cancel_with_sms_out_writes_the_file_and_lists_the_calls(db, tmp_path):
    path, session, _ = db
    out = tmp_path / "cancel.csv"
    result = run(path, "sessions", "cancel", session, "--reason", "台风预警", "--sms-out", str(out))
    assert result.exit_code == 0, result.output
    assert f"cancelled {session}: 台风预警" in result.stdout
    assert "2 call(s) to confirmed invitees on the follow-up list" in result.stdout
    assert f"2 cancellation SMS written to {out}" in result.stdout
    rows = out.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == ["13800000001", "13800000002"]
    assert all(r.endswith("拒收请回复R") and "下一场将于" in r for r in rows)
    [recorded] = exports(path)
    assert recorded["what"] == "invitations.cancel_sms" and recorded["rows"] == 2


def test_cancel_json_and_a_missing_folder_cancels_nothing(db, tmp_path):
    path, session, _ = db
    bad = run(
        path, "sessions", "cancel", session, "--reason", "x", "--sms-out", "/nonexistent/c.csv"
    )
    assert bad.exit_code == 2 and "nothing was cancelled" in bad.stderr
    result = run(path, "sessions", "cancel", session, "--reason", "台风预警", "--json")
    data = json.loads(result.stdout)
    assert data["status"] == "cancelled" and "sms" not in data
    assert [c["followup_id"] for c in data["calls"]] == [
        f"{session}-CX-C000001",
        f"{session}-CX-C000002",
    ]
    assert len({c["next_session_id"] for c in data["calls"]}) == 1


def test_wall_signs_in_and_opens_the_tui_on_the_session(db, monkeypatch):
    path, session, _ = db
    opened = []
    monkeypatch.setattr(
        "upgradecamp.tui.wall_app.run_wall",
        lambda services, actor, sid, lang: opened.append((actor.code, sid, lang)),
    )
    result = run(path, "wall", session, "--lang", "zh_CN", who="bh1")
    assert result.exit_code == 0, result.output
    assert opened == [("bh1", session, "zh_CN")]
