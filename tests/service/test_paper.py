"""The session's paper and the cancellation's notices, through the handlers and io/.

A B02 session on 2026-12-01 15:00 with a second one on 12-03; its invite list went out weeks
ahead and the calls gave: C1 王小明 and C2 (a name with markup and a formula start) confirmed,
C3 declined, C4 wrong number, C5 an SMS sent and no answer yet.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN
from tests.helpers import client_row, dump_read_tables
from upgradecamp.domain.cancellation import CreateCancellationCalls
from upgradecamp.domain.commands import (
    AddStaff,
    BuildInviteList,
    CancelSession,
    PlanSessions,
    RecordInvitationOutcome,
    RegisterClients,
)
from upgradecamp.domain.commands.exports import ExportCancellationSms, PrintBrief, PrintCards
from upgradecamp.domain.errors import PermissionDenied, RuleRefused
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables.followups import FollowUpRow

PIN = "246809"
ORG = Actor(code="org2", role="organizer", branch="B02", name="赵六")
MK = Actor(code="mk2", role="marketer", branch="B02", name="王五")
HEAD = Actor(code="bh2", role="branch_head", branch="B02", name="周行长")
SESSION = "B02-20261201-1500"
NEXT = "B02-20261203-1500"
ODD_NAME = "=<b>李&四</b>"
NAMES = {1: "王小明", 2: ODD_NAME, 3: "张三", 4: "赵六", 5: "钱七"}
CALLS = {1: "confirmed", 2: "confirmed", 3: "declined", 4: "wrong_number"}


def export_cancellation_sms(svc, actor, session_id, out) -> dict:
    return svc.execute(ExportCancellationSms(session_id=session_id, out=str(out)), actor)


def export_brief(svc, actor, session_id, out) -> dict:
    return svc.execute(PrintBrief(session_id=session_id, out=str(out)), actor)


def export_cards(svc, actor, session_id, out, png_dir=None) -> dict:
    return svc.execute(
        PrintCards(
            session_id=session_id, out=str(out), png_dir=None if png_dir is None else str(png_dir)
        ),
        actor,
    )


def cid(n: int) -> str:
    return f"C{n:06d}"


@pytest.fixture
def svc(services):
    for actor in (ORG, MK, HEAD):
        services.execute(
            AddStaff(
                code=actor.code, name=actor.name, role=actor.role, branch=actor.branch, pin=PIN
            ),
            ADMIN,
        )
    services.execute(
        RegisterClients(
            clients=[
                client_row(n, name=name, rm="mk2" if n == 1 else None) for n, name in NAMES.items()
            ]
        ),
        ADMIN,
    )
    for start in ("2026-12-01 15:00", "2026-12-03 15:00"):
        services.execute(
            PlanSessions(branch="B02", start=start, host=ORG.code, presenter=MK.code), ORG
        )
    built = services.execute(BuildInviteList(session_id=SESSION), ORG)
    services.invitation = {i["client_id"]: i for i in built["invitations"]}
    for n, result in CALLS.items():
        services.execute(
            RecordInvitationOutcome(
                invitation=services.invitation[cid(n)]["invitation_id"],
                channel="call",
                result=result,
            ),
            ORG,
        )
    services.execute(
        RecordInvitationOutcome(
            invitation=services.invitation[cid(5)]["invitation_id"], channel="sms", result="sent"
        ),
        ORG,
    )
    return services


def events(svc, kind: str) -> list:
    with read_transaction(svc.engine) as conn:
        return [ev for ev in svc.log.tail(conn, 500) if ev.type == kind]


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


# -- cancelling tells people ----------------------------------------------------------------
def test_cancelling_creates_a_call_per_confirmed_invitee_offering_the_next_session(svc):
    svc.execute(CancelSession(session_id=SESSION, reason="台风预警"), ORG)
    created = events(svc, "FollowUpCreated")
    assert [
        (
            e.payload["followup_id"],
            e.payload["kind"],
            e.payload["assignee"],
            e.payload["due"],
            e.payload["next_session_id"],
            e.meta["actor"],
        )
        for e in created
    ] == [
        (f"{SESSION}-CX-{cid(1)}", "cancel_call", "mk2", "2026-11-21", NEXT, "system"),
        (f"{SESSION}-CX-{cid(2)}", "cancel_call", "org2", "2026-11-21", NEXT, "system"),
    ]
    again = svc.execute(CreateCancellationCalls(session_id=SESSION), ORG)
    assert (again["created"], again["already_there"]) == (0, 2)
    with read_transaction(svc.engine) as conn:
        rows = conn.execute(
            select(FollowUpRow.kind, FollowUpRow.branch, FollowUpRow.status).where(
                FollowUpRow.session_id == SESSION
            )
        ).all()
    assert [tuple(r) for r in rows] == [("cancel_call", "B02", "open")] * 2
    live = dump_read_tables(svc.engine)
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live


def test_the_calls_need_a_cancelled_session_and_an_organizer(svc):
    with pytest.raises(RuleRefused) as refused:
        svc.execute(CreateCancellationCalls(session_id=SESSION), ORG)
    assert refused.value.code == "cancel_calls_not_cancelled"
    with pytest.raises(PermissionDenied):
        svc.execute(CreateCancellationCalls(session_id=SESSION), MK)


def test_the_next_session_is_none_when_the_branch_has_no_other_planned(svc):
    svc.execute(CancelSession(session_id=NEXT, reason="场地维修"), ORG)
    svc.execute(CancelSession(session_id=SESSION, reason="台风预警"), ORG)
    calls = [e for e in events(svc, "FollowUpCreated") if e.payload["session_id"] == SESSION]
    assert {e.payload["next_session_id"] for e in calls} == {None}


def test_the_cancellation_sms_file_tells_everyone_to_tell_and_is_recorded(svc, tmp_path):
    out = tmp_path / "cancel.csv"
    with pytest.raises(RuleRefused) as refused:
        export_cancellation_sms(svc, ORG, SESSION, out)
    assert refused.value.code == "cancel_sms_not_cancelled" and not out.exists()
    svc.execute(CancelSession(session_id=SESSION, reason="台风预警"), ORG)
    with pytest.raises(PermissionDenied):
        export_cancellation_sms(svc, MK, SESSION, out)
    result = export_cancellation_sms(svc, ORG, SESSION, out)
    assert (result["rows"], result["left_out"]) == (3, {"unreachable": 1})
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "mobile,text"
    assert [line.split(",")[0] for line in lines[1:]] == [
        "13800000001",
        "13800000002",
        "13800000005",
    ]
    first = lines[1].split(",", 1)[1]
    assert first.startswith(
        "尊敬的王先生/女士，原定12月1日（周二） 15:00在城东支行幸福路网点贵宾室"
    )
    assert "下一场将于12月3日（周四） 15:00举行" in first and first.endswith("拒收请回复R")
    assert "小明" not in out.read_text(encoding="utf-8-sig")
    assert private(out)
    [exported] = events(svc, "PersonalDataExported")
    assert exported.payload["what"] == "invitations.cancel_sms"
    assert (exported.payload["rows"], exported.meta["actor"]) == (3, "org2")


# -- the briefing ---------------------------------------------------------------------------
def test_the_briefing_prints_the_session_and_its_confirmed_attendees(svc, tmp_path):
    out = tmp_path / "brief.html"
    result = export_brief(svc, ORG, SESSION, out)
    assert result == {"session_id": SESSION, "file": str(out), "attendees": 2}
    text = out.read_text(encoding="utf-8")
    for wanted in (
        "财富升级会 · 活动简报",
        "城东支行幸福路网点",
        "2026年12月1日（周二）15:00–15:40",
        "赵六（org2）",
        "王五（mk2）",
        "客户签到",
        "开场与破冰",
        "升级方案介绍",
        "第 15–30 分钟",
        "15:30–15:40",
        "本行标准权益",
        "贵宾专属窗口",
        "周边商户权益",
        "升级确认单",
        "背景墙",
        "相机",
        "权益宣传单",
        "王小明",
        "138****0001",
        svc.invitation[cid(1)]["code"],
        svc.invitation[cid(2)]["code"],
        "潜力客户",
    ):
        assert wanted in text, wanted
    assert "13800000001" not in text and "张三" not in text  # no full mobile; declined
    assert "&#x27;=&lt;b&gt;李&amp;四&lt;/b&gt;" in text and "<b>李" not in text
    assert private(out)
    [exported] = events(svc, "PersonalDataExported")
    assert (
        exported.payload["what"],
        exported.payload["format"],
        exported.payload["rows"],
        exported.payload["unmasked"],
    ) == ("sessions.brief", "html", 2, False)


def test_a_marketer_may_not_print_the_briefing_and_nothing_is_written(svc, tmp_path):
    out = tmp_path / "brief.html"
    with pytest.raises(PermissionDenied):
        export_brief(svc, MK, SESSION, out)
    assert not out.exists() and events(svc, "PersonalDataExported") == []
    export_brief(svc, HEAD, SESSION, out)  # the branch head prints it too
    assert out.exists()


# -- the invitation cards -------------------------------------------------------------------
def test_cards_one_per_confirmed_invitee_with_qr_pngs_that_decode_to_the_code(svc, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    image = pytest.importorskip("PIL.Image")
    out, folder = tmp_path / "cards.html", tmp_path / "png"
    folder.mkdir()
    result = export_cards(svc, ORG, SESSION, out, folder)
    assert result["cards"] == 2 and len(result["pngs"]) == 2
    text = out.read_text(encoding="utf-8")
    assert text.count('class="card"') == 2 and text.count("<svg") == 2
    assert "尊敬的王先生/女士" in text and "王小明" not in text
    assert "尊敬的贵宾" in text  # the odd name cannot be split: no part of it shows
    for n in (1, 2):
        invitation = svc.invitation[cid(n)]
        png = folder / f"{invitation['invitation_id']}.png"
        assert private(png)
        [found] = zxingcpp.read_barcodes(image.open(png))
        assert (found.format, found.text) == (zxingcpp.BarcodeFormat.QRCode, invitation["code"])
        assert f'<div class="code">{invitation["code"]}</div>' in text
    [exported] = events(svc, "PersonalDataExported")
    assert (
        exported.payload["what"],
        exported.payload["format"],
        exported.payload["rows"],
        exported.payload["filters"],
    ) == ("invitations.cards", "html+png", 2, {"session": SESSION, "png_dir": str(folder)})


def test_card_pngs_appear_private_with_the_recorded_export_and_not_without_it(
    svc, tmp_path, monkeypatch
):
    out, folder = tmp_path / "cards.html", tmp_path / "png"
    folder.mkdir()
    result = export_cards(svc, ORG, SESSION, out, folder)
    pngs = [Path(p) for p in result["pngs"]]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in pngs)
    assert all(p.read_bytes().startswith(b"\x89PNG") and private(p) for p in pngs)
    again, other = tmp_path / "again.html", tmp_path / "png2"
    other.mkdir()

    def refuse(*args, **kwargs):
        raise RuntimeError("the log is read-only")

    monkeypatch.setattr(svc.log, "append", refuse)
    with pytest.raises(RuntimeError):
        export_cards(svc, ORG, SESSION, again, other)
    assert not again.exists() and list(other.iterdir()) == []
    assert not list(tmp_path.glob(".*.part"))


def test_cards_need_a_confirmed_invitee_and_an_upcoming_session(svc, tmp_path):
    with pytest.raises(RuleRefused) as refused:
        export_cards(svc, ORG, NEXT, tmp_path / "c.html")
    assert refused.value.code == "paper_no_confirmed"
    with pytest.raises(PermissionDenied):
        export_cards(svc, HEAD, SESSION, tmp_path / "c.html")
    svc.execute(CancelSession(session_id=SESSION, reason="台风预警"), ORG)
    with pytest.raises(RuleRefused) as refused:
        export_cards(svc, ORG, SESSION, tmp_path / "c.html")
    assert refused.value.code == "paper_cards_not_upcoming"
    assert not (tmp_path / "c.html").exists() and events(svc, "PersonalDataExported") == []
