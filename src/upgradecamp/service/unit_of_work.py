"""One transaction: load state, append events, update read tables, remember the result."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from upgradecamp.domain.errors import DomainError
from upgradecamp.domain.events import DomainEvent
from upgradecamp.domain.staff import Actor, StaffState, evolve_staff
from upgradecamp.projections import READ_MODEL, project
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import EventLog, NewEvent, StoredEvent, StreamAppend
from upgradecamp.store.tables import ProjectionPositionRow


class UnitOfWork:
    """Collects a handler's events; `commit` appends them and projects them in one transaction."""

    def __init__(self, conn: Connection, log: EventLog, actor: Actor, meta: dict[str, Any],
                 clock: Callable[[], datetime], *, new_id: Callable[[], str] | None = None,
                 rng: random.Random | None = None):
        self.conn = conn
        self.log = log
        self.actor = actor
        self.meta = meta
        self.clock = clock
        self.new_id = new_id or (lambda: uuid.uuid4().hex)
        self.rng = rng or random.SystemRandom()
        self.rows = RowStore(conn)
        self._pending: dict[str, StreamAppend] = {}
        self._order: list[str] = []
        self.stored: list[StoredEvent] = []
        self.error_after_commit: DomainError | None = None

    # -- loading state ---------------------------------------------------------------------
    def stream_version(self, stream_id: str) -> int:
        return self.log.stream_version(self.conn, stream_id)

    def load_staff(self, code: str) -> StaffState:
        state = StaffState()
        for ev in self.log.read_stream(self.conn, f"staff-{code}"):
            state = evolve_staff(state, ev.type, ev.payload)
        return state

    # -- recording -------------------------------------------------------------------------
    def record(self, expected_version: int, *events: DomainEvent) -> None:
        """Queue events for their stream, which must still be at `expected_version`."""
        for event in events:
            stream_id = event.stream_id()
            new = NewEvent(event.TYPE, event.VERSION, event.payload())
            if stream_id in self._pending:
                prior = self._pending[stream_id]
                self._pending[stream_id] = StreamAppend(
                    stream_id, prior.expected_version, [*prior.events, new])
            else:
                self._pending[stream_id] = StreamAppend(stream_id, expected_version, [new])
                self._order.append(stream_id)

    def fail_after_commit(self, error: DomainError) -> None:
        """Keep the recorded events (e.g. a wrong-PIN count) but still refuse the command."""
        self.error_after_commit = error

    def commit(self) -> list[StoredEvent]:
        appends = [self._pending[s] for s in self._order]
        self.stored = self.log.append(self.conn, appends, self.meta)
        _count, last = project(self.rows, self.stored)
        if last:
            self.rows.put(ProjectionPositionRow, {"name": READ_MODEL, "position": last})
        self.rows.flush()
        return self.stored
