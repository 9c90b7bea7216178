"""Rebuild every read table by replaying the log from the start (`upgradecamp log replay`).

Runs in one write transaction: other terminals wait a moment rather than see half a rebuild.
"""

from __future__ import annotations

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
    with write_transaction(engine) as conn:
        for model in [*READ_TABLES, ProjectionPositionRow]:
            conn.execute(delete(model.__table__))
        store = RowStore(conn, tables_empty=True)
        count, last = 0, 0
        for ev in log.read_all(conn):
            last = project(store, [ev]) or last
            count += 1
        if last:
            store.put(ProjectionPositionRow, {"name": READ_MODEL, "position": last})
        store.flush()
    return ReplayReport(count, last)
