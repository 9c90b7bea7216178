"""The tables of the event log: `event_log`, its head, where keying starts, command results.

Only their schema and the rows a new database starts with. Apart from `eventlog.py`, which
appends to and reads these tables, so what the log looks like on disk (columns, the unique
(stream, version) pair that is the concurrency check) is read in one place, and modules that
only query the table (checkpoints, privacy, counts) need not read the log's code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
)

from upgradecamp.store.chain import GENESIS_HASH
from upgradecamp.store.sealing import keys_metadata
from upgradecamp.store.types import UTCText

if TYPE_CHECKING:
    from upgradecamp.store.keyfile import LogKey

log_metadata = MetaData()

event_log = Table(
    "event_log",
    log_metadata,
    Column(
        "position",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("stream_id", String(200), nullable=False),
    Column("stream_version", Integer, nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("payload", Text, nullable=False),
    Column("meta", Text, nullable=False),
    Column("recorded_at", UTCText(), nullable=False),
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

# Where the keyed chain begins and which key signs it (its id, never the key). The key file is
# the authority on both; this row lets a process without the key say what it cannot check.
log_keying = Table(
    "log_keying",
    log_metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("keyed_from", BigInteger, nullable=False),
    Column("key_id", String(32), nullable=False),
)

command_results = Table(
    "command_results",
    log_metadata,
    Column("idempotency_key", String(200), primary_key=True),
    Column("result", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)


def record_keying(conn: Connection, key: LogKey) -> None:
    """Record where `key` starts signing, once (the key file stays the authority)."""
    log_keying.create(conn, checkfirst=True)
    if conn.execute(select(log_keying.c.id)).first() is None:
        conn.execute(log_keying.insert().values(id=1, keyed_from=key.keyed_from, key_id=key.key_id))


def create_log_tables(conn: Connection) -> None:
    log_metadata.create_all(conn)
    keys_metadata.create_all(conn)
    if conn.execute(select(log_head.c.id)).first() is None:
        conn.execute(log_head.insert().values(id=1, position=0, hash=GENESIS_HASH))
