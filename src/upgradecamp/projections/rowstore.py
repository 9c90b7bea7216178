"""A write-behind buffer over the read tables, shared by live projection and replay.

Projections `get` and `put` rows as dicts; the buffer answers reads from what this transaction
already wrote, and `flush` writes everything with one executemany per table. Replay uses it on
empty tables (plain inserts), the live path upserts. Same projection code, same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, delete, select, tuple_
from sqlmodel import SQLModel

_DELETED = object()
_PK_NAMES: dict[type[SQLModel], list[str]] = {}


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined]


def _memoised(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A bind processor that converts each distinct value once (dates repeat a lot)."""
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            out = seen[value] = proc(value)
            return out

    return convert


def _insert_tuples(conn: Connection, table: Table, rows: list[dict[str, Any]], *,
                   upsert: bool = False) -> None:
    """Bulk insert (or upsert) through the driver: Core's executemany spends its time building
    parameters, several times what the database needs for the rows themselves.

    Each column's bind processor (dates and booleans on SQLite) still converts the values, so
    the rows are exactly those a Core insert would write. The upsert is `ON CONFLICT (key) DO
    UPDATE`, which SQLite and PostgreSQL both spell the same way.
    """
    columns = list(table.columns)
    keys = [c.name for c in columns]
    converters = [(i, _memoised(proc)) for i, c in enumerate(columns)
                  if (proc := c.type.dialect_impl(conn.dialect).bind_processor(conn.dialect))
                  is not None]
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(f'"{k}"' for k in keys)
    sql = (f'INSERT INTO "{table.name}" ({names}) VALUES '
           f"({', '.join([marker] * len(columns))})")
    if upsert:
        pk = [c.name for c in table.primary_key.columns]
        others = [k for k in keys if k not in pk]
        target = ", ".join(f'"{k}"' for k in pk)
        action = ("DO UPDATE SET " + ", ".join(f'"{k}" = excluded."{k}"' for k in others)
                  if others else "DO NOTHING")
        sql += f" ON CONFLICT ({target}) {action}"
    getter = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    if not converters:
        params = [getter(row) for row in rows]
    else:
        params = []
        for row in rows:
            values = list(getter(row))
            for i, convert in converters:
                values[i] = convert(values[i])
            params.append(values)
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, params)
    finally:
        cursor.close()


class RowStore:
    def __init__(self, conn: Connection, *, tables_empty: bool = False):
        self.conn = conn
        self.tables_empty = tables_empty
        self._rows: dict[str, dict[tuple, Any]] = {}
        self._models: dict[str, type[SQLModel]] = {}

    @staticmethod
    def _pk_names(model: type[SQLModel]) -> list[str]:
        names = _PK_NAMES.get(model)
        if names is None:
            names = _PK_NAMES[model] = [c.name for c in _table(model).primary_key.columns]
        return names

    def _key(self, model: type[SQLModel], key: Any) -> tuple:
        return key if isinstance(key, tuple) else (key,)

    def get(self, model: type[SQLModel], key: Any) -> dict[str, Any] | None:
        name = _table(model).name
        k = self._key(model, key)
        buffered = self._rows.get(name, {}).get(k)
        if buffered is _DELETED:
            return None
        if buffered is not None:
            return buffered
        if self.tables_empty:
            return None
        table = _table(model)
        pk = [table.c[n] for n in self._pk_names(model)]
        row = self.conn.execute(select(table).where(tuple_(*pk) == k)).mappings().first()
        if row is None:
            return None
        copy = dict(row)
        self._models[name] = model
        self._rows.setdefault(name, {})[k] = copy
        return copy

    def put(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        name = _table(model).name
        self._models[name] = model
        pk = self._pk_names(model)
        k = (row[pk[0]],) if len(pk) == 1 else tuple(row[n] for n in pk)
        self._rows.setdefault(name, {})[k] = row

    def update(self, model: type[SQLModel], key: Any, **changes: Any) -> None:
        row = self.get(model, key)
        if row is None:
            raise LookupError(f"{_table(model).name} has no row {key!r} to update")
        row.update(changes)
        self.put(model, row)

    def delete(self, model: type[SQLModel], key: Any) -> None:
        name = _table(model).name
        self._models[name] = model
        self._rows.setdefault(name, {})[self._key(model, key)] = _DELETED

    def flush(self) -> None:
        for name, rows in self._rows.items():
            model = self._models[name]
            table = _table(model)
            pk_cols = [table.c[n] for n in self._pk_names(model)]
            gone = [k for k, v in rows.items() if v is _DELETED]
            live = [v for v in rows.values() if v is not _DELETED]
            for start in range(0, len(gone), 500):
                chunk = gone[start:start + 500]
                self.conn.execute(delete(table).where(tuple_(*pk_cols).in_(chunk)))
            if not live:
                continue
            if self.tables_empty:
                # In key order: appending to the primary-key B-tree beats random inserts.
                live = [rows[k] for k in sorted(k for k, v in rows.items() if v is not _DELETED)]
                _insert_tuples(self.conn, table, live)
            else:
                _insert_tuples(self.conn, table, live, upsert=True)
        self._rows.clear()
