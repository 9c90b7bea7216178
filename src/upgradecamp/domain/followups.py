"""Follow-ups (事后跟进): which ones a closed session owes, and the life of one follow-up.

Pure decisions shared by the handlers and the policies. `plan_followups` turns the facts of a
closed session (its forms, attendees, invitations, the clients' relationship managers and
contact status, the branch's next session, the close's business date) into the follow-ups it
owes; the ids are derived from the session, the kind, the client (and the form), so deciding
twice gives the same ids and a second close creates nothing twice. `FollowUpState` is one
follow-up as rebuilt from its stream `followup-{id}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import singledispatch

from upgradecamp.domain.commands.base import Command
from upgradecamp.domain.errors import BadInput, RuleRefused
from upgradecamp.domain.events import (
    DomainEvent,
    FollowUpCreated,
    FollowUpOutcomeRecorded,
    FollowUpReassigned,
    FollowUpReopened,
    FollowUpRescheduled,
    MaintenanceCallPlanned,
)

FULFIL_PHOTO = "fulfil_photo"
APPOINTMENT_REMINDER = "appointment_reminder"
INTENTION_CALL = "intention_call"
INVITE_NEXT = "invite_next"
UPDATE_CONTACT = "update_contact"
# A cancelled session's confirmed invitees are called: told, and offered the branch's next one.
CANCEL_CALL = "cancel_call"
# A complaint made in a feedback form: the branch head's, urgent, due the next working day.
COMPLAINT = "complaint"
KINDS = (
    FULFIL_PHOTO,
    APPOINTMENT_REMINDER,
    INTENTION_CALL,
    INVITE_NEXT,
    UPDATE_CONTACT,
    CANCEL_CALL,
    COMPLAINT,
)
KIND_SHORT = {
    FULFIL_PHOTO: "FP",
    APPOINTMENT_REMINDER: "AR",
    INTENTION_CALL: "IC",
    INVITE_NEXT: "IN",
    UPDATE_CONTACT: "UC",
    CANCEL_CALL: "CX",
    COMPLAINT: "CP",
}
URGENT = (COMPLAINT,)

OUTCOMES = ("reached", "not_reached", "converted", "declined")
NOT_REACHED = "not_reached"
CONVERTED = "converted"
OPEN, DONE = "open", "done"
STATUSES = (OPEN, DONE)

DUE_DAYS = 3
NOTE_MAX = 500
# A later approved form closes these as converted. A photo and benefits still owed for an
# approved form are a delivery, not a sale to win, so a fulfilment stays open whatever else the
# client signs; an appointment is kept by any approval (the appointment bonus reads it so too).
CONVERTIBLE = (APPOINTMENT_REMINDER, INTENTION_CALL, INVITE_NEXT, UPDATE_CONTACT, CANCEL_CALL)

# Form statuses (as domain/forms.py names them) that count as "the client has a form".
_APPROVED = "approved"
_PENDING = ("submitted", "returned")
# Invitation states after which the client is not invited again by a follow-up.
_NO_INVITE_STATES = frozenset({"declined", "opted_out", "wrong_number"})
_WRONG_NUMBER = "wrong_number"


@dataclass(frozen=True)
class ReopenFollowUps(Command):
    """Reopen the follow-ups form `form_id` converted, because it was cancelled after its
    approval. Run by the FormCancelled policy only (as the system)."""

    form_id: str


@dataclass(frozen=True)
class ConvertFollowUps(Command):
    """Close a client's open follow-ups as converted because form `form_id` was approved.

    Run by the FormApproved policy only (as the system); not a command people type, so it
    lives beside the rule it carries out.
    """

    client_id: str
    form_id: str


# --- what a closed session owes -----------------------------------------------------------


@dataclass(frozen=True)
class ClientFacts:
    """What the register says about reaching a client."""

    client_id: str
    rm: str | None = None
    unreachable: bool = False
    consent: bool = True


@dataclass(frozen=True)
class FormFacts:
    """One form of the session; `approved_on` is the Shanghai day it was approved."""

    form_id: str
    client_id: str
    status: str
    appointment: date | None = None
    approved_on: date | None = None


@dataclass(frozen=True)
class InvitationFacts:
    invitation_id: str
    client_id: str
    state: str


@dataclass(frozen=True)
class ClosedSession:
    """The facts of a closed session that decide its follow-ups.

    `attendees` are the clients with a check-in not annulled; `staff` the staff codes that
    exist (a relationship manager who is not one of them cannot be the assignee);
    `next_session_id` the branch's next planned or open session after this one, if any.
    """

    session_id: str
    host: str
    closed_on: date
    attendees: frozenset[str] = frozenset()
    forms: tuple[FormFacts, ...] = ()
    invitations: tuple[InvitationFacts, ...] = ()
    clients: Mapping[str, ClientFacts] = field(default_factory=dict)
    staff: frozenset[str] = frozenset()
    next_session_id: str | None = None


@dataclass(frozen=True)
class PlannedFollowUp:
    followup_id: str
    kind: str
    client_id: str
    assignee: str
    due: date
    form_id: str | None = None
    next_session_id: str | None = None


def followup_id(session_id: str, kind: str, client_id: str, form_id: str | None = None) -> str:
    """`B02-20261120-1500-IC-C000001`; with a form its number too (`…-FP-C000001-F01`), so
    two approved forms of one client owe two fulfilments."""
    base = f"{session_id}-{KIND_SHORT[kind]}-{client_id}"
    if form_id is None:
        return base
    return f"{base}-{form_id.removeprefix(f'{session_id}-')}"


def assignee_for(client: ClientFacts | None, host: str, staff: Iterable[str]) -> str:
    """The client's relationship manager if that is a member of staff, else the host."""
    if client is not None and client.rm and client.rm in staff:
        return client.rm
    return host


