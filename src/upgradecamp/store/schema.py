"""Create the log and read tables; tell whether a database has been initialised, and which
read tables an older version of upgradecamp left out of date."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from upgradecamp.store import policy_positions, tables
from upgradecamp.store.db import write_transaction
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.log_tables import create_log_tables


def create_schema(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        create_log_tables(conn)
        policy_positions.start_tracking(conn, EventLog.head(conn)[0])
        tables.SQLModel.metadata.create_all(conn)


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("event_log")


def stale_read_tables(engine: Engine) -> list[str]:
    """Read tables that are missing or whose columns differ from this version's models."""
    found = inspect(engine)
    present = set(found.get_table_names())
    stale = []
    for model in [*tables.READ_TABLES, tables.ProjectionPositionRow, tables.ReadTableCountRow]:
        table = model.__table__  # type: ignore[attr-defined]
        if table.name not in present or {c["name"] for c in found.get_columns(table.name)} != set(
            table.columns.keys()
        ):
            stale.append(table.name)
    return stale


def recreate_read_tables(engine: Engine, names: list[str]) -> None:
    """Drop and create the named read tables (they hold nothing the log does not)."""
    with write_transaction(engine) as conn:
        for table in tables.SQLModel.metadata.sorted_tables:
            if table.name in names:
                table.drop(conn, checkfirst=True)
                table.create(conn)
