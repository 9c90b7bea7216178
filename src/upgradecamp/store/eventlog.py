"""The append-only event log: the single source of truth.

One row per event with a global position, a (stream id, stream version) pair that is unique
together — a duplicate version *is* the optimistic-concurrency conflict — and a SHA-256 hash
chain: each row's hash covers the previous row's hash and its own canonical content. The head
(last position and hash) is kept in `log_head`, updated in the same transaction, so `verify`
also notices a truncated tail.

Appends run on a connection inside a write transaction (see `store.db.write_transaction`); the
caller commits, so events and read-model updates land together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from upgradecamp.domain.errors import ConcurrencyConflict

GENESIS_HASH = "0" * 64

log_metadata = MetaData()

event_log = Table(
    "event_log",
    log_metadata,
    Column("position", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=False),
    Column("stream_id", String(200), nullable=False),
    Column("stream_version", Integer, nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("payload", Text, nullable=False),
    Column("meta", Text, nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("stream_id", "stream_version", name="uq_event_stream_version"),
)

log_head = Table(
    "log_head",
    log_metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

command_results = Table(
    "command_results",
    log_metadata,
    Column("idempotency_key", String(200), primary_key=True),
    Column("result", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)


def canonical(value: Any) -> str:
    """Stable JSON text: the bytes the hash covers must not depend on dict order."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(prev_hash: str, position: int, stream_id: str, stream_version: int,
             event_type: str, schema_version: int, payload: str, meta: str,
             recorded_at: str) -> str:
    content = json.dumps(
        [prev_hash, position, stream_id, stream_version, event_type, schema_version, payload,
         meta, recorded_at],
        separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(content.encode()).hexdigest()


@dataclass(frozen=True)
class NewEvent:
    """An event not yet stored: its type, schema version and JSON-able payload."""

    type: str
    schema_version: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class StreamAppend:
    """Events for one stream, appended only if the stream is still at `expected_version`."""

    stream_id: str
    expected_version: int
    events: Sequence[NewEvent]


@dataclass(frozen=True)
class StoredEvent:
    position: int
    stream_id: str
    stream_version: int
    type: str
    schema_version: int
    payload: dict[str, Any]
    meta: dict[str, Any]
    recorded_at: datetime
    hash: str = field(repr=False)


Upcaster = Callable[[str, int, dict[str, Any]], tuple[int, dict[str, Any]]]


def _no_upcast(_type: str, version: int, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return version, payload


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    checked: int
    head_position: int
    first_bad_position: int | None = None
    problem: str | None = None


def utc_now() -> datetime:
    return datetime.now(UTC)


class EventLog:
    """Append to and read from the log on a caller's connection."""

    def __init__(self, upcast: Upcaster = _no_upcast, clock: Callable[[], datetime] = utc_now):
        self._upcast = upcast
        self._clock = clock

    # -- writing -------------------------------------------------------------------------
    def append(self, conn: Connection, appends: Sequence[StreamAppend],
               meta: dict[str, Any]) -> list[StoredEvent]:
        """Append events for one or more streams atomically, extending the hash chain.

        Raises ConcurrencyConflict when a stream moved past its expected version.
        """
        position, prev = self._lock_head(conn)
        recorded = self._clock().astimezone(UTC)
        recorded_at = recorded.isoformat(timespec="microseconds")
        meta_json = canonical(meta)
        rows: list[tuple] = []
        stored: list[StoredEvent] = []
        for stream in appends:
            for offset, new in enumerate(stream.events):
                position += 1
                version = stream.expected_version + offset + 1
                payload_json = canonical(new.payload)
                digest = row_hash(prev, position, stream.stream_id, version, new.type,
                                  new.schema_version, payload_json, meta_json, recorded_at)
                rows.append((position, stream.stream_id, version, new.type, new.schema_version,
                             payload_json, meta_json, recorded_at, digest))
                # Projections must see exactly what a replay will read back, key order included.
                stored.append(StoredEvent(position, stream.stream_id, version, new.type,
                                          new.schema_version, json.loads(payload_json), meta,
                                          recorded, digest))
                prev = digest
        if not rows:
            return []
        marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sql = (
            "INSERT INTO event_log (position, stream_id, stream_version, event_type, "
            "schema_version, payload, meta, recorded_at, hash) VALUES ("
            + ", ".join([marker] * 9) + ")"
        )
        try:
            if len(rows) == 1:
                conn.exec_driver_sql(sql, rows[0])
            else:
                conn.exec_driver_sql(sql, rows)
        except IntegrityError as exc:
            names = ", ".join(sorted({a.stream_id for a in appends})[:3])
            raise ConcurrencyConflict(
                f"someone else changed {names} at the same moment; "
                "refresh and try again (nothing was saved)"
            ) from exc
        conn.execute(
            log_head.update().where(log_head.c.id == 1).values(position=position, hash=prev)
        )
        return stored

    def _lock_head(self, conn: Connection) -> tuple[int, str]:
        query = select(log_head.c.position, log_head.c.hash).where(log_head.c.id == 1)
        if conn.dialect.name != "sqlite":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise RuntimeError("the event log has no head row; run `upgradecamp init` first")
        return int(row.position), row.hash

    # -- reading -------------------------------------------------------------------------
    def _event(self, row: Any) -> StoredEvent:
        version, payload = self._upcast(row.event_type, row.schema_version,
                                        json.loads(row.payload))
        return StoredEvent(
            int(row.position), row.stream_id, row.stream_version, row.event_type, version,
            payload, json.loads(row.meta), datetime.fromisoformat(row.recorded_at), row.hash,
        )

    def read_stream(self, conn: Connection, stream_id: str) -> list[StoredEvent]:
        rows = conn.execute(
            select(event_log).where(event_log.c.stream_id == stream_id)
            .order_by(event_log.c.stream_version)
        )
        return [self._event(r) for r in rows]

    def stream_version(self, conn: Connection, stream_id: str) -> int:
        row = conn.execute(
            text("SELECT MAX(stream_version) FROM event_log WHERE stream_id = :s"),
            {"s": stream_id},
        ).scalar()
        return int(row or 0)

    def read_all(self, conn: Connection, after: int = 0, limit: int | None = None,
                 batch: int = 5_000) -> Iterator[StoredEvent]:
        """Events after a global position, in order, fetched in batches (for catch-up/replay)."""
        remaining = limit
        while remaining is None or remaining > 0:
            size = batch if remaining is None else min(batch, remaining)
            rows = conn.execute(
                select(event_log).where(event_log.c.position > after)
                .order_by(event_log.c.position).limit(size)
            ).all()
            if not rows:
                return
            for row in rows:
                yield self._event(row)
            after = int(rows[-1].position)
            if remaining is not None:
                remaining -= len(rows)
            if len(rows) < size:
                return

    def tail(self, conn: Connection, n: int = 20) -> list[StoredEvent]:
        rows = conn.execute(
            select(event_log).order_by(event_log.c.position.desc()).limit(n)
        ).all()
        return [self._event(r) for r in reversed(rows)]

    @staticmethod
    def head(conn: Connection) -> tuple[int, str]:
        row = conn.execute(select(log_head.c.position, log_head.c.hash)).first()
        return (int(row.position), row.hash) if row else (0, GENESIS_HASH)

    # -- integrity -----------------------------------------------------------------------
    def verify(self, conn: Connection, batch: int = 10_000) -> VerifyReport:
        """Walk the chain from the first event; name the first position that does not check out."""
        head_position, head_hash = self.head(conn)
        prev, expected_position, after = GENESIS_HASH, 1, 0
        cols = [event_log.c[name] for name in (
            "position", "stream_id", "stream_version", "event_type", "schema_version",
            "payload", "meta", "recorded_at", "hash")]
        while True:
            rows = conn.execute(
                select(*cols).where(event_log.c.position > after)
                .order_by(event_log.c.position).limit(batch)
            ).all()
            for pos, sid, ver, typ, sver, payload, meta, rec, digest in rows:
                if pos != expected_position:
                    return VerifyReport(False, expected_position - 1, head_position,
                                        expected_position,
                                        f"position {expected_position} is missing")
                if row_hash(prev, pos, sid, ver, typ, sver, payload, meta, rec) != digest:
                    return VerifyReport(False, pos - 1, head_position, pos,
                                        f"event {pos} does not match its hash "
                                        "(its content or an earlier one was changed)")
                prev = digest
                expected_position += 1
            if len(rows) < batch:
                break
            after = rows[-1][0]
        last = expected_position - 1
        if last != head_position or prev != head_hash:
            return VerifyReport(False, last, head_position, last + 1,
                                f"the log ends at position {last} but its head records "
                                f"position {head_position}: the tail was truncated or altered")
        return VerifyReport(True, last, head_position)


def create_log_tables(conn: Connection) -> None:
    log_metadata.create_all(conn)
    if conn.execute(select(log_head.c.id)).first() is None:
        conn.execute(log_head.insert().values(id=1, position=0, hash=GENESIS_HASH))