def plan_followups(session: ClosedSession) -> list[PlannedFollowUp]:
    """The follow-ups a closed session owes, in a stable order (kind, client, form).

    - every approved form: fulfil the benefits and deliver the photo, due 3 days after the
      close (or after a later approval);
    - every approved form with an appointment: a reminder call the day before it (the close
      day, or the approval day, if that is already past);
    - every attendee with no approved or pending form: an intention call, due in 3 days;
    - every invitee who did not come, did not decline or opt out, whose number is not wrong
      and who is reachable with marketing consent: an invitation to the branch's next
      session (`next_session_id`, None when none is planned yet), due in 3 days;
    - every invitee whose number was wrong, and every invitee or attendee marked
      unreachable: update the contact details, due in 3 days.
    """
    staff = frozenset(session.staff)
    plans: list[PlannedFollowUp] = []

    def add(
        kind: str,
        client_id: str,
        due: date,
        form_id: str | None = None,
        next_session_id: str | None = None,
    ) -> None:
        plans.append(
            PlannedFollowUp(
                followup_id=followup_id(session.session_id, kind, client_id, form_id),
                kind=kind,
                client_id=client_id,
                assignee=assignee_for(session.clients.get(client_id), session.host, staff),
                due=due,
                form_id=form_id,
                next_session_id=next_session_id,
            )
        )

    in_three_days = session.closed_on + timedelta(days=DUE_DAYS)
    with_form: set[str] = set()
    for form in session.forms:
        if form.status in _PENDING:
            with_form.add(form.client_id)
        if form.status != _APPROVED:
            continue
        with_form.add(form.client_id)
        start = max(session.closed_on, form.approved_on or session.closed_on)
        add(FULFIL_PHOTO, form.client_id, start + timedelta(days=DUE_DAYS), form.form_id)
        if form.appointment is not None:
            add(
                APPOINTMENT_REMINDER,
                form.client_id,
                max(start, form.appointment - timedelta(days=1)),
                form.form_id,
            )
    for client_id in sorted(session.attendees - with_form):
        add(INTENTION_CALL, client_id, in_three_days)

    contact: set[str] = set()
    for inv in sorted(session.invitations, key=lambda i: (i.client_id, i.invitation_id)):
        client = session.clients.get(inv.client_id, ClientFacts(inv.client_id))
        if inv.state == _WRONG_NUMBER or client.unreachable:
            contact.add(inv.client_id)
        elif (
            inv.client_id not in session.attendees
            and inv.state not in _NO_INVITE_STATES
            and client.consent
        ):
            add(INVITE_NEXT, inv.client_id, in_three_days, next_session_id=session.next_session_id)
    contact.update(
        c for c in session.attendees if c in session.clients and session.clients[c].unreachable
    )
    for client_id in sorted(contact):
        add(UPDATE_CONTACT, client_id, in_three_days)

    unique = {p.followup_id: p for p in plans}
    return sorted(
        unique.values(), key=lambda p: (KINDS.index(p.kind), p.client_id, p.form_id or "")
    )


