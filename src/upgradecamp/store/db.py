"""Engines from a path or URL, with the SQLite pragmas the event log relies on.

SQLite runs in WAL mode with synchronous=FULL (an appended event survives a power cut) and a busy
timeout so several terminals can share one file. Write transactions start with BEGIN IMMEDIATE so
two terminals never both read the head of the log and then race to append after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event

from upgradecamp.config import db_url

BUSY_TIMEOUT_MS = 10_000


def make_engine(path_or_url: str | None = None) -> Engine:
    url = db_url(path_or_url)
    if url.startswith("sqlite"):
        # The default QueuePool keeps a connection open between transactions: with NullPool
        # every commit also closed the last connection, which checkpointed and deleted the WAL.
        engine = create_engine(url)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - driver callback
        # Let SQLAlchemy's begin event issue BEGIN itself (pysqlite's own handling is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Straight to the driver: this runs for every transaction of every terminal.
        immediate = conn.get_execution_options().get("write")
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction holding the write lock from its first statement (SQLite); commits on exit."""
    with engine.connect().execution_options(write=True) as conn:
        with conn.begin():
            yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        with conn.begin():
            yield conn
