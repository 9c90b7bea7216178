"""Handlers of the sessions commands (see `domain/commands/sessions.py`).

The rules live in `domain/sessions.py` and the decisions in `domain/session_decisions.py`;
these handlers read the facts from the read tables (branches, staff, booked sessions,
check-ins, invitations) and record the events on each session's own stream, at the version
read before the facts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from upgradecamp.domain import session_decisions as decide
from upgradecamp.domain import sessions as rules
from upgradecamp.domain.commands.sessions import (
    CancelSession,
    ChangeSession,
    CloseSession,
    OpenSession,
    PlanSessions,
)
from upgradecamp.domain.errors import PermissionDenied, RuleRefused
from upgradecamp.domain.events import streams
from upgradecamp.domain.session_decisions import Booking, Calendar, SessionRecord, StaffMember
from upgradecamp.domain.sessions import Slot
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.tables import BranchRow, StaffRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

# Invitees who said no, or asked not to be contacted, need not hear of a cancellation.
NOT_TOLD_STATES = ("declined", "opted_out")


def session_result(row: dict[str, Any]) -> dict[str, Any]:
    """A session as handlers return it (and `--json` prints it): local ISO times."""
    return _record(row).result()


def _record(row: dict[str, Any]) -> SessionRecord:
    return SessionRecord(
        session_id=row["session_id"],
        series_id=row["series_id"],
        branch=row["branch"],
        venue=row["venue"],
        starts_at=row["starts_at"],
        duration_minutes=row["duration_minutes"],
        capacity=row["capacity"],
        theme=row["theme"],
        host=row["host"],
        presenter=row["presenter"],
        status=row["status"],
    )


def _session(uow: UnitOfWork, session_id: str) -> SessionRecord | None:
    """The session, its stream's version read first: the decision rests on both."""
    uow.stream_version(streams.session(session_id))
    row = uow.rows.get(SessionRow, session_id)
    return None if row is None else _record(row)


def _staff(uow: UnitOfWork, codes: set[str | None]) -> dict[str, StaffMember | None]:
    found: dict[str, StaffMember | None] = {}
    for code in sorted(c for c in codes if c is not None):
        row = uow.rows.get(StaffRow, code)
        found[code] = (
            None
            if row is None
            else StaffMember(row["code"], row["name"], row["role"], row["branch"])
        )
    return found


def _booked(
    uow: UnitOfWork,
    branch: str,
    venue: str,
    first: datetime,
    last_end: datetime,
    exclude: str | None = None,
) -> tuple[Slot, ...]:
    """Sessions of that branch and venue (not cancelled) that could clash with the range."""
    query = select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
        SessionRow.session_id,
        SessionRow.branch,
        SessionRow.venue,
        SessionRow.starts_at,
        SessionRow.ends_at,
        SessionRow.status,
    ).where(
        SessionRow.branch == branch,
        SessionRow.venue == venue,
        SessionRow.status != rules.CANCELLED,
        SessionRow.starts_at < last_end,
        SessionRow.ends_at > first,
    )
    if exclude is not None:
        query = query.where(SessionRow.session_id != exclude)
    return tuple(
        Slot(r.session_id, r.branch, r.venue, r.starts_at, r.ends_at, r.status)
        for r in uow.conn.execute(query)
    )


def _others(
    uow: UnitOfWork, first: datetime, last_end: datetime, exclude: str | None = None
) -> tuple[Booking, ...]:
    """Sessions of any branch (not cancelled) within the range, in start order: whose host
    and presenter may be busy."""
    query = (
        select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
            SessionRow.session_id,
            SessionRow.starts_at,
            SessionRow.ends_at,
            SessionRow.host,
            SessionRow.presenter,
        )
        .where(
            SessionRow.status != rules.CANCELLED,
            SessionRow.starts_at < last_end,
            SessionRow.ends_at > first,
        )
        .order_by(SessionRow.starts_at, SessionRow.session_id)
    )
    if exclude is not None:
        query = query.where(SessionRow.session_id != exclude)
    return tuple(
        Booking(r.session_id, r.starts_at, r.ends_at, r.host, r.presenter)
        for r in uow.conn.execute(query)
    )


def _taken_ids(uow: UnitOfWork, column, prefix: str) -> frozenset[str]:
    return frozenset(
        value
        for (value,) in uow.conn.execute(select(column).where(column.like(f"{prefix}%")).distinct())
        if value
    )


def _notices(notices: list[decide.Notice]) -> dict[str, Any]:
    return {
        "warnings": [n.warning() for n in notices],
        "short_notice": [{"session_id": n.session_id, "days": n.days} for n in notices],
    }


def _plan_facts(uow: UnitOfWork, draft: decide.PlanDraft, cmd: PlanSessions) -> decide.PlanFacts:
    taken_series: frozenset[str] = frozenset()
    if draft.series:
        taken_series = _taken_ids(
            uow, SessionRow.series_id, rules.series_id_base(draft.branch, draft.first)
        )
    bases = {rules.session_id_base(draft.branch, when) for when in draft.starts}
    branch_staff = tuple(
        StaffMember(s.code, s.name, s.role, s.branch)
        for s in uow.conn.execute(
            select(StaffRow.code, StaffRow.name, StaffRow.role, StaffRow.branch).where(
                StaffRow.branch == draft.branch
            )
        )
    )
    return decide.PlanFacts(
        taken_series=taken_series,
        taken_sessions={b: _taken_ids(uow, SessionRow.session_id, b) for b in sorted(bases)},
        calendar=Calendar(
            _booked(uow, draft.branch, draft.venue, draft.first, draft.last_end),
            _others(uow, draft.first, draft.last_end),
        ),
        branch_staff=branch_staff,
        named=_staff(uow, {cmd.host, cmd.presenter}),
    )


