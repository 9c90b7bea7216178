"""A write-behind buffer over the read tables, shared by live projection and replay.

Projections `get` and `put` rows as dicts; the buffer answers reads from what this transaction
already wrote, and `flush` writes everything with one executemany per table. Replay uses it on
empty tables (plain inserts), the live path upserts. Same projection code, same rows.
Replay flushes every few thousand events (`spill`) so its memory stays flat: from then on a
row not in the buffer is looked up in the table only when its key was flushed (a set of the
keys' hashes per table, a few bytes a row, answers "never written" without a query), and
flushes upsert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, Table, delete, func, select, tuple_
from sqlmodel import SQLModel

from upgradecamp.store.db import pipelined

_DELETED = object()
# The bookkeeping tables `quick_check` does not count (store/tables: ProjectionPositionRow and
# ReadTableCountRow): their puts need no lookup to tell a new row from a changed one.
UNCOUNTED = frozenset({"projection_position", "read_table_counts"})
CHUNK_KEYS = 500  # keys per IN (…) lookup: well under SQLite's 32,766 bound parameters
CHUNK_KEY_PAIRS = 100  # composite keys per OR'ed lookup: a shallow expression for the parser
_PK_NAMES: dict[type[SQLModel], list[str]] = {}


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined]


@contextmanager
def indexes_deferred(conn: Connection, models: Sequence[type[SQLModel]]) -> Iterator[None]:
    """The secondary indexes of `models` dropped for the block and built once after it:
    building an index over loaded rows beats updating it row by row (replay, a first import).

    Only inside a write transaction: an error in the block leaves them dropped, and the
    rollback that follows brings them back (DDL is transactional). The callers use it on
    SQLite only, where readers of other connections keep their snapshot, indexes and all; on
    PostgreSQL a dropped index would lock the table's readers out until the commit.
    """
    indexes = [index for model in models for index in _table(model).indexes]
    for index in indexes:
        index.drop(conn)
    yield
    for index in indexes:
        index.create(conn)


class _Memo(dict):
    """Each distinct value converted once (dates repeat a lot); a hit is a plain dict lookup."""

    def __init__(self, proc: Callable[[Any], Any]):
        super().__init__()
        self.proc = proc

    def __missing__(self, value: Any) -> Any:
        out = self[value] = self.proc(value)
        return out


def _memoised(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A bind processor that converts each distinct value once, called without a Python frame
    when the value was seen before."""
    return _Memo(proc).__getitem__


class _Insert(NamedTuple):
    """One table's INSERT (or upsert) for one dialect, built once per process."""

    sql: str
    getter: Callable[[dict[str, Any]], tuple]
    procs: Sequence[tuple[int, Callable[[Any], Any]]]


_INSERTS: dict[tuple[Table, str, str, bool], _Insert] = {}


def _insert_for(conn: Connection, table: Table, upsert: bool) -> _Insert:
    dialect = conn.dialect
    cache_key = (table, dialect.name, dialect.paramstyle, upsert)
    found = _INSERTS.get(cache_key)
    if found is not None:
        return found
    columns = list(table.columns)
    keys = [c.name for c in columns]
    procs = [
        (i, proc)
        for i, c in enumerate(columns)
        if (proc := c.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(f'"{k}"' for k in keys)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join([marker] * len(columns))})'
    if upsert:
        pk = [c.name for c in table.primary_key.columns]
        others = [k for k in keys if k not in pk]
        target = ", ".join(f'"{k}"' for k in pk)
        action = (
            "DO UPDATE SET " + ", ".join(f'"{k}" = excluded."{k}"' for k in others)
            if others
            else "DO NOTHING"
        )
        sql += f" ON CONFLICT ({target}) {action}"
    getter = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    built = _INSERTS[cache_key] = _Insert(sql, getter, procs)
    return built


def _insert_tuples(
    conn: Connection, table: Table, rows: list[dict[str, Any]], *, upsert: bool = False
) -> None:
    """Bulk insert (or upsert) through the driver: Core's executemany spends its time building
    parameters, several times what the database needs for the rows themselves.

    Each column's bind processor (dates and booleans on SQLite) still converts the values, so
    the rows are exactly those a Core insert would write. The upsert is `ON CONFLICT (key) DO
    UPDATE`, which SQLite and PostgreSQL both spell the same way. One row (a desk's command)
    goes as one execute: psycopg's executemany sets up a pipeline, a round of its own.
    """
    sql, getter, procs = _insert_for(conn, table, upsert)
    params: list[Sequence[Any]]
    if not procs:
        params = [getter(row) for row in rows]
    else:
        converters = [(i, _memoised(proc)) for i, proc in procs]
        params = []
        for row in rows:
            values = list(getter(row))
            for i, convert in converters:
                values[i] = convert(values[i])
            params.append(values)
    cursor = conn.connection.cursor()
    try:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)
    finally:
        cursor.close()


