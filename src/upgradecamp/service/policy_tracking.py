"""Policies that survive a crash: catching up from the tracked position.

The bus runs a command's policies right after its commit, in the same process. If that process
dies in between (kill -9, a power cut), nothing in the log says the follow-up work is owed;
so every process that opens the database runs the policies of the events after the position
the policies are known to have handled, then moves the position to where it read up to. Every
policy is idempotent (idempotency keys, skipping what is done), so an event whose policy ran
already, or runs in another process at the same moment, is acted on once.

Only the catch-up moves the position: the live path would need a second write transaction per
command to do it, and a catch-up from a slightly old position only re-checks done work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from upgradecamp.domain.errors import DomainError
from upgradecamp.store.db import read_transaction, write_transaction
from upgradecamp.store.eventlog import EventLog, StoredEvent
from upgradecamp.store.log_tables import event_log
from upgradecamp.store.policy_positions import advance, start_tracking, tracked_position

if TYPE_CHECKING:
    from upgradecamp.service.bus import Services

BATCH = 1_000


def catch_up(services: Services) -> list[dict[str, Any]]:
    """Run the policies owed since the tracked position; returns the follow-ons refused."""
    with read_transaction(services.engine) as conn:
        from sqlalchemy import inspect

        position = tracked_position(conn) if inspect(conn).has_table("policy_positions") else None
        head = EventLog.head(conn)[0]
    if position is None:
        with write_transaction(services.engine) as conn:
            start_tracking(conn, EventLog.head(conn)[0])
        return []
    if position >= head:
        return []
    refused: list[dict[str, Any]] = []
    types = sorted(cls.TYPE for cls in services.policies)
    while position < head:
        with read_transaction(services.engine) as conn:
            positions = (
                conn.execute(
                    select(event_log.c.position)
                    .where(
                        event_log.c.position > position,
                        event_log.c.position <= head,
                        event_log.c.event_type.in_(types),
                    )
                    .order_by(event_log.c.position)
                    .limit(BATCH)
                )
                .scalars()
                .all()
            )
            events = [
                ev for p in positions for ev in services.log.read_all(conn, after=p - 1, limit=1)
            ]
        for ev in events:
            refused += run_event_policies(services, ev)
        position = events[-1].position if len(events) == BATCH else head
        with write_transaction(services.engine) as conn:
            advance(conn, position)
    if refused and services.on_refused is not None:
        services.on_refused(refused)
    return refused


def run_event_policies(services: Services, stored: StoredEvent) -> list[dict[str, Any]]:
    """One event's policies; a business refusal of a policy's own command (say, no rule set in
    force for a referral reward) is returned, not raised: the command that triggered it is
    committed and must not look failed. Anything else surfaces."""
    refused = []
    for policy in services.policies.get(type(stored.event), ()):
        try:
            policy(services, stored.event, stored)
        except DomainError as exc:
            refused.append(
                {
                    "event": stored.type,
                    "position": stored.position,
                    "code": exc.code,
                    "message": exc.message,
                }
            )
    return refused
