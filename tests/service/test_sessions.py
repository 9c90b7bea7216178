"""Sessions through the handlers: planning (one or a series), edits, open, close, cancel.

The invitation and check-in rows some rules read are written straight into their read tables
here: those areas' handlers are tested in their own files.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select

from tests.conftest import ADMIN
from tests.helpers import dump_read_tables
from upgradecamp.domain.commands import (
    AddStaff,
    CancelSession,
    ChangeSession,
    CloseSession,
    OpenSession,
    PlanSessions,
)
from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied, RuleRefused
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.queries.sessions import (
    list_sessions,
    planning_defaults,
    session_detail,
    staff_of_branch,
)
from upgradecamp.store.db import read_transaction, write_transaction
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

ORG = Actor(code="org2", role="organizer", branch="B02", name="赵六")
CHECKIN = Actor(code="ck2", role="checkin", branch="B02", name="钱七")
MARKETER = Actor(code="mk2", role="marketer", branch="B02", name="王五")
FIRST = "B02-20261201-1500"


@pytest.fixture
def svc(services):
    """Staff of B02 (organizer, marketer, check-in) and a marketer of B03."""
    for code, name, role, branch in [
        ("org2", "赵六", "organizer", "B02"),
        ("mk2", "王五", "marketer", "B02"),
        ("ck2", "钱七", "checkin", "B02"),
        ("mk3", "孙八", "marketer", "B03"),
    ]:
        services.execute(
            AddStaff(code=code, name=name, role=role, branch=branch, pin="246809"), ADMIN
        )
    return services


def plan(svc, actor=ORG, **kw):
    kw.setdefault("branch", "B02")
    kw.setdefault("start", "2026-12-01 15:00")
    return svc.execute(PlanSessions(**kw), actor)


def rows(svc) -> list[dict]:
    with read_transaction(svc.engine) as conn:
        return [
            dict(r)
            for r in conn.execute(select(SessionRow).order_by(SessionRow.session_id)).mappings()
        ]


def stream(svc, session_id: str):
    with read_transaction(svc.engine) as conn:
        return svc.log.read_stream(conn, f"session-{session_id}")


def refused(exc_type, fn, *args, **kw):
    with pytest.raises(exc_type) as err:
        fn(*args, **kw)
    return err.value


# -- planning ------------------------------------------------------------------------------
def test_plan_one_session_with_defaults(svc):
    result = plan(svc)
    assert result["sessions"] == [
        {
            "session_id": FIRST,
            "series_id": None,
            "branch": "B02",
            "venue": "贵宾室",
            "starts_at": "2026-12-01T15:00:00+08:00",
            "duration_minutes": 40,
            "capacity": 10,
            "theme": "小小银行家",
            "host": "org2",
            "presenter": "mk2",
            "status": "planned",
        }
    ]
    # The clock says 2026-11-20: eleven days is short notice for invitations, but allowed.
    assert result["warnings"] == [
        f"{FIRST}: invitations go out at least 30 days ahead; this session is in 11 days"
    ]
    assert result["short_notice"] == [{"session_id": FIRST, "days": 11}]
    [row] = rows(svc)
    assert row["starts_at"] == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    assert row["ends_at"] == datetime(2026, 12, 1, 7, 40, tzinfo=UTC)
    assert (row["status"], row["planned_by"], row["cancel_reason"]) == ("planned", "org2", None)
    assert row["planned_at"] == datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    assert (row["invited"], row["confirmed"], row["attended"], row["walk_ins"]) == (0, 0, 0, 0)
    [ev] = stream(svc, FIRST)
    assert ev.type == "SessionPlanned" and ev.payload["starts_at"] == "2026-12-01T15:00:00+08:00"


def test_plan_with_every_option_and_no_warning_a_month_ahead(svc):
    result = plan(
        svc,
        start="2027-01-05 09:30",
        duration_minutes=60,
        capacity=20,
        venue="会议室",
        theme="亲子理财",
        host="ck2",
        presenter="org2",
    )
    [s] = result["sessions"]
    assert (s["session_id"], s["venue"], s["theme"], s["host"], s["presenter"]) == (
        "B02-20270105-0930",
        "会议室",
        "亲子理财",
        "ck2",
        "org2",
    )
    assert (s["duration_minutes"], s["capacity"]) == (60, 20)
    assert result["warnings"] == [] and result["short_notice"] == []


def test_plan_a_weekly_series_tue_thu_for_six_weeks(svc):
    result = plan(svc, weekly_on=("tue,thu",), weeks=6)
    ids = [s["session_id"] for s in result["sessions"]]
    assert len(ids) == 12 and ids[0] == FIRST and ids[-1] == "B02-20270107-1500"
    assert {s["series_id"] for s in result["sessions"]} == {"B02-S20261201-1500"}
    # Warnings only for those under 30 days away (up to 2026-12-19).
    assert [n["session_id"] for n in result["short_notice"]] == [
        FIRST,
        "B02-20261203-1500",
        "B02-20261208-1500",
        "B02-20261210-1500",
        "B02-20261215-1500",
        "B02-20261217-1500",
    ]
    assert len(rows(svc)) == 12


def test_a_series_with_clashes_reports_every_date_and_plans_nothing(svc):
    plan(svc, start="2026-12-03 15:20")
    plan(svc, start="2026-12-15 14:40")
    plan(svc, start="2026-12-08 15:00", venue="会议室")  # another room: no clash
    before = rows(svc)
    err = refused(RuleRefused, plan, svc, weekly_on=("tue", "thu"), weeks=3)
    assert err.code == "session_overlap"
    assert err.params["dates"] == "2026-12-03 15:00, 2026-12-15 15:00"
    assert "B02-20261203-1520" in err.message and "B02-20261215-1440" in err.message
    assert "nothing was planned" in err.message
    assert rows(svc) == before


def second_team(svc) -> None:
    """Two more B02 staff, so a second room at the same hour has a host and a presenter."""
    for code, role in (("org5", "organizer"), ("mk5", "marketer")):
        svc.execute(AddStaff(code=code, name="吴十", role=role, branch="B02", pin="246809"), ADMIN)


def test_same_time_in_another_venue_gets_a_suffix_and_a_cancelled_one_frees_the_room(svc):
    second_team(svc)
    plan(svc)
    second = plan(svc, venue="会议室")["sessions"][0]
    assert second["session_id"] == f"{FIRST}-2"
    err = refused(RuleRefused, plan, svc, start="2026-12-01 15:30")
    assert err.code == "session_overlap" and err.params["venue"] == "贵宾室"
    svc.execute(CancelSession(session_id=FIRST, reason="台风预警"), ORG)
    again = plan(svc)["sessions"][0]
    assert again["session_id"] == f"{FIRST}-3"  # ids of cancelled sessions stay taken


def test_a_second_series_with_the_same_first_date_gets_its_own_series_id(svc):
    second_team(svc)
    plan(svc, weekly_on=("tue",), weeks=2)
    other = plan(svc, weekly_on=("tue",), weeks=2, venue="会议室")
    assert {s["series_id"] for s in other["sessions"]} == {"B02-S20261201-1500-2"}


@pytest.mark.parametrize(
    ("kw", "exc", "code"),
    [
        ({"branch": "B99"}, NotFound, "session_unknown_branch"),
        ({"start": "2026-12-01"}, BadInput, "session_bad_start"),
        ({"start": "2026-11-20 09:59"}, RuleRefused, "session_in_past"),
        ({"duration_minutes": 61}, BadInput, "session_bad_duration"),
        ({"duration_minutes": 5}, BadInput, "session_bad_duration"),
        ({"capacity": 21}, BadInput, "session_bad_capacity"),
        ({"capacity": 0}, BadInput, "session_bad_capacity"),
        ({"venue": " "}, BadInput, "session_empty_venue"),
        ({"theme": ""}, BadInput, "session_empty_theme"),
        ({"host": "mk3"}, RuleRefused, "session_staff_not_in_branch"),
        ({"presenter": "nobody"}, NotFound, "session_unknown_staff"),
        ({"host": "mk2", "presenter": "mk2"}, RuleRefused, "session_same_host_presenter"),
        ({"branch": "B03"}, RuleRefused, "session_needs_two_staff"),
        ({"branch": "B04"}, RuleRefused, "session_needs_two_staff"),
        ({"weekly_on": ("tue", "xyz")}, BadInput, "session_bad_weekday"),
        ({"weekly_on": ("tue",), "weeks": 0}, BadInput, "session_bad_weeks"),
        ({"start": "2026-12-06 15:00", "weekly_on": ("mon",)}, BadInput, "session_empty_series"),
    ],
)
def test_planning_refusals(svc, kw, exc, code):
    err = refused(exc, plan, svc, **kw)
    assert err.code == code, err.message
    assert rows(svc) == []


def test_refusal_messages_say_what_to_do(svc):
    assert "works at B03, not B02" in refused(RuleRefused, plan, svc, host="mk3").message
    lonely = refused(RuleRefused, plan, svc, branch="B03").message
    assert "B03 has 1 (mk3 孙八 (marketer))" in lonely and "--branch B03" in lonely
    assert "2026-11-20 10:00" in refused(RuleRefused, plan, svc, start="2026-11-19 15:00").message


def test_only_organizers_and_admins_plan(svc):
    err = refused(PermissionDenied, plan, svc, actor=MARKETER)
    assert "may not plan sessions" in err.message
    refused(PermissionDenied, plan, svc, actor=CHECKIN)
    assert plan(svc, actor=ADMIN)["sessions"][0]["session_id"] == FIRST


# -- editing -------------------------------------------------------------------------------
def test_edit_a_planned_session(svc):
    plan(svc)
    plan(svc, start="2026-12-01 16:00")
    result = svc.execute(
        ChangeSession(
            session_id=FIRST,
            start="2026-12-01 15:10",
            duration_minutes=50,
            capacity=12,
            theme="压岁钱理财",
            host="ck2",
        ),
        ORG,
    )
    assert result["changed"] == ["capacity", "duration_minutes", "host", "starts_at", "theme"]
    assert result["session"]["starts_at"] == "2026-12-01T15:10:00+08:00"
    row = rows(svc)[0]
    assert row["ends_at"] == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 16:00 local, back to back
    assert (row["capacity"], row["host"], row["theme"]) == (12, "ck2", "压岁钱理财")
    assert [e.stream_version for e in stream(svc, FIRST)] == [1, 2]
    assert result["warnings"] and result["short_notice"][0]["days"] == 11


def test_edit_refusals(svc):
    plan(svc)
    plan(svc, start="2026-12-01 16:00")
    change = lambda **kw: svc.execute(ChangeSession(session_id=FIRST, **kw), ORG)  # noqa: E731
    assert (
        refused(RuleRefused, change, start="2026-12-01 15:10", duration_minutes=60).code
        == "session_overlap"
    )
    assert refused(BadInput, change, duration_minutes=81).code == "session_bad_duration"
    assert refused(RuleRefused, change, start="2026-12-01 15:30").code == "session_overlap"
    assert (
        refused(RuleRefused, change, venue="会议室", presenter="org2", host="org2").code
        == "session_same_host_presenter"
    )
    assert refused(RuleRefused, change, host="mk3").code == "session_staff_not_in_branch"
    assert refused(RuleRefused, change, start="2026-11-01 10:00").code == "session_in_past"
    assert refused(BadInput, change, capacity=25).code == "session_bad_capacity"
    assert (
        refused(NotFound, svc.execute, ChangeSession(session_id="B02-X", capacity=5), ORG).code
        == "session_not_found"
    )
    refused(PermissionDenied, svc.execute, ChangeSession(session_id=FIRST, capacity=5), MARKETER)
    assert len(stream(svc, FIRST)) == 1


def test_edit_that_changes_nothing_records_nothing(svc):
    plan(svc)
    result = svc.execute(
        ChangeSession(session_id=FIRST, start="2026-12-01 15:00", capacity=10, venue="贵宾室"), ORG
    )
    assert result["changed"] == [] and result["session"]["session_id"] == FIRST
    assert len(stream(svc, FIRST)) == 1


def _check_ins(svc, session_id: str, n: int, annulled: int = 0) -> None:
    at = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    with write_transaction(svc.engine) as conn:
        conn.execute(
            insert(CheckInRow),
            [
                {
                    "checkin_id": f"ci{i}",
                    "session_id": session_id,
                    "client_id": f"C{i:06d}",
                    "invitation_id": None,
                    "walk_in": True,
                    "method": "walk_in",
                    "at": at,
                    "by": "ck2",
                    "terminal": "t",
                    "referred_by": None,
                    "override_by": None,
                    "annulled": i < annulled,
                    "annul_reason": "wrong client" if i < annulled else None,
                }
                for i in range(n)
            ],
        )


def test_capacity_cannot_go_below_the_clients_checked_in(svc):
    plan(svc)
    _check_ins(svc, FIRST, 9, annulled=2)  # 7 count
    err = refused(RuleRefused, svc.execute, ChangeSession(session_id=FIRST, capacity=6), ORG)
    assert err.code == "session_capacity_below_attendance"
    assert err.params == {"session": FIRST, "capacity": 6, "checked_in": 7}
    assert "give at least 7" in err.message
    svc.execute(ChangeSession(session_id=FIRST, capacity=7), ORG)
    assert rows(svc)[0]["capacity"] == 7


# -- open, close, cancel -------------------------------------------------------------------
def test_lifecycle_planned_open_closed(svc, clock):
    plan(svc)
    err = refused(RuleRefused, svc.execute, OpenSession(session_id=FIRST), CHECKIN)
    assert err.code == "session_not_today" and err.params["date"] == "2026-12-01"
    assert (
        refused(RuleRefused, svc.execute, CloseSession(session_id=FIRST), ORG).code
        == "session_never_opened"
    )
    clock.now = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 00:30 on Dec 1 in Shanghai
    refused(PermissionDenied, svc.execute, OpenSession(session_id=FIRST), MARKETER)
    assert svc.execute(OpenSession(session_id=FIRST), CHECKIN)["status"] == "open"
    assert (
        refused(RuleRefused, svc.execute, OpenSession(session_id=FIRST), ORG).code
        == "session_already_open"
    )
    assert (
        refused(RuleRefused, svc.execute, ChangeSession(session_id=FIRST, capacity=12), ORG).code
        == "session_open_no_edit"
    )
    refused(PermissionDenied, svc.execute, CloseSession(session_id=FIRST), CHECKIN)
    assert svc.execute(CloseSession(session_id=FIRST), ORG)["status"] == "closed"
    assert rows(svc)[0]["status"] == "closed"
    for cmd in (
        OpenSession(session_id=FIRST),
        CloseSession(session_id=FIRST),
        CancelSession(session_id=FIRST, reason="x"),
        ChangeSession(session_id=FIRST, capacity=12),
    ):
        assert refused(RuleRefused, svc.execute, cmd, ADMIN).code == "session_is_closed"
    assert [e.type for e in stream(svc, FIRST)] == [
        "SessionPlanned",
        "SessionOpened",
        "SessionClosed",
    ]


def _invitations(svc, session_id: str, states: list[str]) -> None:
    at = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    with write_transaction(svc.engine) as conn:
        conn.execute(
            insert(InvitationRow),
            [
                {
                    "invitation_id": f"inv{i}",
                    "session_id": session_id,
                    "client_id": f"C{i:06d}",
                    "code": f"K{i:05d}",
                    "segment": "potential",
                    "aum_cents": 12_000_000,
                    "state": state,
                    "issued_at": at,
                }
                for i, state in enumerate(states)
            ],
        )


def test_cancel_lists_the_invitees_to_tell(svc):
    plan(svc)
    _invitations(
        svc,
        FIRST,
        [
            "invited",
            "sent",
            "confirmed",
            "declined",
            "no_answer",
            "opted_out",
            "call_back",
            "wrong_number",
        ],
    )
    assert (
        refused(BadInput, svc.execute, CancelSession(session_id=FIRST, reason="  "), ORG).code
        == "session_reason_required"
    )
    refused(PermissionDenied, svc.execute, CancelSession(session_id=FIRST, reason="x"), CHECKIN)
    result = svc.execute(CancelSession(session_id=FIRST, reason=" 台风预警 "), ORG)
    assert result["status"] == "cancelled" and result["reason"] == "台风预警"
    assert result["to_tell"] == ["inv0", "inv1", "inv2", "inv4", "inv6", "inv7"]
    [_, ev] = stream(svc, FIRST)
    assert ev.payload["to_tell"] == result["to_tell"]
    row = rows(svc)[0]
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "台风预警")
    for cmd in (
        OpenSession(session_id=FIRST),
        CloseSession(session_id=FIRST),
        CancelSession(session_id=FIRST, reason="again"),
        ChangeSession(session_id=FIRST, capacity=12),
    ):
        assert refused(RuleRefused, svc.execute, cmd, ADMIN).code == "session_is_cancelled"


def test_an_open_session_can_be_cancelled(svc, clock):
    plan(svc)
    clock.now = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    svc.execute(OpenSession(session_id=FIRST), ORG)
    assert svc.execute(CancelSession(session_id=FIRST, reason="停电"), ORG)["to_tell"] == []


# -- queries -------------------------------------------------------------------------------
def test_queries_for_screens(svc):
    from datetime import date

    plan(svc, weekly_on=("tue", "thu"), weeks=2)
    plan(svc, start="2026-12-02 10:00", venue="会议室")
    svc.execute(CancelSession(session_id="B02-20261203-1500", reason="台风"), ORG)
    listed = list_sessions(svc.engine)
    assert [s["session_id"] for s in listed] == [
        FIRST,
        "B02-20261202-1000",
        "B02-20261208-1500",
        "B02-20261210-1500",
    ]
    first = listed[0]
    assert (first["date"], first["time"], first["end_time"]) == ("2026-12-01", "15:00", "15:40")
    assert (first["branch_name"], first["host_name"], first["presenter_name"]) == (
        "城东支行幸福路网点",
        "赵六",
        "王五",
    )
    assert first["ends_at"] == "2026-12-01T15:40:00+08:00"
    window = list_sessions(
        svc.engine, start=date(2026, 12, 2), end=date(2026, 12, 3), include_cancelled=True
    )
    assert [s["session_id"] for s in window] == ["B02-20261202-1000", "B02-20261203-1500"]
    assert window[1]["cancel_reason"] == "台风"
    assert list_sessions(svc.engine, branch="B03") == []
    assert [s["code"] for s in staff_of_branch(svc.engine, "B02")] == ["ck2", "mk2", "org2"]
    assert planning_defaults(svc.engine, "B02")["host"] == "org2"
    assert planning_defaults(svc.engine, "B03")["presenter"] is None
    assert planning_defaults(svc.engine, "B99") is None


def test_session_detail_counts_invitations_and_masks_to_tell(svc):
    from tests.helpers import client_row
    from upgradecamp.domain.commands import RegisterClients

    svc.execute(RegisterClients(clients=[client_row(0), client_row(1)]), ADMIN)
    plan(svc)
    _invitations(svc, FIRST, ["confirmed", "declined", "confirmed"])
    with write_transaction(svc.engine) as conn:
        conn.execute(
            InvitationRow.__table__.update()
            .where(InvitationRow.invitation_id.in_(["inv0", "inv1"]))
            .values(to_tell=True)
        )
    detail = session_detail(svc.engine, FIRST)
    assert detail["invitations"] == {"confirmed": 2, "declined": 1}
    assert detail["invitations_total"] == 3
    assert detail["to_tell"][0] == {
        "invitation_id": "inv0",
        "client_id": "C000000",
        "name": "李四",
        "mobile": "138****0000",
        "state": "confirmed",
    }
    assert detail["planned_by"] == "org2"
    assert session_detail(svc.engine, "nope") is None


# -- replay ----------------------------------------------------------------------------------
def test_replay_rebuilds_the_sessions_table(svc, clock):
    plan(svc, weekly_on=("tue", "thu"), weeks=2)
    svc.execute(
        ChangeSession(session_id="B02-20261208-1500", start="2026-12-08 16:00", venue="会议室"), ORG
    )
    svc.execute(CancelSession(session_id="B02-20261210-1500", reason="台风"), ORG)
    clock.now = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    svc.execute(OpenSession(session_id=FIRST), CHECKIN)
    svc.execute(CloseSession(session_id=FIRST), ORG)
    live = dump_read_tables(svc.engine)
    assert len(live["sessions"]) == 4
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live
    with read_transaction(svc.engine) as conn:
        statuses = dict(conn.execute(select(SessionRow.session_id, SessionRow.status)).all())
        assert conn.execute(select(func.count()).select_from(SessionRow)).scalar_one() == 4
    assert statuses == {
        FIRST: "closed",
        "B02-20261203-1500": "planned",
        "B02-20261208-1500": "planned",
        "B02-20261210-1500": "cancelled",
    }


def test_a_series_without_weekdays_repeats_the_start_weekday(svc):
    result = plan(svc, weeks=3)
    assert [s["starts_at"][:10] for s in result["sessions"]] == [
        "2026-12-01",
        "2026-12-08",
        "2026-12-15",
    ]
    assert {s["series_id"] for s in result["sessions"]} == {"B02-S20261201-1500"}


def test_every_error_code_has_a_text_in_both_languages():
    import re
    from pathlib import Path

    from upgradecamp.tui import i18n

    src = Path(__file__).resolve().parents[2] / "src" / "upgradecamp"
    codes = {"session_empty_venue", "session_empty_theme"}
    for path in (
        src / "domain" / "sessions.py",
        src / "domain" / "session_decisions.py",
        src / "service" / "sessions.py",
        src / "cli" / "sessions_cmd.py",
    ):
        codes |= set(re.findall(r'"(session_[a-z_]+)"', path.read_text(encoding="utf-8")))
    codes -= {"session_id", "session_status"}  # a field name and a group of labels
    assert len(codes) > 20
    for lang in i18n.LANGUAGES:
        assert sorted(c for c in codes if f"error.{c}" not in i18n.catalogue(lang)) == []


# -- nobody in two rooms at once -------------------------------------------------------------
def test_a_host_or_presenter_cannot_be_in_two_sessions_at_once(svc):
    plan(svc, host="org2", presenter="mk2")
    err = refused(
        RuleRefused,
        plan,
        svc,
        venue="会议室",
        start="2026-12-01 15:20",
        host="org2",
        presenter="ck2",
    )
    assert err.code == "session_staff_busy" and err.params["other"] == FIRST
    # Left to choose, planning skips the busy pair: B02 has only ck2 free, so it says why.
    err = refused(RuleRefused, plan, svc, venue="会议室", start="2026-12-01 15:20")
    assert err.code == "session_staff_all_busy"
    svc.execute(
        AddStaff(code="mk4", name="周九", role="marketer", branch="B02", pin="246809"), ADMIN
    )
    chosen = plan(svc, venue="会议室", start="2026-12-01 15:20")["sessions"][0]
    assert {chosen["host"], chosen["presenter"]} == {"ck2", "mk4"}
    # An edit into a busy hour is refused the same way; after the first session, fine.
    later = plan(svc, start="2026-12-01 17:00", host="org2", presenter="mk2")["sessions"][0]
    err = refused(
        RuleRefused,
        svc.execute,
        ChangeSession(session_id=later["session_id"], start="2026-12-01 15:10", venue="大厅"),
        ORG,
    )
    assert err.code == "session_staff_busy"
