"""Handlers of the follow-up commands (see `domain/commands/followups.py`).

The rules live in `domain/followups.py`. Creating reads the closed session's facts from the
read tables and records one `FollowUpCreated` per follow-up whose stream does not exist yet, so
running it again (a second close, a late approval, a retry) creates only what is missing. The
other handlers fold the follow-up's own stream `followup-{id}` and record at its version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select

from upgradecamp.domain import followups as rules
from upgradecamp.domain.clock import business_date, local_minute
from upgradecamp.domain.commands.followups import (
    CreateFollowUps,
    ReassignFollowUp,
    RecordFollowUpOutcome,
    RescheduleFollowUp,
)
from upgradecamp.domain.errors import NotFound, PermissionDenied, RuleRefused
from upgradecamp.domain.events import SessionClosed, streams
from upgradecamp.domain.events.followups import (
    FollowUpCreated,
    FollowUpOutcomeRecorded,
    FollowUpReassigned,
    FollowUpReopened,
    FollowUpRescheduled,
)
from upgradecamp.domain.followups import ConvertFollowUps, ReopenFollowUps
from upgradecamp.domain.staff import Actor
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.tables import ClientRow, StaffRow
from upgradecamp.store.tables.followups import FollowUpRow
from upgradecamp.store.tables.forms import FormRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

CLOSED = "closed"
NEXT_SESSION_STATUSES = ("planned", "open")


def _label(at: datetime | None) -> str:
    return "" if at is None else local_minute(at)


def load_followup(uow: UnitOfWork, followup_id: str) -> rules.FollowUpState:
    state = rules.FollowUpState(followup_id=followup_id)
    for ev in uow.read_stream(streams.followup(followup_id)):
        state = rules.evolve(state, ev.event, ev.recorded_at, ev.meta.get("actor"))
    return state


def _existing(uow: UnitOfWork, followup_id: str) -> rules.FollowUpState:
    state = load_followup(uow, followup_id)
    if not state.exists:
        raise NotFound(
            f"no follow-up has the id '{followup_id}'; see `upgradecamp followups list`",
            "followup_not_found",
            followup=followup_id,
        )
    return state


def _may_work(uow: UnitOfWork, state: rules.FollowUpState, doing: str) -> None:
    """The assignee works their follow-up; organizers, branch heads and admins any."""
    if uow.actor.code == state.assignee or uow.actor.may("followups.manage"):
        return
    raise PermissionDenied(
        f"follow-up {state.followup_id} is assigned to {state.assignee}; {uow.actor.code} "
        f"({uow.actor.role}) may not {doing} it. Ask {state.assignee}, or an organizer to "
        "reassign it",
        "followup_not_yours",
        followup=state.followup_id,
        assignee=state.assignee,
        staff=uow.actor.code,
    )


def _result(state: rules.FollowUpState, **extra: Any) -> dict[str, Any]:
    return {
        "followup_id": state.followup_id,
        "kind": state.kind,
        "session_id": state.session_id,
        "client_id": state.client_id,
        "form_id": state.form_id,
        "assignee": state.assignee,
        "due": state.due.isoformat() if state.due else None,
        "status": state.status,
        "outcome": state.outcome,
        "attempts": state.attempts,
        **extra,
    }


# --- creating -----------------------------------------------------------------------------


def _closed_on(uow: UnitOfWork, session_id: str) -> Any:
    """The Shanghai day the session was closed, from its stream (the same on every re-run)."""
    closes = [
        ev
        for ev in uow.read_stream(streams.session(session_id))
        if isinstance(ev.event, SessionClosed)
    ]
    return business_date(closes[-1].recorded_at if closes else uow.clock())


def _session_facts(uow: UnitOfWork, session: dict[str, Any]) -> rules.ClosedSession:
    sid = session["session_id"]
    conn = uow.conn
    attendees = frozenset(
        c
        for (c,) in conn.execute(
            select(CheckInRow.client_id)
            .where(CheckInRow.session_id == sid, col(CheckInRow.annulled).is_(False))
            .distinct()
        )
    )
    forms = tuple(
        rules.FormFacts(
            form_id=r.form_id,
            client_id=r.client_id,
            status=r.status,
            appointment=r.appointment,
            approved_on=business_date(r.decided_at)
            if r.status == "approved" and r.decided_at
            else None,
        )
        for r in conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                FormRow.form_id,
                FormRow.client_id,
                FormRow.status,
                FormRow.appointment,
                FormRow.decided_at,
            )
            .where(FormRow.session_id == sid)
            .order_by(FormRow.form_id)
        )
    )
    invitations = tuple(
        rules.InvitationFacts(r.invitation_id, r.client_id, r.state)
        for r in conn.execute(
            select(InvitationRow.invitation_id, InvitationRow.client_id, InvitationRow.state).where(
                InvitationRow.session_id == sid
            )
        )
    )
    wanted = sorted(attendees | {f.client_id for f in forms} | {i.client_id for i in invitations})
    clients: dict[str, rules.ClientFacts] = {}
    for start in range(0, len(wanted), 500):
        for r in conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                ClientRow.client_id,
                ClientRow.rm,
                ClientRow.contact_status,
                ClientRow.marketing_consent,
                ClientRow.consent_withdrawn,
            ).where(col(ClientRow.client_id).in_(wanted[start : start + 500]))
        ):
            clients[r.client_id] = rules.ClientFacts(
                client_id=r.client_id,
                rm=r.rm or None,
                unreachable=r.contact_status == "unreachable",
                consent=bool(r.marketing_consent) and not r.consent_withdrawn,
            )
    staff = registered_staff(conn, {c.rm for c in clients.values() if c.rm})
    following = conn.execute(
        select(SessionRow.session_id)
        .where(
            SessionRow.branch == session["branch"],
            col(SessionRow.status).in_(NEXT_SESSION_STATUSES),
            SessionRow.starts_at > session["starts_at"],
            SessionRow.session_id != sid,
        )
        .order_by(col(SessionRow.starts_at), SessionRow.session_id)
        .limit(1)
    ).first()
    return rules.ClosedSession(
        session_id=sid,
        host=session["host"],
        closed_on=_closed_on(uow, sid),
        attendees=attendees,
        forms=forms,
        invitations=invitations,
        clients=clients,
        staff=staff,
        next_session_id=following.session_id if following else None,
    )


def registered_staff(conn: Any, codes: set[str]) -> frozenset[str]:
    """Which of `codes` (clients' relationship managers) are staff of upgradecamp."""
    if not codes:
        return frozenset()
    found = conn.execute(select(StaffRow.code).where(col(StaffRow.code).in_(sorted(codes))))
    return frozenset(code for (code,) in found)


def session_owing_calls(uow: UnitOfWork, session_id: str, who_creates: str) -> dict[str, Any]:
    """The session whose follow-ups or calls are to be recorded, once the actor may record
    them (`who_creates` says how they come about otherwise)."""
    if not uow.actor.may("sessions.manage"):
        raise PermissionDenied(
            f"{uow.actor.code} ({uow.actor.role}) may not create follow-ups; {who_creates}, "
            "or ask an organizer",
            "followup_may_not_create",
            staff=uow.actor.code,
        )
    session = uow.rows.get(SessionRow, session_id)
    if session is None:
        raise NotFound(
            f"no session has the id '{session_id}'; see `upgradecamp sessions list`",
            "followup_session_not_found",
            session=session_id,
        )
    return session


def create_followups(uow: UnitOfWork, cmd: CreateFollowUps) -> dict[str, Any]:
    """Record the follow-ups a closed session owes that are not recorded yet.

    The result: `created` and `already_there` (counts), and `followups`, the created ones.
    """
    session = session_owing_calls(uow, cmd.session_id, "closing a session creates them")
    if session["status"] != CLOSED:
        raise RuleRefused(
            f"session {cmd.session_id} is {session['status']}, not closed; follow-ups are "
            f"created when it closes (`upgradecamp sessions close {cmd.session_id}`)",
            "followup_session_not_closed",
            session=cmd.session_id,
            status=session["status"],
        )
    created, already = record_planned(
        uow, cmd.session_id, rules.plan_followups(_session_facts(uow, session))
    )
    return {
        "session_id": cmd.session_id,
        "created": len(created),
        "already_there": already,
        "followups": created,
    }


def record_planned(
    uow: UnitOfWork,
    session_id: str,
    plans: list[rules.PlannedFollowUp],
    *,
    with_form: bool = True,
) -> tuple[list[dict[str, Any]], int]:
    """Record each planned follow-up not recorded yet (ids are derived, so a repeat creates
    nothing twice): what was created, as the result shows it, and how many were there."""
    created: list[dict[str, Any]] = []
    already = 0
    for plan in plans:
        if uow.stream_version(streams.followup(plan.followup_id)):
            already += 1
            continue
        uow.record(
            FollowUpCreated(
                followup_id=plan.followup_id,
                kind=plan.kind,
                session_id=session_id,
                client_id=plan.client_id,
                form_id=plan.form_id,
                assignee=plan.assignee,
                due=plan.due,
                next_session_id=plan.next_session_id,
            )
        )
        shown: dict[str, Any] = {
            "followup_id": plan.followup_id,
            "kind": plan.kind,
            "client_id": plan.client_id,
        }
        if with_form:
            shown["form_id"] = plan.form_id
        shown |= {
            "assignee": plan.assignee,
            "due": plan.due.isoformat(),
            "next_session_id": plan.next_session_id,
        }
        created.append(shown)
    return created, already


# --- working one --------------------------------------------------------------------------


def record_outcome(uow: UnitOfWork, cmd: RecordFollowUpOutcome) -> dict[str, Any]:
    """An attempt: `not_reached` keeps the follow-up open (one more attempt); the rest close
    it. A closed follow-up refuses, saying who closed it and when."""
    state = _existing(uow, cmd.followup_id)
    _may_work(uow, state, "record an outcome of")
    rules.check_open(state, _label(state.done_at))
    outcome = rules.check_outcome(cmd.outcome)
    note = rules.check_note(cmd.note)
    recorded = FollowUpOutcomeRecorded(
        followup_id=cmd.followup_id, outcome=outcome, note=note, client_id=state.client_id
    )
    uow.record(recorded)
    return _result(rules.evolve(state, recorded, uow.clock(), uow.actor.code), note=note)


def reschedule(uow: UnitOfWork, cmd: RescheduleFollowUp) -> dict[str, Any]:
    state = _existing(uow, cmd.followup_id)
    _may_work(uow, state, "reschedule")
    rules.check_open(state, _label(state.done_at))
    due = rules.parse_due(cmd.due, business_date(uow.clock()))
    reason = rules.check_note(cmd.reason)
    if due == state.due:
        return _result(state, changed=False)
    rescheduled = FollowUpRescheduled(followup_id=cmd.followup_id, due=due, reason=reason)
    uow.record(rescheduled)
    return _result(
        rules.evolve(state, rescheduled, uow.clock(), uow.actor.code), changed=True, reason=reason
    )


def reassign(uow: UnitOfWork, cmd: ReassignFollowUp) -> dict[str, Any]:
    if not uow.actor.may("followups.manage"):
        raise PermissionDenied(
            f"{uow.actor.code} ({uow.actor.role}) may not reassign follow-ups; ask an "
            "organizer or a branch head",
            "followup_may_not_reassign",
            staff=uow.actor.code,
        )
    state = _existing(uow, cmd.followup_id)
    rules.check_open(state, _label(state.done_at))
    to = (cmd.assignee or "").strip()
    member = uow.rows.get(StaffRow, to) if to else None
    if member is None:
        raise NotFound(
            f"no staff member has the code '{to}'; see `upgradecamp staff list`",
            "followup_unknown_staff",
            staff=to,
        )
    candidate = Actor(code=to, role=member["role"])
    if not (candidate.may("followups.work") or candidate.may("followups.manage")):
        raise RuleRefused(
            f"{to} ({member['role']}) does not work follow-ups; give it to a "
            "marketer, an organizer or a branch head",
            "followup_cannot_work",
            staff=to,
            role=member["role"],
        )
    if to == state.assignee:
        return _result(state, changed=False)
    reassigned = FollowUpReassigned(followup_id=cmd.followup_id, assignee=to)
    uow.record(reassigned)
    return _result(
        rules.evolve(state, reassigned, uow.clock(), uow.actor.code),
        changed=True,
        previous=state.assignee,
    )


def convert(uow: UnitOfWork, cmd: ConvertFollowUps) -> dict[str, Any]:
    """A form was approved: the client's open follow-ups that a sale answers are converted."""
    uow.actor.require("followups.manage", "close follow-ups as converted")
    ids = [
        i
        for (i,) in uow.conn.execute(
            select(FollowUpRow.followup_id)
            .where(
                FollowUpRow.client_id == cmd.client_id,
                FollowUpRow.status == rules.OPEN,
                col(FollowUpRow.kind).in_(rules.CONVERTIBLE),
            )
            .order_by(FollowUpRow.followup_id)
        )
    ]
    closed = []
    for followup_id in ids:
        state = load_followup(uow, followup_id)
        if state.status != rules.OPEN or state.form_id == cmd.form_id:
            continue
        uow.record(
            FollowUpOutcomeRecorded(
                followup_id=followup_id,
                outcome=rules.CONVERTED,
                automatic=True,
                form_id=cmd.form_id,
                client_id=cmd.client_id,
            )
        )
        closed.append(followup_id)
    return {"client_id": cmd.client_id, "form_id": cmd.form_id, "converted": closed}


def reopen(uow: UnitOfWork, cmd: ReopenFollowUps) -> dict[str, Any]:
    """A cancelled approved form: the follow-ups its approval converted are open again."""
    uow.actor.require("followups.manage", "reopen converted follow-ups")
    form = uow.rows.get(FormRow, cmd.form_id)
    if form is None:
        raise NotFound(f"no form has the id '{cmd.form_id}'", "form_not_found", form=cmd.form_id)
    ids = [
        i
        for (i,) in uow.conn.execute(
            select(FollowUpRow.followup_id)
            .where(
                FollowUpRow.client_id == form["client_id"],
                FollowUpRow.status == rules.DONE,
                FollowUpRow.outcome == rules.CONVERTED,
            )
            .order_by(FollowUpRow.followup_id)
        )
    ]
    reopened = []
    for followup_id in ids:
        if load_followup(uow, followup_id).converted_by != cmd.form_id:
            continue
        uow.record(
            FollowUpReopened(
                followup_id=followup_id, form_id=cmd.form_id, reason=f"form {cmd.form_id} cancelled"
            )
        )
        reopened.append(followup_id)
    return {"form_id": cmd.form_id, "reopened": reopened}


HANDLERS: Handlers = {
    CreateFollowUps: create_followups,
    RecordFollowUpOutcome: record_outcome,
    RescheduleFollowUp: reschedule,
    ReassignFollowUp: reassign,
    ConvertFollowUps: convert,
    ReopenFollowUps: reopen,
}
