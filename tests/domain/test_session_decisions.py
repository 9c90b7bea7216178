"""Deciding the sessions commands on plain facts (domain/session_decisions.py): no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from upgradecamp.domain import session_decisions as decide
from upgradecamp.domain.commands.sessions import CancelSession, ChangeSession, PlanSessions
from upgradecamp.domain.errors import BadInput, NotFound, RuleRefused
from upgradecamp.domain.events import streams
from upgradecamp.domain.events.sessions import SessionCancelled, SessionChanged, SessionOpened
from upgradecamp.domain.session_decisions import (
    Booking,
    Calendar,
    PlanFacts,
    SessionRecord,
    StaffMember,
)
from upgradecamp.domain.sessions import Slot, parse_start

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 on Nov 20 in Shanghai
START = parse_start("2026-12-01 15:00")
SID = "B02-20261201-1500"
STAFF = (
    StaffMember("org2", "王组织", "organizer", "B02"),
    StaffMember("mk2", "李营销", "marketer", "B02"),
    StaffMember("ck2", "赵签到", "checkin", "B02"),
)
BY_CODE = {s.code: s for s in (*STAFF, StaffMember("mk3", "外行", "marketer", "B03"))}
RECORD = SessionRecord(
    SID, None, "B02", "贵宾室", START, 40, 10, "财富升级", "org2", "mk2", "planned"
)


def plan_cmd(**kw) -> PlanSessions:
    return PlanSessions(**{"branch": "B02", "start": "2026-12-01 15:00", **kw})


def facts(**kw) -> PlanFacts:
    named = {c: BY_CODE.get(c) for c in (kw.pop("host", None), kw.pop("presenter", None)) if c}
    return PlanFacts(**{"branch_staff": STAFF, "named": named, **kw})


def plan(cmd: PlanSessions | None = None, **kw) -> decide.Planned:
    cmd = cmd or plan_cmd()
    draft = decide.draft_plan(cmd, "财富升级", NOW)
    return decide.decide_plan(draft, facts(host=cmd.host, presenter=cmd.presenter, **kw), cmd, NOW)


def refused(error: type[Exception], fn, *args, **kw):
    with pytest.raises(error) as caught:
        fn(*args, **kw)
    return caught.value


# -- planning ---------------------------------------------------------------------------------
def test_a_plan_chooses_host_and_presenter_and_warns_of_short_notice():
    planned = plan()
    [event] = planned.events
    assert (event.session_id, event.host, event.presenter, event.capacity) == (
        SID,
        "org2",
        "mk2",
        10,
    )
    assert (event.venue, event.theme, event.series_id) == ("贵宾室", "财富升级", None)
    assert event.stream_id() == streams.session(SID)
    [notice] = planned.notices
    assert (notice.session_id, notice.days) == (SID, 11) and "in 11 days" in notice.warning()


def test_a_series_takes_free_ids_for_itself_and_its_sessions():
    cmd = plan_cmd(weekly_on=("tue",), weeks=2)
    planned = plan(
        cmd, taken_series=frozenset({"B02-S20261201-1500"}), taken_sessions={SID: frozenset({SID})}
    )
    assert [e.session_id for e in planned.events] == [f"{SID}-2", "B02-20261208-1500"]
    assert {e.series_id for e in planned.events} == {"B02-S20261201-1500-2"}


@pytest.mark.parametrize(
    ("kw", "error", "code"),
    [
        ({"duration_minutes": 5}, BadInput, "session_bad_duration"),
        ({"capacity": 21}, BadInput, "session_bad_capacity"),
        ({"start": "2026-11-19 15:00"}, RuleRefused, "session_in_past"),
        ({"venue": " "}, BadInput, "session_empty_venue"),
    ],
)
def test_a_plan_is_checked_before_anything_is_read(kw, error, code):
    assert refused(error, decide.draft_plan, plan_cmd(**kw), "财富升级", NOW).code == code


def test_an_unknown_branch_and_an_empty_series_are_refused():
    assert (
        refused(NotFound, decide.draft_plan, plan_cmd(), None, NOW).code == "session_unknown_branch"
    )
    # Weekly on Monday, one week, from a Tuesday: no date is left.
    err = refused(BadInput, decide.draft_plan, plan_cmd(weekly_on=("mon",)), "t", NOW)
    assert err.code == "session_empty_series"


def test_the_venue_is_booked_once_at_a_time():
    booked = (
        Slot(
            "B02-20261201-1430",
            "B02",
            "贵宾室",
            START - timedelta(minutes=30),
            START + timedelta(minutes=10),
        ),
    )
    err = refused(RuleRefused, plan, calendar=Calendar(booked=booked))
    assert err.code == "session_overlap" and "B02-20261201-1430" in err.params["others"]
    other_room = (booked[0]._replace(venue="会议室"),)
    assert plan(calendar=Calendar(booked=other_room)).events


def test_host_and_presenter_must_be_two_staff_of_the_branch():
    assert (
        refused(RuleRefused, plan, plan_cmd(host="mk2", presenter="mk2")).code
        == "session_same_host_presenter"
    )
    assert refused(NotFound, plan, plan_cmd(host="zz9")).code == "session_unknown_staff"
    err = refused(RuleRefused, plan, plan_cmd(presenter="mk3"))
    assert err.code == "session_staff_not_in_branch" and err.params["staff_branch"] == "B03"
    err = refused(RuleRefused, plan, branch_staff=STAFF[:1])
    assert err.code == "session_needs_two_staff" and err.params["count"] == 1
    assert "org2 王组织 (organizer)" in err.message


def test_nobody_is_in_two_rooms_at_once():
    busy = (Booking("B03-20261201-1500", START, START + timedelta(minutes=40), "org2", "ck2"),)
    err = refused(
        RuleRefused, plan, plan_cmd(host="org2", presenter="mk2"), calendar=Calendar(others=busy)
    )
    assert err.code == "session_staff_busy"
    assert err.params == {"staff": "org2", "other": "B03-20261201-1500"}
    err = refused(RuleRefused, plan, calendar=Calendar(others=busy))
    assert err.code == "session_staff_all_busy"
    assert err.params["busy"] == "ck2 (B03-20261201-1500), org2 (B03-20261201-1500)"
    # A session that ended before this one starts keeps nobody busy.
    earlier = (replace(busy[0], starts_at=START - timedelta(hours=1), ends_at=START),)
    assert plan(calendar=Calendar(others=earlier)).events[0].host == "org2"


# -- editing ----------------------------------------------------------------------------------
def draft(cmd: ChangeSession, record: SessionRecord | None = RECORD, checked_in: int = 0):
    return decide.draft_change(record, cmd, NOW, checked_in=checked_in, staff=BY_CODE)


def test_an_edit_records_only_what_changed():
    assert (
        refused(BadInput, draft, ChangeSession(session_id=SID, theme=" ")).code
        == "session_empty_theme"
    )
    d = draft(ChangeSession(session_id=SID, start="2026-12-01 16:00", capacity=10))
    assert d.moves and d.reseats
    event, notices = decide.decide_change(d, Calendar(), NOW)
    assert event == SessionChanged(session_id=SID, starts_at=parse_start("2026-12-01 16:00"))
    assert [n.days for n in notices] == [11]
    same = draft(ChangeSession(session_id=SID, venue=" 贵宾室 ", host="org2"))
    assert decide.decide_change(same, Calendar(), NOW) == (None, [])


def test_an_edit_keeps_to_the_rules_of_planning():
    assert refused(NotFound, draft, ChangeSession(session_id=SID), None).code == "session_not_found"
    assert (
        refused(
            RuleRefused, draft, ChangeSession(session_id=SID), replace(RECORD, status="open")
        ).code
        == "session_open_no_edit"
    )
    err = refused(RuleRefused, draft, ChangeSession(session_id=SID, capacity=3), checked_in=4)
    assert err.code == "session_capacity_below_attendance" and err.params["checked_in"] == 4
    assert (
        refused(RuleRefused, draft, ChangeSession(session_id=SID, host="mk2")).code
        == "session_same_host_presenter"
    )
    assert (
        refused(RuleRefused, draft, ChangeSession(session_id=SID, presenter="mk3")).code
        == "session_staff_not_in_branch"
    )
    moved = draft(ChangeSession(session_id=SID, venue="会议室"))
    booked = (
        Slot(
            "B02-20261201-1520",
            "B02",
            "会议室",
            START + timedelta(minutes=20),
            START + timedelta(hours=1),
        ),
    )
    assert (
        refused(RuleRefused, decide.decide_change, moved, Calendar(booked=booked), NOW).code
        == "session_overlap"
    )
    reseated = draft(ChangeSession(session_id=SID, presenter="ck2"))
    busy = (Booking("B01-20261201-1500", START, START + timedelta(minutes=40), "x", "ck2"),)
    err = refused(RuleRefused, decide.decide_change, reseated, Calendar(others=busy), NOW)
    assert err.code == "session_staff_busy" and err.params["staff"] == "ck2"


# -- the lifecycle ----------------------------------------------------------------------------
def test_open_on_the_day_close_once_opened():
    assert refused(NotFound, decide.decide_open, None, SID, NOW).code == "session_not_found"
    assert refused(RuleRefused, decide.decide_open, RECORD, SID, NOW).code == "session_not_today"
    on_the_day = START - timedelta(hours=6)
    assert decide.decide_open(RECORD, SID, on_the_day) == SessionOpened(session_id=SID)
    assert (
        refused(
            RuleRefused, decide.decide_open, replace(RECORD, status="open"), SID, on_the_day
        ).code
        == "session_already_open"
    )
    assert refused(RuleRefused, decide.decide_close, RECORD, SID).code == "session_never_opened"
    assert decide.decide_close(replace(RECORD, status="open"), SID).session_id == SID
    for status, code in (("closed", "session_is_closed"), ("cancelled", "session_is_cancelled")):
        assert (
            refused(RuleRefused, decide.decide_close, replace(RECORD, status=status), SID).code
            == code
        )


def test_a_cancellation_needs_a_reason_and_tells_the_invitees():
    cmd = CancelSession(session_id=SID, reason=" 台风 ")
    assert (
        refused(BadInput, decide.decide_cancel, None, replace(cmd, reason=" "), ()).code
        == "session_reason_required"
    )
    assert refused(NotFound, decide.decide_cancel, None, cmd, ()).code == "session_not_found"
    assert (
        refused(RuleRefused, decide.decide_cancel, replace(RECORD, status="closed"), cmd, ()).code
        == "session_is_closed"
    )
    assert decide.decide_cancel(
        replace(RECORD, status="open"), cmd, ("I1", "I2")
    ) == SessionCancelled(session_id=SID, reason="台风", to_tell=["I1", "I2"])


def test_a_record_reads_back_in_local_time():
    assert RECORD.result()["starts_at"] == "2026-12-01T15:00:00+08:00"
