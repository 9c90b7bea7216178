"""Engines from a path or URL, with the SQLite pragmas the event log relies on.

A new SQLite file is created readable by its owner only (0600), and SQLite gives its -wal and
-shm files the same mode: the database holds clients' personal data.

SQLite runs in WAL mode with synchronous=FULL (an appended event survives a power cut) and a busy
timeout so several terminals can share one file. Write transactions start with BEGIN IMMEDIATE so
two terminals never both read the head of the log and then race to append after it; a command
takes that lock only to append, project and commit (`append_transaction`), having decided in a
read transaction before (a snapshot on SQLite), so desks do not queue behind each other's reads.

Appenders to one SQLite file also queue on an OS lock (`flock`) of a `-lock` file beside it:
SQLite's busy handler polls with sleeps up to 100 ms, so eight desks waiting on it saw waits of
seconds; a blocked `flock` wakes the moment the lock is free.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's busy timeout alone
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Connection, Engine, create_engine, event

from upgradecamp.config import db_url

if TYPE_CHECKING:
    import sqlite3

BUSY_TIMEOUT_MS = 10_000
# An unreachable server fails a command instead of hanging it: 4 s of waiting, so that the whole
# command, Python's start included, has said so within 5 s.
PG_CONNECT_TIMEOUT_S = 4


def make_engine(path_or_url: str | None = None, *, durable: bool = True) -> Engine:
    """`durable=False` is for a database built in one go and worth nothing half-built (the
    demo): SQLite commits without waiting for the disk (synchronous=NORMAL; the WAL is synced
    when it is checkpointed on close), which was most of the demo's wall time."""
    url = db_url(path_or_url)
    if url.startswith("sqlite"):
        # The default QueuePool keeps a connection open between transactions: with NullPool
        # every commit also closed the last connection, which checkpointed and deleted the WAL.
        engine = create_engine(url)
        _configure_sqlite(engine, synchronous="FULL" if durable else "NORMAL")
        return engine
    if url.startswith("postgresql") and "connect_timeout" not in url:
        return create_engine(
            url, pool_pre_ping=True, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S}
        )
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine, synchronous: str = "FULL") -> None:
    path = engine.url.database
    if path and path != ":memory:" and not engine.url.query.get("uri"):

        @event.listens_for(engine, "do_connect")
        def _owner_only(_dialect, _record, _cargs, _cparams) -> None:
            # Before SQLite creates the file with the process's umask (often 0644).
            _create_owner_only(path)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - driver callback
        # Let SQLAlchemy's begin event issue BEGIN itself (pysqlite's own handling is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted and overwritten content is zeroed, not left in free space: a forgotten
        # client's name must not stay readable in the file (domain/privacy.py).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Straight to the driver: this runs for every transaction of every terminal.
        immediate = conn.get_execution_options().get("write")
        # A connection inside a transaction always has its driver's connection (never None).
        driver = cast("sqlite3.Connection", conn.connection.driver_connection)
        driver.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _create_owner_only(path: str) -> None:
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        pass  # it exists, or its folder does not: SQLite opens it or says why


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction holding the write lock from its first statement (SQLite); commits on exit."""
    with engine.connect().execution_options(write=True) as conn:
        with conn.begin():
            yield conn


def _queue_file(conn: Connection) -> str | None:
    """The file appenders to this SQLite database queue on (none in memory or on PostgreSQL)."""
    path = conn.engine.url.database
    if (
        fcntl is None
        or not is_sqlite(conn)
        or not path
        or path == ":memory:"
        or conn.engine.url.query.get("uri")
    ):
        return None
    return f"{path}-lock"


@contextmanager
def append_transaction(conn: Connection) -> Iterator[Connection]:
    """A write transaction on a connection that has just decided in a read transaction: one
    checkout per command (on PostgreSQL each checkout pings the server)."""
    queue = _queue_file(conn)
    if queue is None:
        with conn.execution_options(write=True).begin():
            yield conn
        return
    # Opened for each append: its own open file, so threads and forked processes each queue
    # (a flock belongs to an open file), and no descriptor stays open per database.
    fd = os.open(queue, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with conn.execution_options(write=True).begin():
            yield conn
    finally:
        os.close(fd)  # releases the flock


@contextmanager
def pipelined(conn: Connection) -> Iterator[None]:
    """On PostgreSQL, the block's statements sent without waiting for each answer (psycopg's
    pipeline mode), so a command's writes under the log's write lock cost one round trip to
    the server, not one each; an error surfaces when the block ends. Only statements whose
    answer nobody reads belong inside. Elsewhere a plain block."""
    if conn.dialect.name != "postgresql":
        yield
        return
    with conn.connection.driver_connection.pipeline():  # type: ignore[union-attr]
        yield


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        with conn.begin():
            yield conn


# What a query reads from: an engine (a read transaction of its own) or a handler's connection.
Source = Engine | Connection


@contextmanager
def reading(source: Source) -> Iterator[Connection]:
    """A connection to read with: a handler's own (its reads and its events in one
    transaction), or a new read transaction of an engine."""
    if isinstance(source, Connection):
        yield source
        return
    with read_transaction(source) as conn:
        yield conn


def scrub_wal(engine: Engine) -> bool:
    """Copy the WAL into the database file and truncate it to nothing, so that page versions
    holding forgotten data leave the -wal file too (SQLite; elsewhere nothing to do).

    False when another connection's open read kept the checkpoint from finishing: the old pages
    stay in the WAL until a later checkpoint, so the caller says to run it again when idle.
    """
    if not is_sqlite(engine):
        return True
    with engine.connect() as conn:
        driver = cast("sqlite3.Connection", conn.connection.driver_connection)
        busy, _frames, _done = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not busy
