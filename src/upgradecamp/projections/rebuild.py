"""Rebuild every read table by replaying the log from the start (`upgradecamp log replay`).

Runs in one write transaction: other terminals wait a moment rather than see half a rebuild.
The row buffer is flushed every `CHUNK` events, so memory stays flat however long the log.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import Engine, delete
from sqlmodel import SQLModel

from upgradecamp.projections import READ_MODEL, project
from upgradecamp.projections.rowstore import RowStore, _table, indexes_deferred
from upgradecamp.store.db import write_transaction
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.tables import READ_TABLES, ProjectionPositionRow, ReadTableCountRow

CHUNK = 10_000


@dataclass(frozen=True)
class ReplayReport:
    events: int
    position: int


def rebuild(engine: Engine, log: EventLog) -> ReplayReport:
    # Replay allocates a dict per row and keeps them all until the flush: the cyclic garbage
    # collector would rescan them again and again while finding nothing to free.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _rebuild(engine, log)
    finally:
        if collecting:
            gc.enable()


def _rebuild(engine: Engine, log: EventLog) -> ReplayReport:
    # SQLite only: there a write transaction excludes other writers anyway, while dropping an
    # index on PostgreSQL would lock readers of that table out until the replay commits.
    sqlite = engine.dialect.name == "sqlite"
    with write_transaction(engine) as conn, indexes_deferred(conn, READ_TABLES if sqlite else []):
        kept: list[type[SQLModel]] = [*READ_TABLES, ProjectionPositionRow, ReadTableCountRow]
        for model in kept:
            conn.execute(delete(_table(model)))
        store = RowStore(conn, tables_empty=True)
        events = log.read_all(conn)
        count = last = 0
        while True:
            n, at = project(store, islice(events, CHUNK))
            if not n:
                break
            count, last = count + n, at
            if n == CHUNK:
                store.spill()
        if last:
            store.put(ProjectionPositionRow, {"name": READ_MODEL, "position": last})
        store.flush()
    return ReplayReport(count, last)
