"""Rows read in bulk ahead of a batch's events: same rows and counts, far fewer queries."""

from __future__ import annotations

from sqlalchemy import text

from tests.conftest import ADMIN
from tests.helpers import client_row
from tests.service.test_import_clients import import_client_file, write_csv
from upgradecamp.domain.commands import RegisterClients
from upgradecamp.domain.staff import SYSTEM
from upgradecamp.projections.compare import compare_with_log
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.db import read_transaction, write_transaction
from upgradecamp.store.tables import ClientRow


def _selects(conn) -> list[str]:
    """The SELECTs the driver runs from now on (SQLite's trace callback)."""
    seen: list[str] = []
    conn.connection.driver_connection.set_trace_callback(
        lambda sql: seen.append(sql) if sql.lstrip().upper().startswith("SELECT") else None
    )
    return seen


def test_prefetched_rows_and_missing_keys_need_no_query(sqlite_services):
    sqlite_services.execute(RegisterClients(clients=[client_row(n) for n in range(1, 4)]), SYSTEM)
    with write_transaction(sqlite_services.engine) as conn:
        store = RowStore(conn)
        keys = [f"C{n:06d}" for n in range(1, 1_201)]  # 3 stored, 1,197 not
        seen = _selects(conn)
        store.prefetch(ClientRow, keys)
        assert len(seen) == 3, seen  # 500 keys a query
        seen.clear()
        assert store.get(ClientRow, "C000002")["name"] == "李四"
        assert store.get(ClientRow, "C000999") is None
        assert seen == []


def test_a_file_mixing_new_and_known_clients_keeps_rows_and_counts_true(services, tmp_path):
    """The second file names 40 known clients (one renamed) and 60 new ones: the prefetch
    must leave the rows, the search index and the recorded counts exactly as a replay does."""
    rows = [_csv_row(n) for n in range(1, 101)]
    import_client_file(services, ADMIN, write_csv(tmp_path / "first.csv", rows[:40]))
    rows[4][1] = "王五"
    import_client_file(services, ADMIN, write_csv(tmp_path / "second.csv", rows))
    with read_transaction(services.engine) as conn:
        counts = dict(conn.execute(text("SELECT name, rows FROM read_table_counts")).all())
        for name in ("clients", "client_search", "client_search_keys", "personal_data"):
            stored = conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            assert counts.get(name, 0) == stored, name
        assert counts["clients"] == 100
        renamed = conn.execute(text("SELECT name FROM clients WHERE client_id = '6200000005'"))
        assert renamed.scalar_one() == "王五"
    assert compare_with_log(services.engine, services.log) == []


def _csv_row(n: int) -> list[str]:
    names = ["张三", "李四", "欧阳娜娜", "单田芳"]
    return [
        f"62{n:08d}",
        names[n % len(names)],
        f"138{n:08d}",
        f"{n % 10000:04d}",
        "B01",
        "",
        "120000.00",
        "C3",
        "2027-06-30",
        "是",
        "正常",
    ]


def test_bulk_lookups_use_the_primary_key_on_every_read_table(sqlite_services):
    """A row value `(a, b) IN (VALUES …)` made SQLite scan the table for every 500 keys: a
    1,000,000-row import went quadratic. Every table's bulk look-up must search its index."""
    from upgradecamp.projections.rowstore import _Lookup
    from upgradecamp.store.tables import READ_TABLES

    with read_transaction(sqlite_services.engine) as conn:
        for model in READ_TABLES:
            table = model.__table__
            pk = [c.name for c in table.primary_key.columns]
            lookup = _Lookup(conn, table, pk)
            sql = lookup._in("*", 3)
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, tuple(["x"] * 3 * len(pk)))
            steps = [row[3] for row in plan]
            assert not any(step.startswith(f"SCAN {table.name}") for step in steps), (
                table.name,
                steps,
            )
