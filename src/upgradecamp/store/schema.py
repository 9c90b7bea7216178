"""Create the log and read tables; tell whether a database has been initialised."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from upgradecamp.store import tables
from upgradecamp.store.db import write_transaction
from upgradecamp.store.eventlog import create_log_tables


def create_schema(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        create_log_tables(conn)
        tables.SQLModel.metadata.create_all(conn)


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("event_log")
