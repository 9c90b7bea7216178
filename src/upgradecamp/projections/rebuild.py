"""Rebuild every read table by replaying the log from the start (`upgradecamp log replay`).

Runs in one write transaction: other terminals wait a moment rather than see half a rebuild.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

from sqlalchemy import Engine, delete

from upgradecamp.projections import READ_MODEL, project
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.db import write_transaction
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.tables import READ_TABLES, ProjectionPositionRow


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
    with write_transaction(engine) as conn:
        indexes = [ix for model in READ_TABLES for ix in model.__table__.indexes]
        for model in [*READ_TABLES, ProjectionPositionRow]:
            conn.execute(delete(model.__table__))
        # Building an index once over the loaded rows beats updating it row by row.
        for index in indexes:
            index.drop(conn)
        store = RowStore(conn, tables_empty=True)
        count, last = project(store, log.read_all(conn))
        if last:
            store.put(ProjectionPositionRow, {"name": READ_MODEL, "position": last})
        store.flush()
        for index in indexes:
            index.create(conn)
    return ReplayReport(count, last)