# --- one follow-up ------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpState:
    """A follow-up as rebuilt from its stream; `version` 0 means there is no such follow-up."""

    followup_id: str = ""
    version: int = 0
    kind: str = ""
    session_id: str = ""
    client_id: str = ""
    form_id: str | None = None
    assignee: str = ""
    due: date | None = None
    status: str = OPEN
    outcome: str | None = None
    attempts: int = 0
    done_at: datetime | None = None
    done_by: str | None = None
    converted_by: str | None = None  # the form whose approval closed it automatically

    @property
    def exists(self) -> bool:
        return self.version > 0


def evolve(
    state: FollowUpState, event: DomainEvent, at: datetime, actor: str | None
) -> FollowUpState:
    """Apply one event of the follow-up's stream (`at` and `actor` from the log)."""
    return _apply(event, replace(state, version=state.version + 1), at, actor)


@singledispatch
def _apply(
    event: DomainEvent, state: FollowUpState, at: datetime, actor: str | None
) -> FollowUpState:
    return state


@_apply.register
def _created(
    event: FollowUpCreated, state: FollowUpState, at: datetime, actor: str | None
) -> FollowUpState:
    return replace(
        state,
        followup_id=event.followup_id,
        kind=event.kind,
        session_id=event.session_id,
        client_id=event.client_id,
        form_id=event.form_id,
        assignee=event.assignee,
        due=event.due,
    )


@_apply.register
def _planned(
    event: MaintenanceCallPlanned, state: FollowUpState, at: datetime, actor: str | None
) -> FollowUpState:
    return replace(
        state,
        followup_id=event.followup_id,
        kind=event.kind,
        session_id="",
        client_id=event.client_id,
        form_id=None,
        assignee=event.assignee,
        due=event.due,
    )


@_apply.register
def _outcome(
    event: FollowUpOutcomeRecorded, state: FollowUpState, at: datetime, actor: str | None
) -> FollowUpState:
    attempts = state.attempts + (0 if event.automatic else 1)
    if event.outcome == NOT_REACHED:
        return replace(state, outcome=NOT_REACHED, attempts=attempts)
    return replace(
        state,
        outcome=event.outcome,
        attempts=attempts,
        status=DONE,
        done_at=at,
        done_by=actor,
        converted_by=event.form_id if event.automatic else None,
    )


@_apply.register
def _reopened(
    event: FollowUpReopened, state: FollowUpState, at: datetime, actor: str | None
) -> FollowUpState:
    return replace(state, status=OPEN, outcome=None, done_at=None, done_by=None, converted_by=None)


@_apply.register
def _rescheduled(
    event: FollowUpRescheduled, state: FollowUpState, at: datetime, actor: str | None
) -> FollowUpState:
    return replace(state, due=event.due)


@_apply.register
def _reassigned(
    event: FollowUpReassigned, state: FollowUpState, at: datetime, actor: str | None
) -> FollowUpState:
    return replace(state, assignee=event.assignee)


def check_outcome(outcome: str) -> str:
    value = (outcome or "").strip().lower()
    if value not in OUTCOMES:
        raise BadInput(
            f"'{outcome}' is not an outcome; use one of {', '.join(OUTCOMES)}",
            "followup_bad_outcome",
            outcome=outcome,
            allowed=", ".join(OUTCOMES),
        )
    return value


def check_note(note: str | None) -> str:
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise BadInput(
            f"the note has {len(text)} characters; keep it under {NOTE_MAX}",
            "followup_note_too_long",
            length=len(text),
            limit=NOTE_MAX,
        )
    return text


def check_open(state: FollowUpState, local_label: str) -> None:
    """Refuse to work on a closed follow-up, saying who closed it, when and how."""
    if state.status == DONE:
        raise RuleRefused(
            f"follow-up {state.followup_id} was already closed ({state.outcome}) by "
            f"{state.done_by} at {local_label}; nothing was changed",
            "followup_already_done",
            followup=state.followup_id,
            outcome=state.outcome or "",
            by=state.done_by or "",
            at=local_label,
        )


def parse_due(text: str, today: date) -> date:
    """A new due date: YYYY-MM-DD, today (Shanghai) or later."""
    try:
        due = date.fromisoformat((text or "").strip())
    except ValueError:
        raise BadInput(
            f"due date '{text}' is not a date; write it as YYYY-MM-DD",
            "followup_bad_due",
            value=text,
        ) from None
    if due < today:
        raise BadInput(
            f"the due date {due.isoformat()} is in the past; choose today "
            f"({today.isoformat()}) or later",
            "followup_due_past",
            due=due.isoformat(),
            today=today.isoformat(),
        )
    return due
