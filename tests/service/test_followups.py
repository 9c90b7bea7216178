"""Follow-ups through the handlers and policies: closing a session creates them by rule (once),
a later approved form converts them, outcomes, rescheduling and reassignment with their
permissions, the desk's queries, and replay."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN
from tests.helpers import client_row, dump_read_tables
from upgradecamp.domain.commands import (
    AddStaff,
    AnnulCheckIn,
    ApproveForm,
    BuildInviteList,
    CancelForm,
    CheckIn,
    CloseSession,
    CreateFollowUps,
    OpenSession,
    PlanSessions,
    ReassignFollowUp,
    RecordFollowUpOutcome,
    RecordInvitationOutcome,
    RegisterClients,
    RescheduleFollowUp,
    SubmitForm,
)
from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied, RuleRefused
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.queries.followups import followup_counts, list_followups, my_followups
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.tables.followups import FollowUpRow

PIN = "246809"
ORG = Actor(code="org2", role="organizer", branch="B02", name="赵六")
DESK = Actor(code="ck2", role="checkin", branch="B02", name="钱七")
MK = Actor(code="mk2", role="marketer", branch="B02", name="王五")
HOST = Actor(code="mk3", role="marketer", branch="B02", name="孙八")
HEAD = Actor(code="bh2", role="branch_head", branch="B02", name="周行长")
SESSION = "B02-20261120-1500"  # the FakeClock's day, 15:00 Shanghai
NEXT = "B02-20261127-1500"
FUND = (("fund", "10000", "new"),)

# C1 comes and signs two approved forms; C2 comes and books an appointment; C3 (whose RM has
# left) and the walk-in C10 come without a form; C4 comes with a form still waiting; C5 said
# yes and stayed away; C6 declined; C7 opted out; C8's number was wrong; C11's check-in was
# a mistake (annulled).
RM = {1: "mk2", 2: None, 3: "gone1", 4: "mk2", 5: "mk2", 6: "mk2", 7: "mk2", 8: "mk2", 11: "mk2"}
CALLS = {
    1: "confirmed",
    2: "confirmed",
    3: "confirmed",
    4: "confirmed",
    5: "confirmed",
    6: "declined",
    7: "opted_out",
    8: "wrong_number",
    11: "confirmed",
}


@pytest.fixture
def svc(services):
    for actor in (ORG, DESK, MK, HOST, HEAD):
        services.execute(
            AddStaff(
                code=actor.code, name=actor.name, role=actor.role, branch=actor.branch, pin=PIN
            ),
            ADMIN,
        )
    services.execute(
        RegisterClients(
            clients=[
                *(client_row(n, aum=f"{100000 + n}.00", rm=rm) for n, rm in RM.items()),
                client_row(10, aum="300000.00", rm="mk2"),  # out of the invite range: a walk-in
            ]
        ),
        ADMIN,
    )
    clock = services.clock
    clock.advance(days=-40)  # invitations go out weeks ahead
    for start in ("2026-11-20 15:00", "2026-11-27 15:00"):
        services.execute(
            PlanSessions(branch="B02", start=start, host=HOST.code, presenter=ORG.code), ORG
        )
    built = services.execute(BuildInviteList(session_id=SESSION), ORG)
    invitation = {i["client_id"]: i["invitation_id"] for i in built["invitations"]}
    assert set(invitation) == {f"C{n:06d}" for n in RM}
    for n, result in CALLS.items():
        services.execute(
            RecordInvitationOutcome(
                invitation=invitation[f"C{n:06d}"], channel="call", result=result
            ),
            ORG,
        )
    clock.advance(days=40)  # 2026-11-20 10:00 in Shanghai
    services.execute(OpenSession(session_id=SESSION), DESK)
    for n in (1, 2, 3, 4, 10, 11):
        done = services.execute(CheckIn(session_id=SESSION, client_id=f"C{n:06d}"), DESK)
        if n == 11:
            services.execute(
                AnnulCheckIn(checkin_id=done["checkin_id"], reason="wrong client"), DESK
            )
    for client, kw in (
        ("C000001", {}),
        ("C000002", {"appointment": "2026-11-27"}),
        ("C000001", {}),
        ("C000004", {}),
    ):
        form = submit(services, client, **kw)
        if client != "C000004":
            services.execute(ApproveForm(form_id=form["form_id"], pin=PIN), HEAD)
    return services


def submit(svc, client, **kw):
    return svc.execute(SubmitForm(session_id=SESSION, client_id=client, lines=FUND, **kw), MK)


def close(svc):
    svc.clock.advance(hours=6)  # 16:00 in Shanghai
    return svc.execute(CloseSession(session_id=SESSION), ORG)


def followups(svc) -> dict[str, dict]:
    with read_transaction(svc.engine) as conn:
        return {r["followup_id"]: dict(r) for r in conn.execute(select(FollowUpRow)).mappings()}


def head(svc) -> int:
    with read_transaction(svc.engine) as conn:
        return EventLog.head(conn)[0]


EXPECTED = {  # id → (kind, client, assignee, due, form, next session)
    f"{SESSION}-FP-C000001-F01": (
        "fulfil_photo",
        "C000001",
        "mk2",
        "2026-11-23",
        f"{SESSION}-F01",
        None,
    ),
    f"{SESSION}-FP-C000001-F03": (
        "fulfil_photo",
        "C000001",
        "mk2",
        "2026-11-23",
        f"{SESSION}-F03",
        None,
    ),
    f"{SESSION}-FP-C000002-F02": (
        "fulfil_photo",
        "C000002",
        "mk3",
        "2026-11-23",
        f"{SESSION}-F02",
        None,
    ),
    f"{SESSION}-AR-C000002-F02": (
        "appointment_reminder",
        "C000002",
        "mk3",
        "2026-11-26",
        f"{SESSION}-F02",
        None,
    ),
    f"{SESSION}-IC-C000003": ("intention_call", "C000003", "mk3", "2026-11-23", None, None),
    f"{SESSION}-IC-C000010": ("intention_call", "C000010", "mk2", "2026-11-23", None, None),
    f"{SESSION}-IN-C000005": ("invite_next", "C000005", "mk2", "2026-11-23", None, NEXT),
    f"{SESSION}-IN-C000011": ("invite_next", "C000011", "mk2", "2026-11-23", None, NEXT),
    f"{SESSION}-UC-C000008": ("update_contact", "C000008", "mk2", "2026-11-23", None, None),
}


def test_closing_the_session_creates_the_follow_ups_by_rule(svc):
    close(svc)
    rows = followups(svc)
    assert {
        k: (
            r["kind"],
            r["client_id"],
            r["assignee"],
            r["due"].isoformat(),
            r["form_id"],
            r["next_session_id"],
        )
        for k, r in rows.items()
    } == EXPECTED
    assert {(r["branch"], r["status"], r["attempts"], r["outcome"]) for r in rows.values()} == {
        ("B02", "open", 0, None)
    }


def test_closing_again_creates_nothing_twice(svc):
    close(svc)
    before = head(svc)
    again = svc.execute(CreateFollowUps(session_id=SESSION), ORG)
    assert (again["created"], again["already_there"], again["followups"]) == (0, 9, [])
    assert head(svc) == before
    assert len(followups(svc)) == 9


def test_due_dates_are_shanghai_days(svc):
    svc.clock.advance(hours=14, minutes=30)  # 2026-11-20 16:30 UTC = 11-21 00:30 in Shanghai
    svc.execute(CloseSession(session_id=SESSION), ORG)
    rows = followups(svc)
    assert rows[f"{SESSION}-IC-C000003"]["due"].isoformat() == "2026-11-24"
    assert rows[f"{SESSION}-AR-C000002-F02"]["due"].isoformat() == "2026-11-26"


def test_only_a_closed_session_owes_follow_ups_and_only_organizers_create_them(svc):
    with pytest.raises(RuleRefused) as err:
        svc.execute(CreateFollowUps(session_id=SESSION), ORG)
    assert err.value.code == "followup_session_not_closed"
    with pytest.raises(NotFound) as err:
        svc.execute(CreateFollowUps(session_id="B02-20991231-1500"), ORG)
    assert err.value.code == "followup_session_not_found"
    close(svc)
    with pytest.raises(PermissionDenied) as err:
        svc.execute(CreateFollowUps(session_id=SESSION), MK)
    assert err.value.code == "followup_may_not_create"


def test_a_form_approved_later_converts_the_intention_call_and_owes_its_fulfilment(svc):
    close(svc)
    form = submit(svc, "C000003")  # the same evening, after the close
    svc.clock.advance(days=1)  # the branch head signs the next morning
    svc.execute(ApproveForm(form_id=form["form_id"], pin=PIN), HEAD)
    rows = followups(svc)
    call = rows[f"{SESSION}-IC-C000003"]
    assert (call["status"], call["outcome"], call["done_by"], call["attempts"]) == (
        "done",
        "converted",
        "system",
        0,
    )
    late = rows[f"{SESSION}-FP-C000003-F05"]
    assert (late["status"], late["assignee"], late["due"].isoformat()) == (
        "open",
        "mk3",
        "2026-11-24",
    )
    assert len(rows) == 10
    others = {
        k: r["status"]
        for k, r in rows.items()
        if k not in (f"{SESSION}-IC-C000003", f"{SESSION}-FP-C000003-F05")
    }
    assert set(others.values()) == {"open"}


def test_cancelling_the_approved_form_reopens_what_it_converted_and_only_that(svc):
    close(svc)
    form = submit(svc, "C000003")
    svc.execute(ApproveForm(form_id=form["form_id"], pin=PIN), HEAD)
    svc.execute(RecordFollowUpOutcome(followup_id=f"{SESSION}-IN-C000005", outcome="reached"), MK)
    assert followups(svc)[f"{SESSION}-IC-C000003"]["outcome"] == "converted"
    result = svc.execute(CancelForm(form_id=form["form_id"], reason="client withdrew"), HEAD)
    assert "follow_on_refused" not in result
    rows = followups(svc)
    call = rows[f"{SESSION}-IC-C000003"]
    assert (call["status"], call["outcome"], call["done_at"], call["done_by"]) == (
        "open",
        None,
        None,
        None,
    )
    assert rows[f"{SESSION}-IN-C000005"]["outcome"] == "reached"  # closed by a person: stays
    with read_transaction(svc.engine) as conn:
        reopened = [ev.payload for ev in svc.log.tail(conn, 50) if ev.type == "FollowUpReopened"]
    assert reopened == [
        {
            "followup_id": f"{SESSION}-IC-C000003",
            "form_id": form["form_id"],
            "reason": f"form {form['form_id']} cancelled",
        }
    ]
    live = dump_read_tables(svc.engine)
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live


def test_an_approval_leaves_the_fulfilment_of_the_same_client_open(svc):
    close(svc)
    form = submit(svc, "C000002")
    svc.execute(ApproveForm(form_id=form["form_id"], pin=PIN), HEAD)
    rows = followups(svc)
    assert rows[f"{SESSION}-FP-C000002-F02"]["status"] == "open"
    assert rows[f"{SESSION}-AR-C000002-F02"]["outcome"] == "converted"
    assert rows[f"{SESSION}-FP-C000002-F05"]["status"] == "open"


def test_outcomes_by_the_assignee_or_a_manager(svc):
    close(svc)
    fid = f"{SESSION}-IN-C000005"
    tried = svc.execute(
        RecordFollowUpOutcome(followup_id=fid, outcome="not_reached", note="关机"), MK
    )
    assert (tried["status"], tried["attempts"]) == ("open", 1)
    with pytest.raises(PermissionDenied) as err:
        svc.execute(RecordFollowUpOutcome(followup_id=fid, outcome="reached"), HOST)
    assert err.value.code == "followup_not_yours" and err.value.params["assignee"] == "mk2"
    with pytest.raises(BadInput) as err:
        svc.execute(RecordFollowUpOutcome(followup_id=fid, outcome="maybe"), MK)
    assert err.value.code == "followup_bad_outcome"
    svc.clock.advance(hours=1)
    done = svc.execute(
        RecordFollowUpOutcome(followup_id=fid, outcome="declined", note="下周出差"), MK
    )
    assert (done["status"], done["outcome"], done["attempts"]) == ("done", "declined", 2)
    row = followups(svc)[fid]
    assert (row["status"], row["done_by"], row["note"], row["attempts"]) == (
        "done",
        "mk2",
        "下周出差",
        2,
    )
    with pytest.raises(RuleRefused) as err:
        svc.execute(RecordFollowUpOutcome(followup_id=fid, outcome="reached"), ORG)
    assert err.value.code == "followup_already_done"
    assert (err.value.params["by"], err.value.params["at"]) == ("mk2", "2026-11-20 17:00")
    other = svc.execute(
        RecordFollowUpOutcome(followup_id=f"{SESSION}-IC-C000003", outcome="reached"), HEAD
    )
    assert other["status"] == "done"
    with pytest.raises(NotFound) as err:
        svc.execute(RecordFollowUpOutcome(followup_id="nope", outcome="reached"), MK)
    assert err.value.code == "followup_not_found"


def test_rescheduling_needs_a_date_today_or_later(svc):
    close(svc)
    fid = f"{SESSION}-FP-C000001-F01"
    moved = svc.execute(
        RescheduleFollowUp(followup_id=fid, due="2026-11-30", reason="客户出差"), MK
    )
    assert (moved["due"], moved["changed"]) == ("2026-11-30", True)
    assert followups(svc)[fid]["due"].isoformat() == "2026-11-30"
    same = svc.execute(RescheduleFollowUp(followup_id=fid, due="2026-11-30"), ORG)
    assert same["changed"] is False
    today = svc.execute(RescheduleFollowUp(followup_id=fid, due="2026-11-20"), MK)
    assert today["due"] == "2026-11-20"
    for due, code in (("2026-11-19", "followup_due_past"), ("soon", "followup_bad_due")):
        with pytest.raises(BadInput) as err:
            svc.execute(RescheduleFollowUp(followup_id=fid, due=due), MK)
        assert err.value.code == code
    with pytest.raises(PermissionDenied):
        svc.execute(RescheduleFollowUp(followup_id=fid, due="2026-12-01"), HOST)
    svc.execute(RecordFollowUpOutcome(followup_id=fid, outcome="reached"), MK)
    with pytest.raises(RuleRefused) as err:
        svc.execute(RescheduleFollowUp(followup_id=fid, due="2026-12-01"), MK)
    assert err.value.code == "followup_already_done"


def test_only_organizers_branch_heads_and_admins_reassign(svc):
    close(svc)
    fid = f"{SESSION}-IC-C000003"
    with pytest.raises(PermissionDenied) as err:
        svc.execute(ReassignFollowUp(followup_id=fid, assignee="mk2"), HOST)
    assert err.value.code == "followup_may_not_reassign"
    with pytest.raises(NotFound) as err:
        svc.execute(ReassignFollowUp(followup_id=fid, assignee="nobody"), ORG)
    assert err.value.code == "followup_unknown_staff"
    with pytest.raises(RuleRefused) as err:  # the door staff do not make calls
        svc.execute(ReassignFollowUp(followup_id=fid, assignee="ck2"), ORG)
    assert err.value.code == "followup_cannot_work"
    moved = svc.execute(ReassignFollowUp(followup_id=fid, assignee="mk2"), ORG)
    assert (moved["assignee"], moved["previous"], moved["changed"]) == ("mk2", "mk3", True)
    assert followups(svc)[fid]["assignee"] == "mk2"
    # the new assignee works it; the old one no longer may
    with pytest.raises(PermissionDenied):
        svc.execute(RecordFollowUpOutcome(followup_id=fid, outcome="reached"), HOST)
    svc.execute(ReassignFollowUp(followup_id=fid, assignee="mk3"), HEAD)
    svc.execute(ReassignFollowUp(followup_id=fid, assignee="mk2"), ADMIN)
    svc.execute(RecordFollowUpOutcome(followup_id=fid, outcome="reached"), MK)


def test_the_desk_lists_open_ones_overdue_first_with_masked_mobiles(svc):
    close(svc)
    svc.execute(RescheduleFollowUp(followup_id=f"{SESSION}-IN-C000005", due="2026-11-25"), MK)
    svc.execute(
        RecordFollowUpOutcome(
            followup_id=f"{SESSION}-UC-C000008", outcome="not_reached", note="空号"
        ),
        MK,
    )
    svc.execute(RecordFollowUpOutcome(followup_id=f"{SESSION}-IN-C000011", outcome="reached"), MK)
    from datetime import date

    mine = my_followups(svc.engine, "mk2", today=date(2026, 11, 24))
    assert [r.followup_id for r in mine] == [
        f"{SESSION}-FP-C000001-F01",
        f"{SESSION}-FP-C000001-F03",
        f"{SESSION}-IC-C000010",
        f"{SESSION}-UC-C000008",
        f"{SESSION}-IN-C000005",
    ]
    first = mine[0]
    assert (
        first.overdue,
        first.days_overdue,
        first.client_name,
        first.mobile,
        first.session_id,
        first.due,
    ) == (True, 1, "张三", "138****0001", SESSION, "2026-11-23")
    assert mine[-1].overdue is False
    tried = mine[3]
    assert (tried.attempts, tried.note, tried.status) == (1, "空号", "open")
    with_done = my_followups(svc.engine, "mk2", today=date(2026, 11, 24), include_done=True)
    assert with_done[-1].followup_id == f"{SESSION}-IN-C000011"
    assert with_done[-1].done_at == "2026-11-20T16:00:00+08:00"

    everything = list_followups(svc.engine)
    assert not isinstance(everything, list)  # streamed
    assert len(list(everything)) == 9
    host = list(
        list_followups(
            svc.engine,
            assignee="mk3",
            status="open",
            branch="B02",
            session=SESSION,
            due_from="2026-11-24",
            due_to="2026-11-30",
        )
    )
    assert [r.followup_id for r in host] == [f"{SESSION}-AR-C000002-F02"]
    assert host[0].assignee_name == "孙八"
    full = next(iter(list_followups(svc.engine, assignee="mk3", unmasked=True)))
    assert full.mobile == "13800000002"
    counts = followup_counts(svc.engine, today=date(2026, 11, 24))
    assert (counts["total"], counts["open"], counts["done"], counts["overdue"]) == (9, 8, 1, 6)
    assert counts["by_kind"]["invite_next"] == {"open": 1, "done": 1}
    assert counts["by_outcome"] == {"reached": 1, "not_reached": 1}
    assert followup_counts(svc.engine, assignee="mk3")["total"] == 3


def test_rebuilt_follow_ups_equal_the_live_ones(svc):
    close(svc)
    form = submit(svc, "C000003")
    svc.execute(ApproveForm(form_id=form["form_id"], pin=PIN), HEAD)
    svc.execute(
        RecordFollowUpOutcome(
            followup_id=f"{SESSION}-IN-C000005", outcome="not_reached", note="忙"
        ),
        MK,
    )
    svc.execute(RescheduleFollowUp(followup_id=f"{SESSION}-IN-C000005", due="2026-11-28"), MK)
    svc.execute(ReassignFollowUp(followup_id=f"{SESSION}-UC-C000008", assignee="mk3"), ORG)
    live = dump_read_tables(svc.engine)
    assert len(live["followups"]) == 10
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live
