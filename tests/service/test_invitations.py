"""Invite lists and waves through the handlers: exclusions, mix, top-up, dry run, concurrency,
outcomes (wrong number, opt-out, confirmed counter, cancellation), and the export record."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import ADMIN
from tests.helpers import client_row
from upgradecamp.domain.commands import AddStaff, RegisterClients
from upgradecamp.domain.commands.checkins import AnnulCheckIn, CheckIn
from upgradecamp.domain.commands.invitations import (
    BuildInviteList,
    RecordExport,
    RecordInvitationOutcome,
)
from upgradecamp.domain.commands.sessions import CancelSession, OpenSession, PlanSessions
from upgradecamp.domain.errors import (
    BadInput,
    ConcurrencyConflict,
    NotFound,
    PermissionDenied,
    RuleRefused,
)
from upgradecamp.domain.invitations import CODE_ALPHABET
from upgradecamp.domain.staff import Actor
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.db import read_transaction, write_transaction
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.tables import ClientRow
from upgradecamp.store.tables.invitations import ExportRow, InvitationRow
from upgradecamp.store.tables.sessions import SessionRow

ORG = Actor(code="org1", role="organizer", branch="B01", name="组织者")
MK = Actor(code="mk1", role="marketer", branch="B02", name="客户经理")
CK = Actor(code="ck1", role="checkin", branch="B02", name="签到员")
STAR = "C000900"  # the richest client in range: first to be chosen unless left out


@pytest.fixture
def svc(services):
    for code, role, branch in (
        ("org1", "organizer", "B01"),
        ("mk1", "marketer", "B02"),
        ("ck1", "checkin", "B02"),
        ("mk2", "marketer", "B02"),
    ):
        services.execute(
            AddStaff(code=code, name=f"员工{code}", role=role, branch=branch, pin="246809"), ADMIN
        )
    return services


def register(svc, *rows):
    svc.execute(RegisterClients(clients=list(rows)), ADMIN)


def plan(svc, start="2027-01-05 15:00", capacity=10, branch="B02") -> str:
    result = svc.execute(PlanSessions(branch=branch, start=start, capacity=capacity), ORG)
    return result["sessions"][0]["session_id"]


def build(svc, session_id, actor=ORG, **kw):
    return svc.execute(BuildInviteList(session_id=session_id, **kw), actor)


def rows(svc, model, *where):
    with read_transaction(svc.engine) as conn:
        return [dict(r) for r in conn.execute(select(model).where(*where)).mappings()]


def one(svc, model, *where):
    found = rows(svc, model, *where)
    assert len(found) == 1
    return found[0]


def head(svc) -> int:
    with read_transaction(svc.engine) as conn:
        return EventLog.head(conn)[0]


def filler(first: int, count: int, aum: int = 100_000, **kw):
    return [client_row(n, aum=f"{aum + n}.00", **kw) for n in range(first, first + count)]


# --- building -----------------------------------------------------------------------------


def test_build_issues_invitations_with_codes(svc):
    register(svc, *filler(1, 20), client_row(900, aum="199999.99", branch="B03"))
    sid = plan(svc)
    result = build(svc, sid)
    assert result["target"] == 15 and result["issued"] == 15
    assert result["candidates"] == 21 and result["excluded"] == {}
    assert result["warnings"] == []
    invs = result["invitations"]
    assert [i["invitation_id"] for i in invs] == [f"{sid}-{n:03d}" for n in range(1, 16)]
    # own branch first (B02), then AUM descending: the richer B03 client is not needed
    assert invs[0]["client_id"] == "C000020" and STAR not in {i["client_id"] for i in invs}
    codes = [i["code"] for i in invs]
    assert len(set(codes)) == 15 and all(set(c) <= set(CODE_ALPHABET) for c in codes)
    table = rows(svc, InvitationRow, InvitationRow.session_id == sid)
    assert {r["code"] for r in table} == set(codes)
    assert {r["state"] for r in table} == {"invited"}
    assert one(svc, SessionRow, SessionRow.session_id == sid)["invited"] == 15


def test_aum_range_includes_the_minimum_and_leaves_out_the_maximum(svc):
    register(
        svc,
        client_row(1, aum="49999.99"),
        client_row(2, aum="50000.00"),
        client_row(3, aum="199999.99"),
        client_row(4, aum="200000.00"),
    )
    result = build(svc, plan(svc), dry_run=True)
    assert sorted(i["client_id"] for i in result["invitations"]) == ["C000002", "C000003"]
    custom = build(svc, plan(svc, "2027-01-06 15:00"), aum_min="49999.99", aum_max="200000.01")
    assert custom["issued"] == 4


def _make_star_excluded(svc, reason: str, sid: str) -> None:
    """Put the star client in the one situation that leaves them out for `reason`."""
    if reason == "no_consent":
        register(svc, client_row(900, aum="190000.00", marketing_consent=False))
    elif reason == "unreachable":
        register(svc, client_row(900, aum="190000.00", contact_status="unreachable"))
    else:
        register(svc, client_row(900, aum="190000.00"))
    if reason == "invited_elsewhere":
        other = plan(svc, "2027-01-07 15:00", capacity=1)
        assert build(svc, other, per_seat="1")["invitations"][0]["client_id"] == STAR
    elif reason == "attended_recently":
        svc.clock.now = svc.clock.now.replace(month=11, day=25, hour=6)
        svc.execute(OpenSession(session_id=_near), ORG)
        svc.execute(CheckIn(session_id=_near, client_id=STAR), CK)
    elif reason == "already_invited":
        assert STAR in {i["client_id"] for i in build(svc, sid, per_seat="0.1")["invitations"]}


_near = "B02-20261125-1500"


@pytest.mark.parametrize(
    "reason",
    [
        None,
        "no_consent",
        "unreachable",
        "invited_elsewhere",
        "attended_recently",
        "already_invited",
    ],
)
def test_each_exclusion_keeps_out_a_client_who_would_be_chosen(svc, reason):
    register(svc, *filler(1, 5))
    assert plan(svc, "2026-11-25 15:00") == _near
    sid = plan(svc, capacity=2)
    _make_star_excluded(svc, reason or "none", sid)
    earlier = 1 if reason == "already_invited" else 0
    result = build(svc, sid, per_seat="1.5")
    chosen = {i["client_id"] for i in result["invitations"]}
    if reason is None:
        assert STAR in chosen and result["excluded"] == {}
        return
    assert STAR not in chosen
    assert result["issued"] == 3 - earlier
    assert result["excluded"] == {reason: 1}


def test_a_declined_invitation_elsewhere_does_not_keep_the_client_out(svc):
    register(svc, client_row(900, aum="190000.00"), *filler(1, 3))
    other = plan(svc, "2027-01-07 15:00", capacity=1)
    inv = build(svc, other, per_seat="1")["invitations"][0]
    svc.execute(
        RecordInvitationOutcome(invitation=inv["invitation_id"], channel="call", result="declined"),
        MK,
    )
    result = build(svc, plan(svc), dry_run=True)
    assert STAR in {i["client_id"] for i in result["invitations"]}
    assert result["excluded"] == {}


def test_an_annulled_or_old_attendance_does_not_keep_the_client_out(svc):
    register(svc, client_row(900, aum="190000.00"), *filler(1, 3))
    near = plan(svc, "2026-11-25 15:00")
    sid = plan(svc)
    svc.clock.now = svc.clock.now.replace(day=25, hour=6)
    svc.execute(OpenSession(session_id=near), ORG)
    checkin = svc.execute(CheckIn(session_id=near, client_id=STAR), CK)
    assert build(svc, sid, dry_run=True)["excluded"] == {"attended_recently": 1}
    svc.clock.advance(days=30, hours=1)  # 31 days later: no longer recent
    assert build(svc, sid, dry_run=True)["excluded"] == {}
    svc.clock.advance(days=-30, hours=-1)
    svc.execute(AnnulCheckIn(checkin_id=checkin["checkin_id"], reason="wrong client"), CK)
    assert build(svc, sid, dry_run=True)["excluded"] == {}


def test_mix_splits_the_list_by_segment(svc):
    register(svc, *filler(1, 20), *filler(100, 10, aum=300_000), client_row(200, aum="9000000.00"))
    sid = plan(svc)
    no_mix = build(svc, sid, aum_max="8000000", dry_run=True)
    assert no_mix["by_segment"] == {"mid_high": 10, "potential": 5}  # AUM alone: richest
    # with a mix each segment is drawn from its own clients: the default range gives way
    mixed = build(svc, sid, mix={"potential": 2, "mid_high": 1})
    assert mixed["by_segment"] == {"potential": 10, "mid_high": 5}
    assert mixed["criteria"]["aum_min"] == "50000.00"
    assert mixed["criteria"]["aum_max"] == "8000000.00"
    assert mixed["notes"] == []
    segments = {
        r["client_id"]: r["segment"]
        for r in rows(svc, InvitationRow, InvitationRow.session_id == sid)
    }
    assert sorted(segments.values()).count("mid_high") == 5


def test_a_short_segment_is_filled_with_a_note(svc):
    register(svc, *filler(1, 20), *filler(100, 2, aum=300_000))
    result = build(svc, plan(svc), mix={"potential": 2, "mid_high": 1})
    assert result["by_segment"] == {"potential": 13, "mid_high": 2}
    assert result["notes"] == [
        "mid_high: 2 eligible of 5 wanted",
        "3 place(s) filled from potential",
    ]


def test_a_second_build_tops_up_and_a_full_list_is_refused(svc):
    register(svc, *filler(1, 30))
    sid = plan(svc)
    first = build(svc, sid, per_seat="1")
    assert first["issued"] == 10
    second = build(svc, sid, per_seat="1.5")
    assert second["target"] == 5 and second["already_invited"] == 10
    assert [i["invitation_id"] for i in second["invitations"]] == [
        f"{sid}-{n:03d}" for n in range(11, 16)
    ]
    assert second["excluded"] == {"already_invited": 10}
    assert not {i["client_id"] for i in first["invitations"]} & {
        i["client_id"] for i in second["invitations"]
    }
    with pytest.raises(RuleRefused) as err:
        build(svc, sid, per_seat="1.5")
    assert err.value.code == "invite_list_full"
    preview = build(svc, sid, per_seat="1.5", dry_run=True)  # a preview says so instead
    assert (preview["target"], preview["issued"]) == (0, 0)
    assert preview["notes"][0].endswith("the list is full")
    assert one(svc, SessionRow, SessionRow.session_id == sid)["invited"] == 15


def test_dry_run_records_nothing_and_shows_who_is_left_out(svc):
    register(svc, *filler(1, 5), client_row(900, aum="190000.00", marketing_consent=False))
    sid = plan(svc)
    before = head(svc)
    result = build(svc, sid, dry_run=True)
    assert head(svc) == before
    assert rows(svc, InvitationRow) == []
    assert result["dry_run"] and result["issued"] == 5
    assert {i["code"] for i in result["invitations"]} == {None}
    assert result["excluded_clients"] == [
        {
            "reason": "no_consent",
            "client_id": STAR,
            "name": "李四",
            "mobile": "138****0900",
            "branch": "B02",
            "aum": "190000.00",
        }
    ]


def test_nobody_qualifies_is_refused_but_a_dry_run_explains(svc):
    register(svc, client_row(1, marketing_consent=False), client_row(2, aum="10.00"))
    sid = plan(svc)
    with pytest.raises(RuleRefused) as err:
        build(svc, sid)
    assert err.value.code == "invite_nobody_qualifies" and "no_consent 1" in str(err.value)
    dry = build(svc, sid, dry_run=True)
    assert dry["issued"] == 0 and dry["excluded"] == {"no_consent": 1}


def test_short_notice_warns(svc):
    register(svc, *filler(1, 3))
    result = build(svc, plan(svc, "2026-12-10 15:00"), dry_run=True)
    assert result["warnings"] == ["session in 20 days: invitations go out at least 30 days ahead"]


def test_build_refusals(svc):
    register(svc, *filler(1, 3))
    sid = plan(svc)
    with pytest.raises(NotFound):
        build(svc, "B02-20990101-1500")
    with pytest.raises(PermissionDenied):
        build(svc, sid, actor=MK)
    for bad in ({"aum_min": "abc"}, {"aum_min": "300000"}, {"per_seat": "0"}, {"mix": {"vip": 1}}):
        with pytest.raises(BadInput):
            build(svc, sid, **bad)
    svc.execute(CancelSession(session_id=sid, reason="停电"), ORG)
    with pytest.raises(RuleRefused) as err:
        build(svc, sid)
    assert err.value.code == "invite_session_not_upcoming"


def test_concurrent_builds_cannot_invite_the_same_client_twice(svc):
    register(svc, *filler(1, 4))
    first, second = plan(svc, capacity=2), plan(svc, "2027-01-07 15:00", capacity=2)
    meta = {"actor": ORG.code, "terminal": "t2", "command": "BuildInviteList"}
    # Terminal 2 decides from what it read before terminal 1 committed …
    with read_transaction(svc.engine) as conn:
        stale = UnitOfWork(conn, svc.log, ORG, meta, svc.clock, rng=svc.rng)
        from upgradecamp.service.invitations import build_invite_list

        late = build_invite_list(stale, BuildInviteList(session_id=second, per_seat="1"))
    # … terminal 1 builds and commits …
    early = build(svc, first, per_seat="1")
    assert {i["client_id"] for i in early["invitations"]} == {
        i["client_id"] for i in late["invitations"]
    }
    # … so terminal 2's append finds the register moved and nothing of it is kept.
    with pytest.raises(ConcurrencyConflict), write_transaction(svc.engine) as conn:
        stale.conn, stale.rows = conn, stale.rows.__class__(conn)
        stale.commit()
    # Retried (as the bus does), it sees terminal 1's invitations and picks others.
    again = build(svc, second, per_seat="1")
    assert again["excluded"] == {"invited_elsewhere": 2}
    invited = [r["client_id"] for r in rows(svc, InvitationRow)]
    assert len(invited) == len(set(invited)) == 4


# --- outcomes -----------------------------------------------------------------------------


@pytest.fixture
def built(svc):
    register(svc, *filler(1, 6))
    sid = plan(svc, capacity=2)
    result = build(svc, sid, per_seat="1.5")
    return sid, result["invitations"]


def outcome(svc, invitation, channel, result, actor=MK, note=""):
    return svc.execute(
        RecordInvitationOutcome(invitation=invitation, channel=channel, result=result, note=note),
        actor,
    )


def test_wrong_number_marks_unreachable_and_the_next_build_leaves_them_out(svc, built):
    sid, invs = built
    victim = invs[0]
    done = outcome(svc, victim["invitation_id"], "call", "wrong_number", note="空号")
    assert done["state"] == "wrong_number" and done["client_marked_unreachable"]
    assert (
        one(svc, ClientRow, ClientRow.client_id == victim["client_id"])["contact_status"]
        == "unreachable"
    )
    row = one(svc, InvitationRow, InvitationRow.invitation_id == victim["invitation_id"])
    assert (row["calls"], row["last_result"], row["last_note"]) == (1, "wrong_number", "空号")
    # the declined/opted-out release does not apply: on another list they are unreachable
    other = plan(svc, "2027-01-07 15:00")
    dry = build(svc, other, dry_run=True)
    assert {c["client_id"] for c in dry["excluded_clients"] if c["reason"] == "unreachable"} == {
        victim["client_id"]
    }
    again = outcome(svc, victim["invitation_id"], "call", "wrong_number")
    assert not again["client_marked_unreachable"]  # already marked: no second event


def test_opting_out_withdraws_consent(svc, built):
    _sid, invs = built
    code = invs[1]["code"].lower()  # found by its check-in code, as typed
    done = outcome(svc, code, "sms", "opted_out")
    assert done["invitation_id"] == invs[1]["invitation_id"] and done["consent_withdrawn"]
    client = one(svc, ClientRow, ClientRow.client_id == invs[1]["client_id"])
    assert client["marketing_consent"] is False and client["consent_withdrawn"] is True
    assert done["state"] == "opted_out"


def test_confirmed_counter_follows_the_invitations(svc, built):
    sid, invs = built
    confirmed = lambda: one(svc, SessionRow, SessionRow.session_id == sid)["confirmed"]  # noqa: E731
    outcome(svc, invs[0]["invitation_id"], "sms", "sent")
    outcome(svc, invs[0]["invitation_id"], "call", "confirmed")
    outcome(svc, invs[1]["invitation_id"], "call", "confirmed")
    assert confirmed() == 2
    outcome(svc, invs[0]["invitation_id"], "wechat", "added")
    assert confirmed() == 2
    row = one(svc, InvitationRow, InvitationRow.invitation_id == invs[0]["invitation_id"])
    assert (row["state"], row["sms_sent"], row["wechat_added"]) == ("confirmed", True, True)
    outcome(svc, invs[1]["invitation_id"], "call", "declined")
    assert confirmed() == 1


def test_outcome_refusals(svc, built):
    sid, invs = built
    with pytest.raises(BadInput) as err:
        outcome(svc, invs[0]["invitation_id"], "call", "maybe")
    assert "confirmed, declined, no_answer" in str(err.value)
    with pytest.raises(NotFound):
        outcome(svc, "NOPE99", "call", "confirmed")
    with pytest.raises(PermissionDenied):
        outcome(svc, invs[0]["invitation_id"], "call", "confirmed", actor=CK)
    with pytest.raises(RuleRefused):
        outcome(svc, invs[0]["invitation_id"], "call", "informed", actor=ORG)


def test_cancelled_session_invitees_are_told(svc, built):
    sid, invs = built
    outcome(svc, invs[0]["invitation_id"], "call", "declined")
    svc.execute(CancelSession(session_id=sid, reason="网点装修"), ORG)
    to_tell = {r["invitation_id"] for r in rows(svc, InvitationRow, InvitationRow.to_tell)}
    assert to_tell == {i["invitation_id"] for i in invs[1:]}
    with pytest.raises(RuleRefused):
        outcome(svc, invs[1]["invitation_id"], "call", "confirmed")
    with pytest.raises(NotFound):  # codes of cancelled sessions are no longer live
        outcome(svc, invs[1]["code"], "call", "informed")
    done = outcome(svc, invs[1]["invitation_id"], "call", "informed")
    assert done["state"] == "invited"
    assert not one(svc, InvitationRow, InvitationRow.invitation_id == invs[1]["invitation_id"])[
        "to_tell"
    ]


# --- exports ------------------------------------------------------------------------------


def test_record_export_is_an_event_and_a_row(svc):
    before = head(svc)
    svc.execute(
        RecordExport(
            what="invitations.sms",
            format="csv",
            rows=12,
            unmasked=True,
            filters=(("session", "S1"), ("kind", "sms")),
            file="out.csv",
        ),
        ORG,
    )
    row = one(svc, ExportRow, ExportRow.position == before + 1)
    assert (row["what"], row["rows"], row["unmasked"], row["by"]) == (
        "invitations.sms",
        12,
        True,
        "org1",
    )
    assert row["filters"] == '{"kind": "sms", "session": "S1"}'
    with pytest.raises(PermissionDenied):
        svc.execute(RecordExport(what="x", format="csv", rows=1), CK)
    with read_transaction(svc.engine) as conn:
        assert conn.execute(select(func.count()).select_from(ExportRow)).scalar_one() == 1


def test_replay_rebuilds_the_invitation_tables_row_for_row(svc, built):
    from tests.helpers import dump_read_tables
    from upgradecamp.projections.rebuild import rebuild

    sid, invs = built
    outcome(svc, invs[0]["invitation_id"], "call", "confirmed", note="会来")
    outcome(svc, invs[1]["invitation_id"], "call", "wrong_number")
    outcome(svc, invs[2]["code"], "sms", "opted_out")
    svc.execute(
        RecordExport(what="invitations.calls", format="csv", rows=3, filters=(("session", sid),)),
        ORG,
    )
    svc.execute(CancelSession(session_id=sid, reason="网点装修"), ORG)
    outcome(svc, invs[0]["invitation_id"], "call", "informed")
    live = dump_read_tables(svc.engine)
    assert len(live["invitations"]) == 3 and len(live["exports"]) == 1
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live


def test_queries_for_the_call_list_screen(svc, built):
    from upgradecamp.queries.invitations import (
        call_list,
        find_invitation,
        invitation_counts,
        session_status,
    )

    sid, invs = built
    outcome(svc, invs[0]["invitation_id"], "call", "confirmed", note="带家人来")
    outcome(svc, invs[0]["invitation_id"], "wechat", "added")
    outcome(svc, invs[1]["invitation_id"], "sms", "sent")
    listed = call_list(svc.engine, sid)
    assert [r["invitation_id"] for r in listed] == [i["invitation_id"] for i in invs]
    first = listed[0]
    assert first["mobile_masked"].startswith("138****") and "mobile" not in first
    assert (
        first["state"],
        first["calls"],
        first["last_result"],
        first["last_note"],
        first["wechat_added"],
        first["to_tell"],
    ) == ("confirmed", 1, "added", "带家人来", True, False)
    assert first["aum"] == f"{invs[0]['aum']}"
    counts = invitation_counts(svc.engine, sid)
    assert (
        counts["total"],
        counts["confirmed"],
        counts["sent"],
        counts["invited"],
        counts["declined"],
        counts["wechat_added"],
        counts["to_tell"],
    ) == (3, 1, 1, 1, 0, 1, 0)
    assert (
        find_invitation(svc.engine, invs[2]["invitation_id"])["client_id"] == invs[2]["client_id"]
    )
    assert (
        find_invitation(svc.engine, invs[2]["code"].lower())["invitation_id"]
        == invs[2]["invitation_id"]
    )
    assert find_invitation(svc.engine, "ZZZZZZ") is None
    assert call_list(svc.engine, "nope") == [] and session_status(svc.engine, "nope") is None
    assert session_status(svc.engine, sid) == "planned"


# --- the waiting list ---------------------------------------------------------------------


def test_confirmations_beyond_capacity_wait_in_order_for_a_freed_seat(svc, built):
    from upgradecamp.queries.invitations import call_list, invitation_counts
    from upgradecamp.queries.waitlist import waiting_list

    sid, invs = built  # 2 seats, 3 invitations
    first, second, third = (i["invitation_id"] for i in invs)
    assert not outcome(svc, first, "call", "confirmed")["waitlisted"]
    assert not outcome(svc, second, "call", "confirmed")["waitlisted"]
    waits = outcome(svc, third, "call", "confirmed")
    assert (waits["state"], waits["waitlisted"]) == ("waitlisted", True)
    assert one(svc, SessionRow, SessionRow.session_id == sid)["confirmed"] == 2
    assert invitation_counts(svc.engine, sid)["waitlisted"] == 1
    [place] = waiting_list(svc.engine, sid)
    assert (place.place, place.invitation_id, place.offer_seat) == (1, third, False)
    # A confirmed client declines: the first waiting appears in the call list to be offered it.
    outcome(svc, second, "call", "declined")
    rows = {r["invitation_id"]: r for r in call_list(svc.engine, sid)}
    assert (rows[third]["waitlist_place"], rows[third]["offer_seat"]) == (1, True)
    assert rows[first]["waitlist_place"] is None and not rows[first]["offer_seat"]
    # Called back, they take the seat; a repeat confirmation never loses one.
    seated = outcome(svc, third, "call", "confirmed")
    assert (seated["state"], seated["waitlisted"]) == ("confirmed", False)
    assert outcome(svc, first, "call", "confirmed")["state"] == "confirmed"
    assert waiting_list(svc.engine, sid) == []
    # Someone confirming now waits: the room is taken again.
    assert outcome(svc, second, "call", "confirmed")["state"] == "waitlisted"


def test_the_board_counts_the_waiting_list_and_names_no_one(svc, built):
    """`checkin board` needs no sign-in: its --json gives how many wait, never who."""
    import json

    from typer.testing import CliRunner

    from upgradecamp.cli import build_app

    sid, invs = built  # 2 seats, 3 invitations
    for inv in invs:
        outcome(svc, inv["invitation_id"], "call", "confirmed")
    if svc.engine.dialect.name != "sqlite":
        pytest.skip("the CLI opens the SQLite file by path")
    path = svc.engine.url.database
    only = build_app("checkin")
    result = CliRunner().invoke(only, ["checkin", "board", sid, "--db", path, "--json"])
    assert result.exit_code == 0, result.output
    board = json.loads(result.stdout)
    assert board["waiting"] == 1 and "waiting_list" not in board
    names = {r["name"] for r in svc_call_list(svc, sid)}
    assert names and not any(name in result.stdout for name in names)
    text = CliRunner().invoke(only, ["checkin", "board", sid, "--db", path])
    assert "waiting 1" in text.stdout


def svc_call_list(svc, sid):
    from upgradecamp.queries.invitations import call_list

    return call_list(svc.engine, sid)


def test_the_waiting_list_is_rebuilt_by_replay(svc, built):
    from tests.helpers import dump_read_tables
    from upgradecamp.projections.rebuild import rebuild

    _sid, invs = built
    for inv in invs:
        outcome(svc, inv["invitation_id"], "call", "confirmed")
    states = sorted((r["invitation_id"], r["state"]) for r in rows(svc, InvitationRow))
    assert [state for _id, state in states] == ["confirmed", "confirmed", "waitlisted"]
    live = dump_read_tables(svc.engine)
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live
