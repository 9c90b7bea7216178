"""The append-only event log: the single source of truth.

One row per event with a global position, a (stream id, stream version) pair that is unique
together — a duplicate version *is* the optimistic-concurrency conflict — and a SHA-256 hash
chain: each row's hash covers the previous row's hash and its own canonical content. The head
(last position and hash) is kept in `log_head`, updated in the same transaction, so `verify`
also notices a truncated tail. From the position `log_keying` records (1 for a new database)
the chain is an HMAC-SHA256 with a key kept outside the database (store/keyfile.py): whoever
holds only the file cannot recompute it after an edit. Earlier rows keep their plain SHA-256.

Appends run on a connection inside a write transaction (see `store.db.write_transaction`); the
caller commits, so events and read-model updates land together or not at all.
The tables themselves are `log_tables.py`; the JSON text the hash covers, `canonical.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import (
    Connection,
    select,
)
from sqlalchemy.exc import IntegrityError

from upgradecamp.domain.clock import Clock, system_clock
from upgradecamp.domain.errors import ConcurrencyConflict
from upgradecamp.domain.events import DomainEvent, parse_event
from upgradecamp.domain.privacy import FORGETTING_EVENT, PERSONAL_FIELDS
from upgradecamp.store.canonical import canonical
from upgradecamp.store.chain import GENESIS_HASH, VerifyReport, row_hash
from upgradecamp.store.db import pipelined
from upgradecamp.store.keyfile import KEY_ENV, KeyFileError, LogKey
from upgradecamp.store.log_tables import event_log, log_head, log_keying
from upgradecamp.store.result_cache import blank_results, personal_values
from upgradecamp.store.sealing import SEALED, Keyring, Sealer
from upgradecamp.store.types import utc_text

# Reading back is replay's hot path; orjson parses the same JSON into the same values, faster.
_loads = orjson.loads


def _marker(conn: Connection) -> str:
    """The driver's parameter marker: sqlite3's `?`, psycopg's `%s`."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _fetch(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """Every row of one statement on the driver's cursor, inside `conn`'s transaction."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


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


class _StoredRow(NamedTuple):
    position: int
    stream_id: str
    stream_version: int
    type: str
    schema_version: int
    payload: dict[str, Any]
    meta: dict[str, Any]
    recorded_at: datetime
    hash: str


class StoredEvent(_StoredRow):
    """An event as stored: where it sits in the log, who recorded it, and what happened.

    `payload` is the stored JSON form (for display, masking and export); code that acts on
    an event reads `event`, the payload parsed into its class. Parsing waits for the first
    use: replay parses every event once, a bulk append or a `log tail` parses none, and the
    live path parses the same stored form replay does, so the two cannot differ. A named
    tuple underneath: replay builds tens of thousands of them a second.
    """

    @property
    def event(self) -> DomainEvent:
        # Kept in the instance's dict: functools.cached_property takes a lock on Python 3.11,
        # which costs replay more than parsing the payload does.
        cache = self.__dict__
        event = cache.get("event")
        if event is None:
            event = cache["event"] = parse_event(self.type, self.payload)
        return event


Upcaster = Callable[[str, int, dict[str, Any]], tuple[int, dict[str, Any]]]


