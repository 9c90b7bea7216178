"""Follow-up rules on hand-made facts: each rule, assignees, due dates, ids, the life of one."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from upgradecamp.domain import followups as fu
from upgradecamp.domain.errors import BadInput, RuleRefused
from upgradecamp.domain.events import EVENT_TYPES
from upgradecamp.domain.followups import (
    ClientFacts,
    ClosedSession,
    FormFacts,
    InvitationFacts,
    plan_followups,
)

SID = "B02-20261120-1500"
CLOSED_ON = date(2026, 11, 20)


def session(**kw) -> ClosedSession:
    base = dict(
        session_id=SID,
        host="host1",
        closed_on=CLOSED_ON,
        staff=frozenset({"rm1"}),
        next_session_id="B02-20261127-1500",
    )
    base.update(kw)
    return ClosedSession(**base)


def plans(s: ClosedSession) -> list[tuple]:
    return [
        (
            p.followup_id,
            p.kind,
            p.client_id,
            p.assignee,
            p.due.isoformat(),
            p.form_id,
            p.next_session_id,
        )
        for p in plan_followups(s)
    ]


def test_an_approved_form_owes_the_fulfilment_due_in_three_days():
    s = session(
        attendees=frozenset({"C1"}),
        forms=(FormFacts(f"{SID}-F01", "C1", "approved", approved_on=CLOSED_ON),),
        clients={"C1": ClientFacts("C1", rm="rm1")},
    )
    assert plans(s) == [
        (f"{SID}-FP-C1-F01", "fulfil_photo", "C1", "rm1", "2026-11-23", f"{SID}-F01", None)
    ]


def test_two_approved_forms_of_one_client_owe_two_fulfilments():
    s = session(
        attendees=frozenset({"C1"}),
        forms=(
            FormFacts(f"{SID}-F01", "C1", "approved"),
            FormFacts(f"{SID}-F03", "C1", "approved"),
        ),
    )
    assert [p[0] for p in plans(s)] == [f"{SID}-FP-C1-F01", f"{SID}-FP-C1-F03"]


def test_an_appointment_is_reminded_the_day_before_or_at_once_when_that_is_past():
    s = session(
        attendees=frozenset({"C1", "C2"}),
        forms=(
            FormFacts(f"{SID}-F01", "C1", "approved", appointment=date(2026, 11, 28)),
            FormFacts(f"{SID}-F02", "C2", "approved", appointment=date(2026, 11, 20)),
        ),
    )
    reminders = [(p[0], p[4]) for p in plans(s) if p[1] == "appointment_reminder"]
    assert reminders == [(f"{SID}-AR-C1-F01", "2026-11-27"), (f"{SID}-AR-C2-F02", "2026-11-20")]


def test_a_late_approval_counts_its_days_from_the_approval():
    s = session(
        attendees=frozenset({"C1"}),
        forms=(
            FormFacts(
                f"{SID}-F01",
                "C1",
                "approved",
                appointment=date(2026, 11, 22),
                approved_on=date(2026, 11, 23),
            ),
        ),
    )
    assert [(p[1], p[4]) for p in plans(s)] == [
        ("fulfil_photo", "2026-11-26"),
        ("appointment_reminder", "2026-11-23"),
    ]


def test_an_appointment_on_a_form_not_approved_owes_nothing():
    s = session(
        attendees=frozenset({"C1"}),
        forms=(FormFacts(f"{SID}-F01", "C1", "rejected", appointment=date(2026, 11, 28)),),
    )
    assert [p[1] for p in plans(s)] == ["intention_call"]


def test_attendees_without_an_approved_or_pending_form_get_an_intention_call():
    s = session(
        attendees=frozenset({"C1", "C2", "C3", "C4", "C5"}),
        forms=(
            FormFacts(f"{SID}-F01", "C1", "approved"),
            FormFacts(f"{SID}-F02", "C2", "submitted"),
            FormFacts(f"{SID}-F03", "C3", "returned"),
            FormFacts(f"{SID}-F04", "C4", "rejected"),
        ),
    )
    calls = [(p[0], p[2], p[4]) for p in plans(s) if p[1] == "intention_call"]
    assert calls == [(f"{SID}-IC-C4", "C4", "2026-11-23"), (f"{SID}-IC-C5", "C5", "2026-11-23")]


def test_invitees_who_did_not_come_are_invited_to_the_next_session_unless_they_said_no():
    invs = tuple(
        InvitationFacts(f"{SID}-{n:03d}", f"C{n}", state)
        for n, state in enumerate(
            (
                "confirmed",
                "sent",
                "no_answer",
                "call_back",
                "invited",
                "declined",
                "opted_out",
                "wrong_number",
                "confirmed",
                "confirmed",
            ),
            start=1,
        )
    )
    s = session(
        attendees=frozenset({"C1"}),
        invitations=invs,
        clients={
            "C9": ClientFacts("C9", unreachable=True),
            "C10": ClientFacts("C10", consent=False),
            "C2": ClientFacts("C2", rm="rm1"),
            "C3": ClientFacts("C3", rm="gone"),
        },
    )
    invites = [(p[2], p[3], p[6]) for p in plans(s) if p[1] == "invite_next"]
    assert invites == [
        ("C2", "rm1", "B02-20261127-1500"),
        ("C3", "host1", "B02-20261127-1500"),
        ("C4", "host1", "B02-20261127-1500"),
        ("C5", "host1", "B02-20261127-1500"),
    ]
    contact = [(p[0], p[2]) for p in plans(s) if p[1] == "update_contact"]
    assert contact == [(f"{SID}-UC-C8", "C8"), (f"{SID}-UC-C9", "C9")]


def test_invite_next_is_owed_even_when_no_next_session_is_planned():
    s = session(
        next_session_id=None, invitations=(InvitationFacts(f"{SID}-001", "C1", "confirmed"),)
    )
    assert plans(s) == [(f"{SID}-IN-C1", "invite_next", "C1", "host1", "2026-11-23", None, None)]


def test_an_attendee_marked_unreachable_gets_contact_details_updated_too():
    s = session(
        attendees=frozenset({"C1"}),
        invitations=(InvitationFacts(f"{SID}-001", "C1", "wrong_number"),),
        clients={"C1": ClientFacts("C1", unreachable=True)},
    )
    assert [p[1] for p in plans(s)] == ["intention_call", "update_contact"]


def test_the_plan_is_the_same_every_time_and_ids_never_repeat():
    invs = tuple(InvitationFacts(f"{SID}-{n:03d}", f"C{n}", "confirmed") for n in range(1, 6))
    s = session(
        attendees=frozenset({"C1", "C2"}),
        invitations=invs,
        forms=(FormFacts(f"{SID}-F01", "C1", "approved", appointment=date(2026, 12, 1)),),
    )
    once, twice = (
        plans(s),
        plans(
            session(
                attendees=frozenset({"C2", "C1"}), invitations=tuple(reversed(invs)), forms=s.forms
            )
        ),
    )
    assert once == twice
    assert len({p[0] for p in once}) == len(once)
    assert [p[1] for p in once] == [
        "fulfil_photo",
        "appointment_reminder",
        "intention_call",
        "invite_next",
        "invite_next",
        "invite_next",
    ]


def test_the_assignee_is_the_relationship_manager_only_when_that_is_staff():
    assert fu.assignee_for(ClientFacts("C1", rm="rm1"), "host1", {"rm1"}) == "rm1"
    assert fu.assignee_for(ClientFacts("C1", rm="left"), "host1", {"rm1"}) == "host1"
    assert fu.assignee_for(ClientFacts("C1"), "host1", {"rm1"}) == "host1"
    assert fu.assignee_for(None, "host1", {"rm1"}) == "host1"


AT = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def created(**kw):
    payload = {
        "followup_id": "X-IC-C1",
        "kind": "intention_call",
        "session_id": "X",
        "client_id": "C1",
        "assignee": "mk1",
        "due": "2026-11-23",
    }
    payload.update(kw)
    return step(fu.FollowUpState(), "FollowUpCreated", payload, "system")


def step(state: fu.FollowUpState, event_type: str, payload: dict, actor: str) -> fu.FollowUpState:
    event = EVENT_TYPES[event_type].model_validate({"followup_id": "X-IC-C1", **payload})
    return fu.evolve(state, event, AT, actor)


def test_not_reached_keeps_it_open_and_counts_a_try_the_rest_close_it():
    state = created()
    assert state.exists and state.status == "open" and state.due == date(2026, 11, 23)
    state = step(state, "FollowUpOutcomeRecorded", {"outcome": "not_reached"}, "mk1")
    assert (state.status, state.attempts, state.outcome) == ("open", 1, "not_reached")
    state = step(state, "FollowUpOutcomeRecorded", {"outcome": "reached"}, "mk1")
    assert (state.status, state.attempts, state.done_by, state.done_at) == ("done", 2, "mk1", AT)
    with pytest.raises(RuleRefused) as err:
        fu.check_open(state, "2026-11-21 11:00")
    assert err.value.code == "followup_already_done"
    assert err.value.params["by"] == "mk1" and "11:00" in err.value.message


def test_an_automatic_conversion_is_not_a_try():
    state = step(
        created(), "FollowUpOutcomeRecorded", {"outcome": "converted", "automatic": True}, "system"
    )
    assert (state.status, state.attempts, state.outcome) == ("done", 0, "converted")


def test_reschedule_and_reassign_change_the_due_date_and_assignee():
    state = step(created(), "FollowUpRescheduled", {"due": "2026-11-30"}, "mk1")
    state = step(state, "FollowUpReassigned", {"assignee": "mk2"}, "org1")
    assert (state.due, state.assignee, state.version) == (date(2026, 11, 30), "mk2", 3)


def test_outcomes_notes_and_due_dates_are_checked():
    assert fu.check_outcome(" Reached ") == "reached"
    with pytest.raises(BadInput) as err:
        fu.check_outcome("maybe")
    assert err.value.code == "followup_bad_outcome"
    with pytest.raises(BadInput) as err:
        fu.check_note("x" * 501)
    assert err.value.code == "followup_note_too_long"
    today = date(2026, 11, 20)
    assert fu.parse_due("2026-11-20", today) == today
    for text, code in (("2026-11-19", "followup_due_past"), ("next week", "followup_bad_due")):
        with pytest.raises(BadInput) as err:
            fu.parse_due(text, today)
        assert err.value.code == code
