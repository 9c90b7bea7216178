"""Read tables that cannot drift silently: they are only a cache of the log, so whoever edits
one (a points balance, say) makes them disagree with it.

`compare_with_log` is the thorough check (`log verify --tables`): it replays the log into a
scratch in-memory database and compares every read table row by row, naming each table and row
that differs. `quick_check` is what every process does on opening the database, so it must
cost next to nothing: the read tables' position against the log's head, and the points
balances against the ledger they are the sum of — the edit the issue shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, func, select
from sqlmodel import select as model_select

from upgradecamp.domain.clock import to_utc
from upgradecamp.projections import READ_MODEL, project
from upgradecamp.projections.rowstore import RowStore, count_rows
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.tables import (
    READ_TABLES,
    ClientPointsRow,
    LedgerEntryRow,
    ProjectionPositionRow,
    ReadTableCountRow,
)

SHOWN_PER_TABLE = 20


@dataclass
class TableDiff:
    table: str
    rows: list[str] = field(default_factory=list)
    count: int = 0


def compare_with_log(engine: Engine, log: EventLog) -> list[TableDiff]:
    """Every read table that differs from what the log rebuilds, with its differing rows."""
    scratch = create_engine("sqlite://")
    try:
        with scratch.begin() as target:
            for model in [*READ_TABLES, ProjectionPositionRow, ReadTableCountRow]:
                model.__table__.create(target)  # type: ignore[attr-defined]
            with read_transaction(engine) as live:
                store = RowStore(target, tables_empty=True)
                project(store, log.read_all(live))
                store.flush()
                tables = [model.__table__ for model in READ_TABLES]  # type: ignore[attr-defined]
                return [diff for table in tables if (diff := _compare(table, live, target)).count]
    finally:
        scratch.dispose()


def _compare(table: Any, live: Connection, rebuilt: Connection) -> TableDiff:
    keys = [c.name for c in table.primary_key.columns]
    ours = _rows(live, table, keys)
    theirs = _rows(rebuilt, table, keys)
    diff = TableDiff(table.name)
    for key in sorted(ours.keys() | theirs.keys(), key=repr):
        here, there = ours.get(key), theirs.get(key)
        if here == there:
            continue
        diff.count += 1
        if len(diff.rows) >= SHOWN_PER_TABLE:
            continue
        name = ", ".join(f"{k}={v}" for k, v in zip(keys, key, strict=True))
        if there is None:
            diff.rows.append(f"row {name} is not in the log")
        elif here is None:
            diff.rows.append(f"row {name} is missing")
        else:
            changed = [
                f"{col} {here[col]!s} here, {there[col]!s} from the log"
                for col in here
                if here[col] != there[col]
            ]
            diff.rows.append(f"row {name}: " + "; ".join(changed))
    return diff


def _rows(conn: Connection, table: Any, keys: list[str]) -> dict[tuple, dict[str, Any]]:
    out = {}
    for row in conn.execute(select(table)).mappings():
        values = {k: _plain(v) for k, v in row.items()}
        out[tuple(values[k] for k in keys)] = values
    return out


def _plain(value: Any) -> Any:
    """One spelling for values the two backends hand back differently."""
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def quick_check(engine: Engine) -> list[str]:
    """What disagrees between the read tables and the log, found by a few aggregate queries."""
    problems = []
    with read_transaction(engine) as conn:
        head = EventLog.head(conn)[0]
        at = conn.execute(
            model_select(ProjectionPositionRow.position).where(
                ProjectionPositionRow.name == READ_MODEL
            )
        ).scalar()
        if (at or 0) != head:
            problems.append(f"the read tables are at position {at or 0} but the log at {head}")
        balances = conn.execute(
            select(func.coalesce(func.sum(ClientPointsRow.balance), 0))
        ).scalar()
        ledger = conn.execute(select(func.coalesce(func.sum(LedgerEntryRow.points), 0))).scalar()
        balances, ledger = int(balances or 0), int(ledger or 0)
        if balances != ledger:
            problems.append(
                f"the points balances (client_points) add up to {balances} "
                f"but their ledger (points_ledger) to {ledger}"
            )
        problems += _count_problems(conn)
    return problems


def _count_problems(conn: Connection) -> list[str]:
    """Each read table whose row count is not the one its projections last left."""
    by_name = {model.__tablename__: model for model in READ_TABLES}
    recorded = conn.execute(model_select(ReadTableCountRow.name, ReadTableCountRow.rows)).all()
    problems = []
    for name, rows in recorded:
        model = by_name.get(name)
        if model is None:
            continue
        now = conn.execute(count_rows(_table_of(model))).scalar_one()
        if now != rows:
            problems.append(
                f"the table {name} holds {now:,} rows, but the log's projections left {rows:,}"
            )
    return problems


def _table_of(model: Any) -> Any:
    return model.__table__