class _Lookup:
    """A select by primary key, with each column's result processor (dates, booleans and
    aware times on SQLite) applied as a Core select would."""

    def __init__(self, conn: Connection, table: Table, pk: list[str]):
        dialect = conn.dialect
        self.names = [c.name for c in table.columns]
        self.converters = [
            (i, proc)
            for i, c in enumerate(table.columns)
            if (proc := c.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
        ]
        self.key_binds = [
            c.type.dialect_impl(dialect).bind_processor(dialect) for n in pk for c in [table.c[n]]
        ]
        self.key_results = [
            c.type.dialect_impl(dialect).result_processor(dialect, None)
            for n in pk
            for c in [table.c[n]]
        ]
        self.marker = marker = "?" if dialect.paramstyle == "qmark" else "%s"
        self.columns = columns = ", ".join(f'"{n}"' for n in self.names)
        where = " AND ".join(f'"{n}" = {marker}' for n in pk)
        self.table = table.name
        self.pk = pk
        self.sql = f'SELECT {columns} FROM "{table.name}" WHERE {where}'

    def _bound(self, key: tuple) -> list[Any]:
        return [v if b is None else b(v) for v, b in zip(key, self.key_binds, strict=True)]

    def _in(self, select_list: str, count: int) -> str:
        """SELECT … WHERE the key is one of `count` keys, in a form each table's primary-key
        index answers: `pk IN (…)` for one column; for several, `(a = ? AND b = ?) OR …`, since
        SQLite scans the whole table for a row value `(a, b) IN (VALUES …)`."""
        if len(self.pk) == 1:
            where = f'"{self.pk[0]}" IN (' + ", ".join([self.marker] * count) + ")"
        else:
            one = "(" + " AND ".join(f'"{n}" = {self.marker}' for n in self.pk) + ")"
            where = " OR ".join([one] * count)
        return f'SELECT {select_list} FROM "{self.table}" WHERE {where}'

    def _chunks(self, conn: Connection, select_list: str, keys: list[tuple]) -> Iterator[tuple]:
        cursor = conn.connection.cursor()
        try:
            size = CHUNK_KEYS if len(self.pk) == 1 else CHUNK_KEY_PAIRS
            for start in range(0, len(keys), size):
                chunk = keys[start : start + size]
                cursor.execute(
                    self._in(select_list, len(chunk)),
                    [v for k in chunk for v in self._bound(k)],
                )
                yield from cursor.fetchall()
        finally:
            cursor.close()

    def read_many(self, conn: Connection, keys: list[tuple]) -> dict[tuple, dict[str, Any]]:
        """The stored rows of `keys`, by key (a key not stored is left out)."""
        found: dict[tuple, dict[str, Any]] = {}
        for raw in self._chunks(conn, self.columns, keys):
            row = self._row(raw)
            found[tuple(row[n] for n in self.pk)] = row
        return found

    def stored_keys(self, conn: Connection, keys: list[tuple]) -> set[tuple]:
        """Which of `keys` are stored."""
        pk, results = ", ".join(f'"{n}"' for n in self.pk), self.key_results
        return {
            tuple(v if conv is None else conv(v) for v, conv in zip(raw, results, strict=True))
            for raw in self._chunks(conn, pk, keys)
        }

    def read(self, conn: Connection, key: tuple) -> dict[str, Any] | None:
        cursor = conn.connection.cursor()
        try:
            cursor.execute(self.sql, self._bound(key))
            found = cursor.fetchone()
        finally:
            cursor.close()
        return None if found is None else self._row(found)

    def _row(self, raw: Sequence[Any]) -> dict[str, Any]:
        values = list(raw)
        for i, convert in self.converters:
            if values[i] is not None:
                values[i] = convert(values[i])
        return dict(zip(self.names, values, strict=True))


_LOOKUPS: dict[tuple[Table, str, str], _Lookup] = {}


class RowStore:
    def __init__(self, conn: Connection, *, tables_empty: bool = False):
        self.conn = conn
        self.tables_empty = tables_empty
        self._spilled = False
        # Replay only: hashes of the keys flushed to each (at first empty) table. A key whose
        # hash is absent was never written; a present one may be a collision, so it is read.
        self._flushed: dict[str, set[int]] = {}
        self._rows: dict[str, dict[tuple, Any]] = {}
        self._models: dict[str, type[SQLModel]] = {}
        self._buckets: dict[type[SQLModel], tuple[dict[tuple, Any], Callable[[Any], tuple]]] = {}
        # Tables that may have gained or lost rows since the last flush (a row put that was not
        # read first, or a delete), for the counts `quick_check` compares. Replay counts such a
        # table again after the flush; a live command looks up only the keys concerned
        # (`_unread`) and moves the recorded count by what changed: a command stays O(its rows)
        # however large the table.
        self._resized: set[type[SQLModel]] = set()
        self._unread: dict[type[SQLModel], set[tuple]] = {}
        # Keys `prefetch` found not stored, per table, until the next flush: `get` answers
        # them without a query and the size change counts them without a lookup.
        self._absent: dict[str, set[tuple]] = {}

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
        if self.tables_empty and hash(k) not in self._flushed.get(name, ()):
            return None
        if k in self._absent.get(name, ()):
            return None
        copy = self._read(model, k)
        if copy is None:
            return None
        self._models[name] = model
        self._rows.setdefault(name, {})[k] = copy
        return copy

    def _read(self, model: type[SQLModel], key: tuple) -> dict[str, Any] | None:
        """The stored row with this key, read on the driver's cursor: the live path reads a
        row or two per event, and Core's per-statement work cost ten times the database's."""
        return self._lookup(model).read(self.conn, key)

    def prefetch(self, model: type[SQLModel], keys: Iterable[Any]) -> None:
        """Read the rows of `keys` in a few queries, ahead of the `get`s a batch of events will
        make one by one (a file import's thousands): found rows join the buffer as `get` would
        put them there, missing keys are remembered as missing until the next flush.

        A hint only: a key not prefetched is read when asked for. Replay's tables start empty
        and need none."""
        if self.tables_empty:
            return
        name = _table(model).name
        buffered = self._rows.get(name, {})
        absent = self._absent.setdefault(name, set())
        wanted = list(
            dict.fromkeys(
                k
                for k in (self._key(model, key) for key in keys)
                if k not in buffered and k not in absent
            )
        )
        if not wanted:
            return
        found = self._lookup(model).read_many(self.conn, wanted)
        self._models[name] = model
        rows = self._rows.setdefault(name, {})
        for k in wanted:
            row = found.get(k)
            if row is None:
                absent.add(k)
            else:
                rows[k] = row

    def _lookup(self, model: type[SQLModel]) -> _Lookup:
        table, dialect = _table(model), self.conn.dialect
        cache_key = (table, dialect.name, dialect.paramstyle)
        lookup = _LOOKUPS.get(cache_key)
        if lookup is None:
            lookup = _LOOKUPS[cache_key] = _Lookup(self.conn, table, self._pk_names(model))
        return lookup

    def matching(self, model: type[SQLModel], column: str, value: Any) -> list[dict[str, Any]]:
        """The rows whose `column` equals `value`, buffered or stored (for the rare handler that
        changes every row of a client, such as a forgetting); they join the buffer, so their
        `update`s are flushed as any other."""
        name = _table(model).name
        self._models[name] = model
        buffered = self._rows.setdefault(name, {})
        if not (self.tables_empty and not self._spilled):
            table = _table(model)
            pk = self._pk_names(model)
            for row in self.conn.execute(select(table).where(table.c[column] == value)).mappings():
                buffered.setdefault(tuple(row[n] for n in pk), dict(row))
        return [
            row
            for _key, row in sorted(buffered.items())
            if row is not _DELETED and row[column] == value
        ]

    def put(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        # Replay's hottest call (a row per event or two): the key's getter is built once.
        try:
            bucket, key_of = self._buckets[model]
        except KeyError:
            bucket, key_of = self._bucket(model)
        key = key_of(row)
        if key not in bucket:
            self._may_resize(model, key)
        bucket[key] = row

    def _bucket(self, model: type[SQLModel]) -> tuple[dict[tuple, Any], Callable[[Any], tuple]]:
        name = _table(model).name
        self._models[name] = model
        pk = self._pk_names(model)
        getter = itemgetter(*pk)
        key_of = (lambda row: (getter(row),)) if len(pk) == 1 else getter
        found = self._buckets[model] = (self._rows.setdefault(name, {}), key_of)
        return found

    def update(self, model: type[SQLModel], key: Any, **changes: Any) -> None:
        row = self.get(model, key)
        if row is None:
            raise LookupError(f"{_table(model).name} has no row {key!r} to update")
        row.update(changes)
        self.put(model, row)

    def delete(self, model: type[SQLModel], key: Any) -> None:
        name = _table(model).name
        self._models[name] = model
        k = self._key(model, key)
        self._rows.setdefault(name, {})[k] = _DELETED
        self._may_resize(model, k)

    def _may_resize(self, model: type[SQLModel], key: tuple) -> None:
        if _table(model).name in UNCOUNTED:
            return
        if self.tables_empty:
            self._resized.add(model)
        else:
            self._unread.setdefault(model, set()).add(key)

    def spill(self) -> None:
        """Flush now and keep going: the tables are no longer empty."""
        self.flush()
        self._spilled = True

    def flush(self) -> None:
        grown: dict[type[SQLModel], int] = {}
        writes: list[tuple[Table, list[dict[str, Any]], bool]] = []
        for name, rows in self._rows.items():
            model = self._models[name]
            table = _table(model)
            pk_cols = [table.c[n] for n in self._pk_names(model)]
            candidates = self._unread.pop(model, None)
            if candidates:
                grown[model] = self._size_change(model, rows, candidates)
            if self.tables_empty:
                self._flushed.setdefault(name, set()).update(map(hash, rows))
            gone = [k for k, v in rows.items() if v is _DELETED]
            for start in range(0, len(gone), 500):
                chunk = gone[start : start + 500]
                self.conn.execute(delete(table).where(tuple_(*pk_cols).in_(chunk)))
            if len(gone) == len(rows):
                continue
            if self.tables_empty:
                # In key order: appending to the primary-key B-tree beats random inserts.
                live = [rows[k] for k in sorted(k for k, v in rows.items() if v is not _DELETED)]
                writes.append((table, live, self._spilled))
            else:
                writes.append((table, [v for v in rows.values() if v is not _DELETED], True))
        writes += self._moved_counts(grown)
        with pipelined(self.conn):  # only writes inside: nothing waits for an answer
            for table, live, upsert in writes:
                _insert_tuples(self.conn, table, live, upsert=upsert)
        self._rows.clear()
        self._buckets.clear()
        self._unread.clear()
        self._absent.clear()
        if self._resized:
            self._recount()

    def _size_change(
        self,
        model: type[SQLModel],
        rows: dict[tuple, Any],
        candidates: set[tuple],
    ) -> int:
        """How many rows the flush about to run adds to the table, less those it removes: only
        the keys put without being read or prefetched, or deleted, are looked up (a command's
        few one by one, an import's many in chunks, both on the driver's cursor)."""
        keys = list(candidates)
        absent = self._absent.get(_table(model).name, set())
        unknown = [k for k in keys if k not in absent]
        if len(unknown) <= 16:
            stored = {k for k in unknown if self._read(model, k) is not None}
        else:
            stored = self._lookup(model).stored_keys(self.conn, unknown)
        added = sum(1 for k in keys if rows.get(k) is not _DELETED and k not in stored)
        removed = sum(1 for k in keys if rows.get(k) is _DELETED and k in stored)
        return added - removed

    def _moved_counts(
        self, grown: dict[type[SQLModel], int]
    ) -> list[tuple[Table, list[dict[str, Any]], bool]]:
        """The live path's new row counts for `quick_check`: each recorded count moved by what
        the flush adds or removes (all read in one query), as an upsert to write with the rows.
        A table with no count recorded yet is counted after the flush (`_resized`)."""
        from upgradecamp.store.tables import ReadTableCountRow

        changed = {_table(m).name: (m, n) for m, n in grown.items() if n != 0}
        if not changed:
            return []
        recorded = self._lookup(ReadTableCountRow).read_many(
            self.conn, [(name,) for name in changed]
        )
        rows = []
        for name in sorted(changed):
            model, change = changed[name]
            row = recorded.get((name,))
            if row is None:
                self._resized.add(model)
            else:
                rows.append({"name": name, "rows": row["rows"] + change})
        return [(_table(ReadTableCountRow), rows, True)] if rows else []

    def _recount(self) -> None:
        """Row counts counted after the flush: replay's, and a table's first."""
        from upgradecamp.store.tables import ReadTableCountRow

        counts = {
            _table(m).name: self.conn.execute(count_rows(_table(m))).scalar_one()
            for m in self._resized
        }
        self._resized.clear()
        rows = [{"name": n, "rows": counts[n]} for n in sorted(counts)]
        _insert_tuples(self.conn, _table(ReadTableCountRow), rows, upsert=True)


def count_rows(table: Table) -> Select:
    """SELECT count(*) FROM table."""
    return select(func.count()).select_from(table)
