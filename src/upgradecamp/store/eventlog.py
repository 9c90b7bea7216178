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
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
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


# Built once: json.dumps would build a new encoder on every call of the append hot path.
_canonical_encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_row_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_sha256 = hashlib.sha256
# Reading back is replay's hot path; orjson parses the same JSON into the same values, faster.
# Writing keeps the standard encoder: the hash covers its exact bytes.
_loads = orjson.loads


def canonical(value: Any) -> str:
    """Stable JSON text: the bytes the hash covers must not depend on dict order."""
    return _canonical_encoder.encode(value)


def row_hash(prev_hash: str, position: int, stream_id: str, stream_version: int,
             event_type: str, schema_version: int, payload: str, meta: str,
             recorded_at: str) -> str:
    content = _row_encoder.encode(
        [prev_hash, position, stream_id, stream_version, event_type, schema_version, payload,
         meta, recorded_at])
    return _sha256(content.encode()).hexdigest()


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


class StoredEvent(NamedTuple):
    """An event as stored. A named tuple: replay builds tens of thousands of them a second."""

    position: int
    stream_id: str
    stream_version: int
    type: str
    schema_version: int
    payload: dict[str, Any]
    meta: dict[str, Any]
    recorded_at: datetime
    hash: str


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


_COLUMNS = ("position, stream_id, stream_version, event_type, schema_version, payload, meta, "
            "recorded_at, hash")


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

        Raises ConcurrencyConflict when a stream moved past its expected version. Runs on the
        driver's cursor: this is the hot path of every command, and SQLAlchemy's per-statement
        bookkeeping would double the cost of a durable append.
        """
        marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        cursor = conn.connection.cursor()
        try:
            position, prev = self._lock_head(conn, cursor)
            recorded = self._clock().astimezone(UTC)
            recorded_at = recorded.isoformat(timespec="microseconds")
            meta_json = canonical(meta)
            rows: list[tuple] = []
            stored: list[StoredEvent] = []
            for stream in appends:
                stream_id = stream.stream_id
                for offset, new in enumerate(stream.events):
                    position += 1
                    version = stream.expected_version + offset + 1
                    payload_json = canonical(new.payload)
                    digest = row_hash(prev, position, stream_id, version, new.type,
                                      new.schema_version, payload_json, meta_json, recorded_at)
                    rows.append((position, stream_id, version, new.type, new.schema_version,
                                 payload_json, meta_json, recorded_at, digest))
                    stored.append(StoredEvent(position, stream_id, version, new.type,
                                              new.schema_version, new.payload, meta, recorded,
                                              digest))
                    prev = digest
            if not rows:
                return []
            sql = (f"INSERT INTO event_log ({_COLUMNS}) VALUES ("
                   + ", ".join([marker] * 9) + ")")
            try:
                if len(rows) == 1:
                    cursor.execute(sql, rows[0])
                else:
                    cursor.executemany(sql, rows)
            except (IntegrityError, conn.dialect.loaded_dbapi.IntegrityError) as exc:
                names = ", ".join(sorted({a.stream_id for a in appends})[:3])
                raise ConcurrencyConflict(
                    f"someone else changed {names} at the same moment; "
                    "refresh and try again (nothing was saved)"
                ) from exc
            cursor.execute(
                f"UPDATE log_head SET position = {marker}, hash = {marker} WHERE id = 1",
                (position, prev))
            return stored
        finally:
            cursor.close()

    @staticmethod
    def _lock_head(conn: Connection, cursor: Any) -> tuple[int, str]:
        # SQLite: the write transaction already holds the lock (BEGIN IMMEDIATE).
        lock = "" if conn.dialect.name == "sqlite" else " FOR UPDATE"
        cursor.execute(f"SELECT position, hash FROM log_head WHERE id = 1{lock}")
        row = cursor.fetchone()
        if row is None:
            raise RuntimeError("the event log has no head row; run `upgradecamp init` first")
        return int(row[0]), row[1]

    # -- reading -------------------------------------------------------------------------
    def _event(self, row: Any) -> StoredEvent:
        return self._decode(tuple(row[:9]), {}, {})

    def _decode(self, row: tuple, metas: dict[str, Any], times: dict[str, datetime]
                ) -> StoredEvent:
        """A row as an event; `metas` and `times` cache texts shared by a command's events."""
        position, stream_id, version, event_type, schema_version, payload, meta, rec, digest = row
        schema_version, payload_dict = self._upcast(event_type, schema_version,
                                                    _loads(payload))
        decoded_meta = metas.get(meta)
        if decoded_meta is None:
            decoded_meta = metas[meta] = _loads(meta)
        instant = times.get(rec)
        if instant is None:
            instant = times[rec] = datetime.fromisoformat(rec)
        return StoredEvent(int(position), stream_id, version, event_type, schema_version,
                           payload_dict, decoded_meta, instant, digest)

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
        marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sql = (f"SELECT {_COLUMNS} FROM event_log WHERE position > {marker} "
               f"ORDER BY position LIMIT {marker}")
        metas: dict[str, Any] = {}
        times: dict[str, datetime] = {}
        remaining = limit
        while remaining is None or remaining > 0:
            size = batch if remaining is None else min(batch, remaining)
            cursor = conn.connection.cursor()
            try:
                cursor.execute(sql, (after, size))
                rows = cursor.fetchall()
            finally:
                cursor.close()
            if not rows:
                return
            for row in rows:
                yield self._decode(row, metas, times)
            if len(metas) > 1000:
                metas.clear()
                times.clear()
            after = int(rows[-1][0])
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
