"""Create the log and read tables; tell whether a database has been initialised, and which
read tables an older version of upgradecamp left out of date."""

from __future__ import annotations

from sqlalchemy import Engine, Index, inspect, text

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


def stale_read_tables(engine: Engine) -> tuple[list[str], list[Index]]:
    """Read tables that are missing or whose columns differ from this version's models (to
    rebuild), and the indexes this version declares that the other tables lack (to create:
    an index holds nothing the table does not)."""
    columns, indexes = _schema_now(engine)
    stale: list[str] = []
    missing: list[Index] = []
    for model in [*tables.READ_TABLES, tables.ProjectionPositionRow, tables.ReadTableCountRow]:
        table = model.__table__  # type: ignore[attr-defined]
        if columns.get(table.name) != set(table.columns.keys()):
            stale.append(table.name)
        else:
            missing += [index for index in table.indexes if index.name not in indexes]
    return stale, missing


def create_indexes(engine: Engine, indexes: list[Index]) -> None:
    with write_transaction(engine) as conn:
        for index in indexes:
            index.create(conn)


# Every table's columns and every index name, in one query each: every process asks this on
# opening a database, and the inspector's query per table cost a TUI a twentieth of its start.
_CATALOGUE = {
    "sqlite": (
        "SELECT m.name, c.name FROM sqlite_master AS m, pragma_table_info(m.name) AS c "
        "WHERE m.type = 'table'",
        "SELECT name FROM sqlite_master WHERE type = 'index'",
    ),
    "postgresql": (
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema()",
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
    ),
}


def _schema_now(engine: Engine) -> tuple[dict[str, set[str]], set[str]]:
    """The database's tables with their columns, and its index names."""
    columns: dict[str, set[str]] = {}
    queries = _CATALOGUE.get(engine.dialect.name)
    if queries is None:  # another dialect: ask the inspector table by table
        found = inspect(engine)
        for name in found.get_table_names():
            columns[name] = {c["name"] for c in found.get_columns(name)}
        names = {i["name"] for t in columns for i in found.get_indexes(t)}
        return columns, {n for n in names if n}
    with engine.connect() as conn:
        for table, column in conn.execute(text(queries[0])):
            columns.setdefault(table, set()).add(column)
        indexes = {name for (name,) in conn.execute(text(queries[1]))}
    return columns, indexes


def recreate_read_tables(engine: Engine, names: list[str]) -> None:
    """Drop and create the named read tables (they hold nothing the log does not)."""
    with write_transaction(engine) as conn:
        for table in tables.SQLModel.metadata.sorted_tables:
            if table.name in names:
                table.drop(conn, checkfirst=True)
                table.create(conn)