def _no_upcast(_type: str, version: int, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return version, payload


_COLUMNS = (
    "position, stream_id, stream_version, event_type, schema_version, payload, meta, "
    "recorded_at, hash"
)


class EventLog:
    """Append to and read from the log on a caller's connection."""

    def __init__(
        self, upcast: Upcaster = _no_upcast, clock: Clock = system_clock, key: LogKey | None = None
    ):
        self._upcast = upcast
        self._clock = clock
        self.use_key(key)

    def use_key(self, key: LogKey | None) -> None:
        """Sign appends with `key` (None: the database is unkeyed, or its key file is lost)."""
        self.key = key
        self._chain_key = key.chain if key else None
        self.sealer = Sealer(key)
        self._recorded: tuple[int, str] | None | bool = False  # False: not looked up yet

    def keying(self, conn: Connection) -> tuple[int, str] | None:
        """(keyed_from, key_id) as the database records them; None for an unkeyed log."""
        from sqlalchemy import inspect

        if not inspect(conn).has_table("log_keying"):
            return None
        row = conn.execute(select(log_keying.c.keyed_from, log_keying.c.key_id)).first()
        return (int(row.keyed_from), row.key_id) if row else None

    def _signing(self, conn: Connection) -> tuple[bytes | None, int]:
        """The chain key and the first position it signs; refuses to extend a keyed log
        without its key (plain hashes there would fail every later verify)."""
        if self._chain_key is not None:
            return self._chain_key, self.key.keyed_from  # type: ignore[union-attr]
        if self._recorded is False:
            self._recorded = self.keying(conn)
        if self._recorded is None:
            return None, 1 << 62
        raise KeyFileError(
            "this database's log is signed with a key kept outside it, and the "
            "key file was not found; restore it beside the database or point "
            f"{KEY_ENV} at it (nothing was saved)"
        )

    # -- writing -------------------------------------------------------------------------
    def append(
        self, conn: Connection, appends: Sequence[StreamAppend], meta: dict[str, Any]
    ) -> list[StoredEvent]:
        """Append events for one or more streams atomically, extending the hash chain.

        Raises ConcurrencyConflict when a stream moved past its expected version. Runs on the
        driver's cursor: this is the hot path of every command, and SQLAlchemy's per-statement
        bookkeeping would double the cost of a durable append.
        """
        if not any(stream.events for stream in appends):
            return []
        marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        chain_key, keyed_from = self._signing(conn)
        sealer = self.sealer
        keys = None
        if sealer.active:
            subjects = [
                subject
                for stream in appends
                for new in stream.events
                if new.type in PERSONAL_FIELDS
                and (subject := sealer.subject(new.type, new.payload)) is not None
            ]
            if subjects:
                keys = sealer.load(conn, subjects, create=True)
        cursor = conn.connection.cursor()
        try:
            position, prev = self._lock_head(conn, cursor)
            recorded = self._clock().astimezone(UTC)
            recorded_at = utc_text(recorded)
            meta_json = canonical(meta)
            rows: list[tuple] = []
            stored: list[StoredEvent] = []
            for stream in appends:
                stream_id = stream.stream_id
                for offset, new in enumerate(stream.events):
                    position += 1
                    version = stream.expected_version + offset + 1
                    if keys is not None and sealer.subject(new.type, new.payload) is not None:
                        payload_json = canonical(
                            sealer.seal(keys, position, stream_id, new.type, new.payload, canonical)
                        )
                    else:
                        payload_json = canonical(new.payload)
                    digest = row_hash(
                        prev,
                        position,
                        stream_id,
                        version,
                        new.type,
                        new.schema_version,
                        payload_json,
                        meta_json,
                        recorded_at,
                        chain_key if position >= keyed_from else None,
                    )
                    rows.append(
                        (
                            position,
                            stream_id,
                            version,
                            new.type,
                            new.schema_version,
                            payload_json,
                            meta_json,
                            recorded_at,
                            digest,
                        )
                    )
                    stored.append(
                        StoredEvent(
                            position,
                            stream_id,
                            version,
                            new.type,
                            new.schema_version,
                            new.payload,
                            meta,
                            recorded,
                            digest,
                        )
                    )
                    prev = digest
            if not rows:
                return []
            sql = f"INSERT INTO event_log ({_COLUMNS}) VALUES (" + ", ".join([marker] * 9) + ")"
            try:
                with pipelined(conn):  # the events and the new head in one round trip
                    if len(rows) == 1:
                        cursor.execute(sql, rows[0])
                    else:
                        cursor.executemany(sql, rows)
                    cursor.execute(
                        f"UPDATE log_head SET position = {marker}, hash = {marker} WHERE id = 1",
                        (position, prev),
                    )
            except (IntegrityError, conn.dialect.loaded_dbapi.IntegrityError) as exc:
                names = ", ".join(sorted({a.stream_id for a in appends})[:3])
                raise ConcurrencyConflict(
                    f"someone else changed {names} at the same moment; "
                    "refresh and try again (nothing was saved)",
                    "concurrency_conflict",
                    streams=names,
                ) from exc
            for stream in appends:
                for new in stream.events:
                    if new.type == FORGETTING_EVENT:
                        self._forget(conn, stream.stream_id, str(new.payload["client_id"]))
            return stored
        finally:
            cursor.close()

    def _forget(self, conn: Connection, stream_id: str, client_id: str) -> None:
        """The client's cached command results blanked while their key still opens their
        stream (store/result_cache.py), then the key destroyed."""
        opened = [(e.type, e.payload) for e in self.read_stream(conn, stream_id)]
        blank_results(conn, client_id, personal_values(opened))
        self.sealer.shred(conn, client_id)

    def lock_head(self, conn: Connection) -> None:
        """Take the append lock now (PostgreSQL; SQLite's write transaction holds it already):
        a command deciding under it cannot lose a race to another append."""
        cursor = conn.connection.cursor()
        try:
            self._lock_head(conn, cursor)
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
    def _event(self, row: Any, keyring: Keyring) -> StoredEvent:
        """A row read through the table (its `recorded_at` already an aware datetime)."""
        return self._decode(tuple(row[:9]), _loads(row[5]), {}, {}, keyring)

    def _decode(
        self,
        row: tuple,
        payload_dict: dict[str, Any],
        metas: dict[str, Any],
        times: dict[str, datetime],
        keyring: Keyring,
    ) -> StoredEvent:
        """A row (its payload parsed) as an event, personal fields opened (store/sealing.py);
        `metas` and `times` cache texts shared by a command's events."""
        position, stream_id, version, event_type, schema_version, _text, meta, rec, digest = row
        if SEALED in payload_dict:
            payload_dict = keyring.open(position, stream_id, event_type, payload_dict, _loads)
        schema_version, payload_dict = self._upcast(event_type, schema_version, payload_dict)
        decoded_meta = metas.get(meta)
        if decoded_meta is None:
            decoded_meta = metas[meta] = _loads(meta)
        instant = times.get(rec)
        if instant is None:
            instant = times[rec] = rec if isinstance(rec, datetime) else datetime.fromisoformat(rec)
        return StoredEvent(
            int(position),
            stream_id,
            version,
            event_type,
            schema_version,
            payload_dict,
            decoded_meta,
            instant,
            digest,
        )

    def _decoded(
        self,
        rows: list[Any],
        metas: dict[str, Any],
        times: dict[str, datetime],
        keyring: Keyring,
    ) -> Iterator[StoredEvent]:
        """Raw rows (`_COLUMNS`) as events, the keys of their sealed fields fetched at once."""
        payloads = [_loads(row[5]) for row in rows]
        sealed = [
            str(p[PERSONAL_FIELDS[row[3]][0]])
            for row, p in zip(rows, payloads, strict=True)
            if SEALED in p
        ]
        if sealed:
            keyring.prefetch(sealed)
        for row, payload in zip(rows, payloads, strict=True):
            yield self._decode(row, payload, metas, times, keyring)

    def read_stream(self, conn: Connection, stream_id: str) -> list[StoredEvent]:
        """A stream's events in order, read on the driver's cursor as `read_all` reads: most
        commands read one, and Core's statement building cost several times the query."""
        rows = _fetch(
            conn,
            f"SELECT {_COLUMNS} FROM event_log WHERE stream_id = {_marker(conn)} "
            "ORDER BY stream_version",
            (stream_id,),
        )
        return list(self._decoded(rows, {}, {}, Keyring(self.sealer, conn)))

    def stream_version(self, conn: Connection, stream_id: str) -> int:
        """The stream's last version (0 for a new stream), on the driver's cursor: every
        command asks it of the streams its events go to."""
        rows = _fetch(
            conn,
            f"SELECT MAX(stream_version) FROM event_log WHERE stream_id = {_marker(conn)}",
            (stream_id,),
        )
        return int(rows[0][0] or 0) if rows else 0

    def read_all(
        self, conn: Connection, after: int = 0, limit: int | None = None, batch: int = 5_000
    ) -> Iterator[StoredEvent]:
        """Events after a global position, in order, fetched in batches (for catch-up/replay)."""
        marker = _marker(conn)
        sql = (
            f"SELECT {_COLUMNS} FROM event_log WHERE position > {marker} "
            f"ORDER BY position LIMIT {marker}"
        )
        metas: dict[str, Any] = {}
        times: dict[str, datetime] = {}
        keyring = Keyring(self.sealer, conn)
        remaining = limit
        while remaining is None or remaining > 0:
            size = batch if remaining is None else min(batch, remaining)
            rows = _fetch(conn, sql, (after, size))
            if not rows:
                return
            yield from self._decoded(rows, metas, times, keyring)
            if len(metas) > 1000:
                metas.clear()
                times.clear()
            after = int(rows[-1][0])
            if remaining is not None:
                remaining -= len(rows)
            if len(rows) < size:
                return

    def tail(self, conn: Connection, n: int = 20) -> list[StoredEvent]:
        rows = conn.execute(select(event_log).order_by(event_log.c.position.desc()).limit(n)).all()
        keyring = Keyring(self.sealer, conn)
        return [self._event(r, keyring) for r in reversed(rows)]

    @staticmethod
    def head_position(conn: Connection) -> int:
        """The last position, on the driver's cursor: every command asks it once."""
        cursor = conn.connection.cursor()
        try:
            cursor.execute("SELECT position FROM log_head WHERE id = 1")
            row = cursor.fetchone()
        finally:
            cursor.close()
        return int(row[0]) if row else 0

    @staticmethod
    def head(conn: Connection) -> tuple[int, str]:
        row = conn.execute(select(log_head.c.position, log_head.c.hash)).first()
        return (int(row.position), row.hash) if row else (0, GENESIS_HASH)

    # -- integrity -----------------------------------------------------------------------
    def verify(self, conn: Connection, batch: int = 10_000) -> VerifyReport:
        """Walk the chain from the first event; name the first position that does not check out
        (store/chain.py)."""
        from upgradecamp.store.chain import verify_chain

        return verify_chain(self, conn, batch)
