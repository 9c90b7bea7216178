"""The spine's speed, side by side with bare sqlite3 and the eventsourcing library, in one run.

Run: python tests/benchmarks/bench_spine.py [--single 500] [--bulk 100000] [--customers 20000]
All databases are files on disk in a temp dir (WAL, synchronous=FULL), so commits really sync.

(a) durable single-event append: one transaction + commit per event
(b) 100,000 events in one append (one transaction) vs executemany with a Python hash chain
(c) `log replay` (projections.rebuild.rebuild) events/s on the 20,000-client demo database
(d) `upgradecamp demo --no-tui` wall time for 20,000 clients, as a subprocess
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from upgradecamp.store.db import make_engine, read_transaction, write_transaction  # noqa: E402
from upgradecamp.store.eventlog import EventLog, NewEvent, StreamAppend  # noqa: E402
from upgradecamp.store.schema import create_schema  # noqa: E402

META = {
    "actor": "B01-OR1",
    "terminal": "bench",
    "command": "RegisterClients",
    "correlation_id": "0" * 32,
    "causation_id": None,
    "idempotency_key": None,
}
BARE_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS event_log (position INTEGER PRIMARY KEY, "
    "stream_id VARCHAR(200) NOT NULL, stream_version INTEGER NOT NULL, "
    "event_type VARCHAR(100) NOT NULL, schema_version INTEGER NOT NULL, payload TEXT NOT NULL, "
    "meta TEXT NOT NULL, recorded_at VARCHAR(40) NOT NULL, hash VARCHAR(64) NOT NULL, "
    "CONSTRAINT uq_event_stream_version UNIQUE (stream_id, stream_version))"
)
BARE_INSERT = "INSERT INTO event_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"


def client_payload(i: int) -> dict:
    """A ClientRegistered payload of the demo's shape and size."""
    return {
        "aum": f"{(i * 7919) % 5_000_000 / 100:.2f}",
        "branch": f"B0{i % 5 + 1}",
        "client_id": f"{1_000_000_000 + i}",
        "contact_status": "ok",
        "id_last4": "0409",
        "marketing_consent": True,
        "mobile": f"138{i:08d}",
        "name": "张三丰",
        "risk_expires": "2027-12-07",
        "risk_grade": "C3",
        "rm": "B04-MK1",
    }


def bare_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(BARE_SCHEMA)
    return conn


def ours_engine(path: Path):
    engine = make_engine(str(path))
    create_schema(engine)
    return engine


# -- (a) one durable event per transaction ------------------------------------------------
def single_ours(path: Path, n: int) -> float:
    engine, log = ours_engine(path), EventLog()
    payloads = [client_payload(i) for i in range(n)]
    started = time.perf_counter()
    for i, payload in enumerate(payloads):
        with write_transaction(engine) as conn:
            log.append(
                conn,
                [StreamAppend(f"client-{i}", 0, [NewEvent("ClientRegistered", 2, payload)])],
                META,
            )
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def single_ours_pooled(path: Path, n: int) -> float:
    """What-if: the same append on an engine that keeps its connection (QueuePool).

    `make_engine` uses NullPool, so each transaction opens a connection, runs the pragmas and,
    being the last connection to close, checkpoints the WAL; this row shows what pooling saves.
    """
    from sqlalchemy import create_engine

    from upgradecamp.config import db_url
    from upgradecamp.store import db

    engine = create_engine(db_url(str(path)))
    db._configure_sqlite(engine)
    create_schema(engine)
    log = EventLog()
    payloads = [client_payload(i) for i in range(n)]
    started = time.perf_counter()
    for i, payload in enumerate(payloads):
        with write_transaction(engine) as conn:
            log.append(
                conn,
                [StreamAppend(f"client-{i}", 0, [NewEvent("ClientRegistered", 2, payload)])],
                META,
            )
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def single_bare(path: Path, n: int) -> float:
    conn = bare_connection(path)
    payloads = [client_payload(i) for i in range(n)]
    meta = json.dumps(META)
    started = time.perf_counter()
    for i, payload in enumerate(payloads, 1):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            BARE_INSERT,
            (
                i,
                f"client-{i}",
                1,
                "ClientRegistered",
                2,
                json.dumps(payload, ensure_ascii=False),
                meta,
                datetime.now(UTC).isoformat(),
                "0" * 64,
            ),
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