def plan_sessions(uow: UnitOfWork, cmd: PlanSessions) -> dict[str, Any]:
    """Plan one session or a weekly series: every date is checked, and all or none is planned.

    The result lists the planned sessions and `warnings` (English text) for those starting
    within 30 days, the invitation lead time; `short_notice` holds the same as
    {session_id, days} for screens that say it in their own words.
    """
    uow.actor.require("sessions.manage", "plan sessions")
    branch = uow.rows.get(BranchRow, cmd.branch)
    now = uow.clock()
    draft = decide.draft_plan(cmd, None if branch is None else branch["theme"], now)
    planned = decide.decide_plan(draft, _plan_facts(uow, draft, cmd), cmd, now)
    for event in planned.events:
        if uow.stream_version(event.stream_id()):
            raise RuleRefused(
                f"session id {event.session_id} is already in the log; try again",
                "session_id_taken",
                session=event.session_id,
            )
    uow.record(*planned.events)
    results = [
        SessionRecord(**e.model_dump(), status=rules.PLANNED).result() for e in planned.events
    ]
    return {"sessions": results, **_notices(list(planned.notices))}


def change_session(uow: UnitOfWork, cmd: ChangeSession) -> dict[str, Any]:
    """Edit a planned session; the same checks as planning, its own slot excluded."""
    uow.actor.require("sessions.manage", "edit sessions")
    record = _session(uow, cmd.session_id)
    checked_in = 0
    if record is not None and cmd.capacity is not None:
        checked_in = uow.conn.execute(
            select(func.count())
            .select_from(CheckInRow)
            .where(CheckInRow.session_id == cmd.session_id, col(CheckInRow.annulled).is_(False))
        ).scalar_one()
    named = set() if record is None else {cmd.host, cmd.presenter, record.host, record.presenter}
    draft = decide.draft_change(
        record, cmd, uow.clock(), checked_in=checked_in, staff=_staff(uow, named)
    )
    slot, sid = draft.slot, cmd.session_id
    calendar = Calendar(
        _booked(uow, slot.branch, slot.venue, slot.starts_at, slot.ends_at, exclude=sid)
        if draft.moves and draft.changes
        else (),
        _others(uow, slot.starts_at, slot.ends_at, exclude=sid)
        if draft.reseats and draft.changes
        else (),
    )
    event, notices = decide.decide_change(draft, calendar, uow.clock())
    if event is None:
        return {"session": draft.record.result(), "changed": [], "warnings": [], "short_notice": []}
    uow.record(event)
    updated = replace(draft.record, **draft.changes)
    return {"session": updated.result(), "changed": sorted(draft.changes), **_notices(notices)}


def open_session(uow: UnitOfWork, cmd: OpenSession) -> dict[str, Any]:
    """Start check-in at the door, on the session's own business day."""
    if not (uow.actor.may("sessions.manage") or uow.actor.may("checkin.record")):
        raise PermissionDenied(
            f"{uow.actor.code} ({uow.actor.role}) may not open a session; "
            "ask an organizer or check-in staff",
            "session_may_not_open",
            staff=uow.actor.code,
        )
    record = _session(uow, cmd.session_id)
    uow.record(decide.decide_open(record, cmd.session_id, uow.clock()))
    assert record is not None
    return replace(record, status=rules.OPEN).result()


def close_session(uow: UnitOfWork, cmd: CloseSession) -> dict[str, Any]:
    uow.actor.require("sessions.manage", "close sessions")
    record = _session(uow, cmd.session_id)
    uow.record(decide.decide_close(record, cmd.session_id))
    assert record is not None
    return replace(record, status=rules.CLOSED).result()


def cancel_session(uow: UnitOfWork, cmd: CancelSession) -> dict[str, Any]:
    """Cancel a planned or open session; its invitees who did not say no are to be told."""
    uow.actor.require("sessions.manage", "cancel sessions")
    record = _session(uow, cmd.session_id)
    to_tell = (
        tuple(
            i
            for (i,) in uow.conn.execute(
                select(InvitationRow.invitation_id)
                .where(
                    InvitationRow.session_id == cmd.session_id,
                    col(InvitationRow.state).not_in(NOT_TOLD_STATES),
                )
                .order_by(InvitationRow.invitation_id)
            )
        )
        if record is not None
        else ()
    )
    event = decide.decide_cancel(record, cmd, to_tell)
    uow.record(event)
    assert record is not None
    return {
        **replace(record, status=rules.CANCELLED).result(),
        "reason": event.reason,
        "to_tell": event.to_tell,
    }


HANDLERS: Handlers = {
    PlanSessions: plan_sessions,
    ChangeSession: change_session,
    OpenSession: open_session,
    CloseSession: close_session,
    CancelSession: cancel_session,
}
