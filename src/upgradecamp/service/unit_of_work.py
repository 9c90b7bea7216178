"""One command's work: load state, append events, update read tables, remember the result.

The bus runs the loading and deciding in a read transaction and `commit` in a short write
transaction (`bind` moves the unit there). Each event goes to its own stream
(`event.stream_id()`) at the version this unit of work read of that stream: the version a
decision rests on is looked up under the stream the event names, never passed alongside it, so
the two cannot disagree, and a stream moved in between makes the append conflict.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from sqlalchemy import Connection
from sqlmodel import SQLModel

from upgradecamp.domain.errors import DomainError
from upgradecamp.domain.events import DomainEvent, streams
from upgradecamp.domain.staff import Actor, StaffState, evolve_staff
from upgradecamp.projections import READ_MODEL, project
from upgradecamp.projections.rowstore import RowStore, indexes_deferred
from upgradecamp.store.eventlog import EventLog, NewEvent, StoredEvent, StreamAppend
from upgradecamp.store.tables import ProjectionPositionRow

if TYPE_CHECKING:
    from upgradecamp.domain.commands import Command

# A service module's HANDLERS: each command's class and the function that runs it.
Handlers: TypeAlias = "dict[type[Command], Callable[[UnitOfWork, Any], Any]]"
# Events produced at commit, chunk by chunk: each chunk with the versions read of its streams.
Chunks: TypeAlias = "Callable[[], Iterable[tuple[Mapping[str, int], list[DomainEvent]]]]"


class UnitOfWork:
    """Collects a handler's events; `commit` appends them and projects them in one transaction."""

    def __init__(
        self,
        conn: Connection,
        log: EventLog,
        actor: Actor,
        meta: dict[str, Any],
        clock: Callable[[], datetime],
        *,
        new_id: Callable[[], str] | None = None,
        rng: random.Random | None = None,
    ):
        self.conn = conn
        self.log = log
        self.actor = actor
        self.meta = meta
        self.clock = clock
        self.new_id = new_id or (lambda: uuid.uuid4().hex)
        self.rng = rng or random.SystemRandom()
        self.rows = RowStore(conn)
        self._pending: dict[str, StreamAppend] = {}
        self._read: dict[str, int] = {}
        self._order: list[str] = []
        self.stored: list[StoredEvent] = []
        self.error_after_commit: DomainError | None = None
        self._head_seen: int | None = None
        self._outcomes: list[tuple[Callable[[], None], Callable[[], None]]] = []
        self._chunks: list[tuple[Chunks, tuple[type[SQLModel], ...]]] = []
        self.chunked = 0

    # -- loading state ---------------------------------------------------------------------
    def stream_version(self, stream_id: str) -> int:
        """The stream's version now; events recorded on it will expect this version."""
        version = self.log.stream_version(self.conn, stream_id)
        self.expect({stream_id: version})
        return version

    def read_stream(self, stream_id: str) -> list[StoredEvent]:
        """The stream's events; events recorded on it will expect its last version."""
        events = self.log.read_stream(self.conn, stream_id)
        self.expect({stream_id: events[-1].stream_version if events else 0})
        return events

    def expect(self, versions: Mapping[str, int]) -> None:
        """Remember versions read in bulk (one query for many streams).

        The first version read of a stream is kept: whatever was decided from it must still
        hold at commit, so a later read cannot move the expectation forward.
        """
        for stream_id, version in versions.items():
            self._read.setdefault(stream_id, version)

    def load_staff(self, code: str) -> StaffState:
        state = StaffState()
        for ev in self.read_stream(streams.staff(code)):
            state = evolve_staff(state, ev.event)
        return state

    # -- recording -------------------------------------------------------------------------
    def record(self, *events: DomainEvent) -> None:
        """Queue events, each for its own stream, expected at the version read of it here.

        A stream this unit of work never read is expected not to exist yet (version 0): a
        new client, session or form. If it does exist, the append conflicts; nothing slips by.
        """
        for event in events:
            if not isinstance(event, DomainEvent):
                raise TypeError(
                    "record() takes events only; the expected version is the one "
                    "this unit of work read of the event's own stream"
                )
            stream_id = event.stream_id()
            new = NewEvent(event.TYPE, event.VERSION, event.payload())
            if stream_id in self._pending:
                prior = self._pending[stream_id]
                self._pending[stream_id] = StreamAppend(
                    stream_id, prior.expected_version, [*prior.events, new]
                )
            else:
                expected = self._read.get(stream_id, 0)
                self._pending[stream_id] = StreamAppend(stream_id, expected, [new])
                self._order.append(stream_id)

    def record_in_chunks(
        self, chunks: Chunks, *, defer_indexes: Sequence[type[SQLModel]] = ()
    ) -> None:
        """Record events too many to hold at once (a million-row client import).

        `chunks` runs inside the write transaction, after the events `record`ed: it decides
        there, under the append lock, and yields each chunk of events with the versions it
        read of their streams (a stream it did not read is expected not to exist yet, as in
        `record`). Each chunk is appended, projected and flushed before the next is made, so
        memory stays flat and the whole import still commits or not at all. Its events are
        not kept in `stored`: no policy may react to them live (a policy catch-up from the
        tracked position would still see them).

        `defer_indexes`: read tables whose secondary indexes are built once after the last
        chunk instead of row by row (SQLite; for a load that writes most of their rows).
        """
        self._chunks.append((chunks, tuple(defer_indexes)))

    def after_commit(self, action: Callable[[], None], *, otherwise: Callable[[], None]) -> None:
        """Run `action` once the transaction has committed, `otherwise` if it did not: a file
        an export staged appears only once the export is recorded, and is removed if not."""
        self._outcomes.append((action, otherwise))

    def committed(self) -> None:
        """The bus calls this after the database commit."""
        for action, _ in self._outcomes:
            action()

    def abandoned(self) -> None:
        """The bus calls this when the handler or the commit failed (a retry starts afresh)."""
        for _, otherwise in self._outcomes:
            otherwise()

    @property
    def pending(self) -> bool:
        return bool(self._pending or self._chunks)

    def decide_from_here(self) -> None:
        """Note the log's head before deciding (see `commit`)."""
        self._head_seen = self.log.head_position(self.conn)

    def bind(self, conn: Connection) -> None:
        """Move to the write transaction, keeping the rows read while deciding until `commit`
        knows whether anything was committed since."""
        self.conn = conn
        self.rows.conn = conn

    def fail_after_commit(self, error: DomainError) -> None:
        """Keep the recorded events (e.g. a wrong-PIN count) but still refuse the command."""
        self.error_after_commit = error

    def commit(self) -> list[StoredEvent]:
        appends = [self._pending[s] for s in self._order]
        self.stored = self.log.append(self.conn, appends, self.meta)
        if (
            self.stored
            and self._head_seen is not None
            and self.stored[0].position - 1 != self._head_seen
        ):
            # Another command committed after this one decided: the rows it read may be
            # stale, so the projection reads them again (under the write lock, current).
            self.rows = RowStore(self.conn)
        _count, last = project(self.rows, self.stored)
        for chunks, deferred in self._chunks:
            sqlite = self.conn.dialect.name == "sqlite"
            with indexes_deferred(self.conn, deferred if sqlite else ()):
                for versions, events in chunks():
                    last = self._append_chunk(versions, events) or last
        if last:
            self.rows.put(ProjectionPositionRow, {"name": READ_MODEL, "position": last})
        self.rows.flush()
        return self.stored

    def _append_chunk(self, versions: Mapping[str, int], events: list[DomainEvent]) -> int:
        """Append, project and flush one chunk; the last position (0 for an empty chunk)."""
        by_stream: dict[str, list[DomainEvent]] = {}
        for event in events:
            by_stream.setdefault(event.stream_id(), []).append(event)
        appends = [
            StreamAppend(
                stream_id,
                versions.get(stream_id, 0),
                [NewEvent(e.TYPE, e.VERSION, e.payload()) for e in stream_events],
            )
            for stream_id, stream_events in by_stream.items()
        ]
        stored = self.log.append(self.conn, appends, self.meta)
        # The events were just validated and their payloads are their own dumps: parsing the
        # payloads back would give equal events again, at a third of a chunk's cost.
        for one, event in zip(stored, (e for es in by_stream.values() for e in es), strict=True):
            one.__dict__["event"] = event
        _count, last = project(self.rows, stored)
        self.rows.flush()
        self.chunked += len(stored)
        return last