@functools.cache
def _eventsourcing_classes():
    """Defined once: the library refuses a second class under the same topic."""
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class Client(Aggregate):
        @event("Registered")
        def __init__(self, payload: dict):
            self.payload = payload

    class Register(Application):
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite"}

    return Register, Client


def _eventsourcing_app(path: Path):
    app_cls, client_cls = _eventsourcing_classes()
    return app_cls(env={"SQLITE_DBNAME": str(path)}), client_cls


def single_eventsourcing(path: Path, n: int) -> float:
    app, client_cls = _eventsourcing_app(path)
    payloads = [client_payload(i) for i in range(n)]
    started = time.perf_counter()
    for payload in payloads:
        app.save(client_cls(payload))
    elapsed = time.perf_counter() - started
    app.close()
    return elapsed


def single_eventsourcing_recorder(path: Path, n: int) -> float:
    """The library's recorder alone: insert one already-serialised StoredEvent per call."""
    from uuid import UUID

    from eventsourcing.persistence import StoredEvent
    from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

    datastore = SQLiteDatastore(str(path))
    recorder = SQLiteApplicationRecorder(datastore)
    recorder.create_table()
    events = [
        StoredEvent(
            UUID(int=i + 1), 1, "bench:ClientRegistered", json.dumps(client_payload(i)).encode()
        )
        for i in range(n)
    ]
    started = time.perf_counter()
    for stored in events:
        recorder.insert_events([stored])
    elapsed = time.perf_counter() - started
    datastore.close()
    return elapsed


def eventsourcing_synchronous(path: Path) -> str:
    app, _cls = _eventsourcing_app(path)
    with app.recorder.datastore.get_connection(commit=False) as conn:
        cur = conn.cursor()
        cur.execute("PRAGMA synchronous")
        sync = cur.fetchone()[0]
        cur.execute("PRAGMA journal_mode")
        mode = cur.fetchone()[0]
    app.close()
    return f"journal_mode={mode}, synchronous={sync} (2 = FULL)"


