"""The calls a cancelled session owes (see `domain/cancellation.py`), and the policy that asks
for them when a session is cancelled.

The handler reads the facts from the read tables and the session's stream, the pure
`plan_cancellation_calls` decides, and one `FollowUpCreated` is recorded per call whose stream
does not exist yet: a repeat (a retried policy, a second run by hand) creates only what is
missing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from upgradecamp.domain import cancellation as rules
from upgradecamp.domain.errors import RuleRefused
from upgradecamp.domain.events import streams
from upgradecamp.domain.events.sessions import SessionCancelled
from upgradecamp.domain.followups import ClientFacts
from upgradecamp.domain.rules import business_date
from upgradecamp.service.followups import (
    record_planned,
    registered_staff,
    session_owing_calls,
)
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.tables import ClientRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import SessionRow

if TYPE_CHECKING:
    from upgradecamp.service.bus import Services
    from upgradecamp.store.eventlog import StoredEvent

CANCELLED = "cancelled"
CONFIRMED = "confirmed"
NEXT_STATUS = "planned"


def _cancelled_at(uow: UnitOfWork, session_id: str) -> datetime:
    """When the session was cancelled, from its stream (the same on every re-run)."""
    cancels = [
        ev.recorded_at
        for ev in uow.log.read_stream(uow.conn, streams.session(session_id))
        if isinstance(ev.event, SessionCancelled)
    ]
    return cancels[-1] if cancels else uow.clock()


def next_session(conn: Any, branch: str, after: datetime, exclude: str) -> Any:
    """The branch's first planned session starting after `after` (session_id, starts_at)."""
    return conn.execute(
        select(SessionRow.session_id, SessionRow.starts_at)
        .where(
            SessionRow.branch == branch,
            SessionRow.status == NEXT_STATUS,
            SessionRow.starts_at > after,
            SessionRow.session_id != exclude,
        )
        .order_by(col(SessionRow.starts_at), SessionRow.session_id)
        .limit(1)
    ).first()


def _facts(uow: UnitOfWork, session: dict[str, Any]) -> rules.CancelledSession:
    sid = session["session_id"]
    conn = uow.conn
    confirmed = tuple(
        c
        for (c,) in conn.execute(
            select(InvitationRow.client_id)
            .where(InvitationRow.session_id == sid, InvitationRow.state == CONFIRMED)
            .order_by(InvitationRow.client_id)
            .distinct()
        )
    )
    clients = {
        r.client_id: ClientFacts(client_id=r.client_id, rm=r.rm or None)
        for r in conn.execute(
            select(ClientRow.client_id, ClientRow.rm).where(col(ClientRow.client_id).in_(confirmed))
        )
    }
    staff = registered_staff(conn, {c.rm for c in clients.values() if c.rm})
    cancelled_at = _cancelled_at(uow, sid)
    following = next_session(conn, session["branch"], cancelled_at, sid)
    return rules.CancelledSession(
        session_id=sid,
        host=session["host"],
        cancelled_on=business_date(cancelled_at),
        session_day=business_date(session["starts_at"]),
        confirmed=confirmed,
        clients=clients,
        staff=staff,
        next_session_id=following.session_id if following else None,
    )


def create_cancellation_calls(
    uow: UnitOfWork, cmd: rules.CreateCancellationCalls
) -> dict[str, Any]:
    """Record the calls a cancelled session owes that are not recorded yet.

    The result: `created` and `already_there` (counts), `next_session_id`, and `followups`.
    """
    session = session_owing_calls(uow, cmd.session_id, "cancelling a session creates its calls")
    if session["status"] != CANCELLED:
        raise RuleRefused(
            f"session {cmd.session_id} is {session['status']}, not cancelled; its invitees "
            "are called when it is cancelled",
            "cancel_calls_not_cancelled",
            session=cmd.session_id,
            status=session["status"],
        )
    facts = _facts(uow, session)
    created, already = record_planned(
        uow, cmd.session_id, rules.plan_cancellation_calls(facts), with_form=False
    )
    return {
        "session_id": cmd.session_id,
        "created": len(created),
        "already_there": already,
        "next_session_id": facts.next_session_id,
        "followups": created,
    }


def call_invitees_on_cancel(services: Services, event: SessionCancelled, ev: StoredEvent) -> None:
    """Session cancelled → a call for each confirmed invitee, as the system; the idempotency
    key makes a repeat of this policy for the same cancellation return the first result."""
    from upgradecamp.domain.staff import SYSTEM

    session_id = event.session_id
    services.execute(
        rules.CreateCancellationCalls(session_id=session_id),
        SYSTEM,
        idempotency_key=f"cancel-calls:{session_id}",
        causation_id=str(ev.position),
        correlation_id=ev.meta.get("correlation_id"),
    )


HANDLERS: Handlers = {rules.CreateCancellationCalls: create_cancellation_calls}