# -- (b) many events in one transaction ---------------------------------------------------
def bulk_ours(path: Path, n: int) -> float:
    engine, log = ours_engine(path), EventLog()
    appends = [
        StreamAppend(f"client-{i}", 0, [NewEvent("ClientRegistered", 2, client_payload(i))])
        for i in range(n)
    ]
    started = time.perf_counter()
    with write_transaction(engine) as conn:
        log.append(conn, appends, META)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def bulk_bare(path: Path, n: int) -> float:
    conn = bare_connection(path)
    payloads = [client_payload(i) for i in range(n)]
    started = time.perf_counter()
    meta = json.dumps(META, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    recorded_at = datetime.now(UTC).isoformat(timespec="microseconds")
    prev, rows = "0" * 64, []
    for i, payload in enumerate(payloads, 1):
        body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        stream = f"client-{i}"
        prev = hashlib.sha256(
            f"{prev}|{i}|{stream}|1|ClientRegistered|2|{body}|{meta}|{recorded_at}".encode()
        ).hexdigest()
        rows.append((i, stream, 1, "ClientRegistered", 2, body, meta, recorded_at, prev))
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(BARE_INSERT, rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


# -- (c) and (d): the demo database and its replay ----------------------------------------
def demo_wall(path: Path, customers: int) -> float:
    script = Path(sys.executable).with_name("upgradecamp")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "upgradecamp"]
    started = time.perf_counter()
    subprocess.run(
        [*command, "demo", "--no-tui", "--customers", str(customers), "--db", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    return time.perf_counter() - started


def replay(path: Path) -> tuple[int, float]:
    from upgradecamp.projections.rebuild import rebuild
    from upgradecamp.service.bus import bootstrap

    services = bootstrap(str(path), terminal="bench")
    started = time.perf_counter()
    report = rebuild(services.engine, services.log)
    elapsed = time.perf_counter() - started
    with read_transaction(services.engine) as conn:
        assert services.log.verify(conn).ok
    services.engine.dispose()
    return report.events, elapsed


# -- running and reporting ----------------------------------------------------------------
def best_of(
    rounds: int, variants: dict[str, Callable[[Path, int], float]], tmp: Path, n: int
) -> dict[str, float]:
    """Best time of each variant, rounds interleaved so a busy moment hits them all alike."""
    best: dict[str, float] = {}
    for r in range(rounds):
        for name, fn in variants.items():
            elapsed = fn(tmp / f"{name}-{r}.db", n)
            best[name] = min(best.get(name, elapsed), elapsed)
    return best


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=500, help="events for (a)")
    parser.add_argument("--bulk", type=int, default=100_000, help="events for (b)")
    parser.add_argument("--customers", type=int, default=20_000, help="demo size for (c), (d)")
    parser.add_argument("--rounds", type=int, default=3, help="best of N for (a), (b), (c)")
    args = parser.parse_args()

    rows: list[tuple[str, int, float]] = []
    checks: list[tuple[str, float, str, bool]] = []
    with tempfile.TemporaryDirectory(prefix="bench-spine-") as tmpdir:
        tmp = Path(tmpdir)
        n = args.single
        a = best_of(
            args.rounds,
            {
                "a-ours": single_ours,
                "a-pooled": single_ours_pooled,
                "a-bare": single_bare,
                "a-es": single_eventsourcing,
                "a-esrec": single_eventsourcing_recorder,
            },
            tmp,
            n,
        )
        a_ours, a_pooled, a_bare = a["a-ours"], a["a-pooled"], a["a-bare"]
        a_es, a_es_rec = a["a-es"], a["a-esrec"]
        es_pragmas = eventsourcing_synchronous(tmp / "a-es-0.db")
        rows += [
            ("(a) ours: EventLog.append, 1 write_transaction/event", n, a_ours),
            ("(a) what-if: ours on a pooled engine (QueuePool)", n, a_pooled),
            ("(a) bare sqlite3: INSERT + COMMIT per event", n, a_bare),
            ("(a) eventsourcing: Application.save, 1 event", n, a_es),
            ("(a) eventsourcing: recorder.insert_events, 1 event", n, a_es_rec),
        ]
        checks += [
            ("(a) ours time / bare time", a_ours / a_bare, "<= 2.0", a_ours <= 2 * a_bare),
            ("(a) ours time / eventsourcing save time", a_ours / a_es, "<= 1.0", a_ours <= a_es),
        ]

        m = args.bulk
        b = best_of(args.rounds, {"b-ours": bulk_ours, "b-bare": bulk_bare}, tmp, m)
        b_ours, b_bare = b["b-ours"], b["b-bare"]
        rows += [
            ("(b) ours: one append of all events, 1 transaction", m, b_ours),
            ("(b) bare: executemany + sha256 chain in Python", m, b_bare),
        ]
        checks.append(
            ("(b) ours speed / bare speed", b_bare / b_ours, ">= 0.5", b_ours <= 2 * b_bare)
        )

        demo_db = tmp / "demo.db"
        d_wall = demo_wall(demo_db, args.customers)
        replays = [replay(demo_db) for _ in range(args.rounds)]
        events = replays[0][0]
        c_cold, c_best = replays[0][1], min(t for _e, t in replays)
        rows += [
            (
                f"(c) log replay, first in process (pinyin cold), {args.customers:,} clients",
                events,
                c_cold,
            ),
            ("(c) log replay, best of rounds (pinyin cached)", events, c_best),
            (
                f"(d) upgradecamp demo --no-tui --customers {args.customers:,} (wall)",
                events,
                d_wall,
            ),
        ]
        checks += [
            (
                "(c) replay events/s (first run)",
                events / c_cold,
                ">= 30,000",
                events / c_cold >= 30_000,
            ),
            ("(d) demo wall time, s", d_wall, "< 15", d_wall < 15),
        ]

    width = max(len(name) for name, _n, _t in rows)
    print(f"\n{'case':<{width}}  {'events':>8}  {'seconds':>9}  {'ms/event':>9}  {'events/s':>10}")
    for name, count, seconds in rows:
        print(
            f"{name:<{width}}  {count:>8,}  {seconds:>9.3f}  {seconds / count * 1e3:>9.4f}  "
            f"{count / seconds:>10,.0f}"
        )
    print(f"\neventsourcing's SQLite connection: {es_pragmas}")
    print(f"\n{'check':<44}  {'value':>10}  {'target':>10}  verdict")
    for name, value, target, ok in checks:
        print(f"{name:<44}  {value:>10,.2f}  {target:>10}  {verdict(ok)}")
    return 0 if all(ok for *_x, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
