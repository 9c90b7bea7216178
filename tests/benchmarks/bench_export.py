"""Exporting 100,000 follow-ups to CSV, XLSX and JSON through the real CLI, time and memory.

Run: python tests/benchmarks/bench_export.py [--rows 100000] [--db PATH] [--tracemalloc]
     (an existing PATH from an earlier run is reused)

Targets (issue 6): CSV under 3 s and XLSX under 20 s for 100,000 rows, with memory that does
not grow with the row count (streaming: yield_per from the database, csv/orjson per row,
xlsxwriter in constant_memory mode).

Each export runs as its own process, `upgradecamp export followups --format F --out FILE
--json` as a batch job would (start-up, PIN check, query, file, the recorded
PersonalDataExported event), once over a tenth of the rows (`--assignee` of one of ten
assignees) and once over all of them: wall time and the child's peak RSS (its VmHWM from
/proc, reported by the child itself) side by side, and how much the peak grows from 10% to
100% of the rows. A run over no rows at all (`--due-to` before every due date) gives the fixed
cost of a CLI call. `--tracemalloc` adds, in process, the peak of Python allocations of
the ExportList command for both sizes (slower: tracemalloc hooks every allocation).

The database is built fast and NOT through the command handlers: synthetic ClientRegistered,
SessionPlanned, FollowUpCreated and FollowUpOutcomeRecorded events are projected by the real
projection functions straight into the read tables (clients, sessions, followups). Staff are
added through the real handler (the CLI signs in with a PIN). Exports read only read tables,
so this is what they see in production. Not collected by pytest; do not run it in a loop.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from upgradecamp.domain.commands import AddStaff  # noqa: E402
from upgradecamp.domain.staff import Actor  # noqa: E402
from upgradecamp.projections import project  # noqa: E402
from upgradecamp.projections.rowstore import RowStore  # noqa: E402
from upgradecamp.service.bus import bootstrap  # noqa: E402
from upgradecamp.service.setup import initialise  # noqa: E402
from upgradecamp.store.db import read_transaction, write_transaction  # noqa: E402
from upgradecamp.store.eventlog import StoredEvent  # noqa: E402
from upgradecamp.store.tables.followups import FollowUpRow  # noqa: E402

ADMIN = Actor(code="admin1", role="admin", branch="B01", name="管理员")
PIN = "246809"
BRANCHES = ("B01", "B02", "B03", "B04", "B05")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌波宇浩凯鹏辉婷雪琳晨欣怡"
KINDS = ("fulfil_photo", "appointment_reminder", "intention_call", "invite_next", "update_contact")
OUTCOMES = ("reached", "not_reached", "converted", "declined")
NOTES = (
    "客户说下周再联系",
    "已发送照片",
    "=1+1 客户自己写的备注",
    "-下午五点后打",
    "约了周四来网点",
    "",
)
MARKETERS = tuple(f"{b}-MK{n}" for b in BRANCHES for n in (1, 2))  # ten assignees
SESSIONS = 500
CHUNK = 50_000
DAY = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _event(position: int, type_: str, payload: dict, at: datetime) -> StoredEvent:
    return StoredEvent(
        position, "bench", 1, type_, 1, payload, {"actor": "bench", "terminal": "bench"}, at, ""
    )


def build(path: str, rows: int) -> None:
    """`rows` follow-ups over `rows // 2` clients and 500 past sessions, 40% of them done."""
    started = time.perf_counter()
    services = bootstrap(
        path, clock=Clock(DAY - timedelta(days=90)), terminal="bench", rng=random.Random(7)
    )
    initialise(services, admin_code="admin1", admin_name="管理员", admin_pin="123409")
    services.execute(
        AddStaff(code="org1", name="组织者", role="organizer", branch="B01", pin=PIN), ADMIN
    )
    for code in MARKETERS:
        services.execute(
            AddStaff(
                code=code, name=f"客户经理{code[-3:]}", role="marketer", branch=code[:3], pin=PIN
            ),
            ADMIN,
        )
    rng = random.Random(2026)
    clients = max(rows // 2, 1)
    position = 10_000_000
    with write_transaction(services.engine) as conn:
        store = RowStore(conn, tables_empty=True)
        events = []
        for i in range(clients):
            position += 1
            name = rng.choice(SURNAMES) + "".join(
                rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))
            )
            events.append(
                _event(
                    position,
                    "ClientRegistered",
                    {
                        "client_id": f"{7_000_000_000 + i}",
                        "name": name,
                        "mobile": f"1{rng.choice('3456789')}{i:09d}",
                        "id_last4": f"{i % 10_000:04d}",
                        "branch": BRANCHES[i % 5],
                        "rm": MARKETERS[i % 10],
                        "aum": f"{rng.randrange(0, 50_000_000) / 100:.2f}",
                        "risk_grade": "C3",
                        "risk_expires": "2027-06-30",
                        "marketing_consent": True,
                        "contact_status": "ok",
                    },
                    DAY - timedelta(days=80),
                )
            )
        project(store, events)
        store.flush()
    print(f"  {clients:>9,} clients     {time.perf_counter() - started:6.1f} s", flush=True)
    sessions = []
    with write_transaction(services.engine) as conn:
        store = RowStore(conn, tables_empty=True)
        events = []
        for s in range(SESSIONS):
            starts = DAY - timedelta(days=1 + s // 10, hours=s % 10)
            session_id = f"{BRANCHES[s % 5]}-X{s:05d}"
            sessions.append((session_id, starts))
            position += 1
            events.append(
                _event(
                    position,
                    "SessionPlanned",
                    {
                        "session_id": session_id,
                        "series_id": None,
                        "branch": BRANCHES[s % 5],
                        "venue": "贵宾室",
                        "starts_at": starts.isoformat(),
                        "duration_minutes": 40,
                        "capacity": 10,
                        "theme": "财富升级",
                        "host": "admin1",
                        "presenter": "org1",
                    },
                    starts - timedelta(days=30),
                )
            )
        for start in range(0, rows, CHUNK):
            for n in range(start, min(start + CHUNK, rows)):
                session_id, starts = sessions[n % SESSIONS]
                followup_id = f"{session_id}-{n:07d}"
                position += 1
                events.append(
                    _event(
                        position,
                        "FollowUpCreated",
                        {
                            "followup_id": followup_id,
                            "kind": KINDS[n % 5],
                            "session_id": session_id,
                            "client_id": f"{7_000_000_000 + n % clients}",
                            "form_id": None,
                            "assignee": MARKETERS[n % 10],
                            "due": (starts.date() + timedelta(days=n % 4)).isoformat(),
                            "next_session_id": None,
                        },
                        starts + timedelta(hours=1),
                    )
                )
                if n % 5 < 2:
                    position += 1
                    events.append(
                        _event(
                            position,
                            "FollowUpOutcomeRecorded",
                            {
                                "followup_id": followup_id,
                                "outcome": OUTCOMES[n % 4],
                                "note": NOTES[n % len(NOTES)],
                                "automatic": False,
                                "form_id": None,
                            },
                            starts + timedelta(days=1),
                        )
                    )
            project(store, events)
            events = []
            print(
                f"  {min(start + CHUNK, rows):>9,} follow-ups  "
                f"{time.perf_counter() - started:6.1f} s",
                flush=True,
            )
        store.flush()
    with write_transaction(services.engine) as conn:
        conn.exec_driver_sql("ANALYZE")
    services.engine.dispose()
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)


def count(path: str) -> int:
    services = bootstrap(path)
    with read_transaction(services.engine) as conn:
        n = conn.execute(select(func.count()).select_from(FollowUpRow)).scalar_one()
    services.engine.dispose()
    return int(n)


# The child reports its own peak RSS (VmHWM): ru_maxrss from wait4 would include the memory of
# this process at fork, which Linux carries across exec.
CHILD = """
import atexit, sys
def _peak():
    with open("/proc/self/status") as fh:
        kb = next(line.split()[1] for line in fh if line.startswith("VmHWM:"))
    sys.stderr.write(f"\\nVmHWM {kb}\\n")
atexit.register(_peak)
sys.argv = ["upgradecamp", *sys.argv[1:]]
from upgradecamp.cli import main
main()
"""


def run_cli(db: str, fmt: str, out: Path, *filters: str) -> dict:
    """One `upgradecamp export followups` process: wall seconds, peak RSS (MB), its summary."""
    env = {**os.environ, "UPGRADECAMP_PIN": PIN, "PYTHONPATH": str(ROOT / "src")}
    args = [
        sys.executable,
        "-c",
        CHILD,
        "export",
        "followups",
        "--format",
        fmt,
        "--out",
        str(out),
        "--db",
        db,
        "--as",
        "org1",
        "--json",
        *filters,
    ]
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"export failed ({done.returncode}): {done.stderr}")
    peak_kb = int(done.stderr.rsplit("VmHWM ", 1)[1].split()[0])
    summary = json.loads(done.stdout)
    return {
        "seconds": seconds,
        "rss_mb": peak_kb / 1024,
        "rows": summary["rows"],
        "size_mb": out.stat().st_size / 1e6,
    }


def traced_peak(db: str, fmt: str, out: Path, filters: dict) -> tuple[int, float]:
    """In process: rows and the peak of Python allocations (MB) of one ExportList."""
    import tracemalloc

    from upgradecamp.domain.commands.exports import ExportList

    services = bootstrap(db)
    actor = Actor(code="org1", role="organizer", branch="B01")
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = services.execute(
        ExportList(what="followups", out=str(out), format=fmt, filters=tuple(filters.items())),
        actor,
    )
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    services.engine.dispose()
    return result["rows"], peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", help="SQLite file to build or reuse")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also measure Python allocations of an export in process",
    )
    opts = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
    db = opts.db or str(folder / "bench.db")
    if not Path(db).exists():
        print(f"building {opts.rows:,} follow-ups in {db}", flush=True)
        build(db, opts.rows)
    total = count(db)
    print(f"{total:,} follow-ups in {db}\n")
    scopes = [
        ("none", ("--due-to", "2000-01-01")),
        ("10%", ("--assignee", MARKETERS[0])),
        ("100%", ()),
    ]
    results: dict[tuple[str, str], dict] = {}
    print(f"{'format':<6} {'scope':<5} {'rows':>8} {'seconds':>8} {'peak RSS':>9} {'file':>8}")
    for fmt in ("csv", "xlsx", "json"):
        for scope, filters in scopes:
            out = folder / f"followups-{scope.rstrip('%')}.{fmt}"
            r = run_cli(db, fmt, out, *filters)
            results[fmt, scope] = r
            print(
                f"{fmt:<6} {scope:<5} {r['rows']:>8,} {r['seconds']:>8.2f} "
                f"{r['rss_mb']:>7.1f}MB {r['size_mb']:>6.1f}MB",
                flush=True,
            )
            out.unlink()
    print()
    targets = {"csv": 3.0, "xlsx": 20.0, "json": None}
    for fmt, target in targets.items():
        full, tenth, none = (results[fmt, s] for s in ("100%", "10%", "none"))
        growth = full["rss_mb"] - tenth["rss_mb"]
        verdict = (
            ""
            if target is None
            else (f" (target < {target:.0f} s: {'met' if full['seconds'] < target else 'MISSED'})")
        )
        print(
            f"{fmt}: {full['rows']:,} rows in {full['seconds']:.2f} s{verdict}; "
            f"{full['seconds'] - none['seconds']:.2f} s beyond a CLI call that exports "
            f"nothing ({none['seconds']:.2f} s); peak RSS {tenth['rss_mb']:.1f} MB at "
            f"{tenth['rows']:,} rows vs {full['rss_mb']:.1f} MB at {full['rows']:,} "
            f"({growth:+.1f} MB)"
        )
    if opts.tracemalloc:
        print("\nPython allocations of an export (tracemalloc peak):")
        for fmt in ("csv", "xlsx", "json"):
            small = traced_peak(db, fmt, folder / f"t.{fmt}", {"assignee": MARKETERS[0]})
            large = traced_peak(db, fmt, folder / f"t.{fmt}", {})
            print(
                f"  {fmt}: {small[1]:.1f} MB at {small[0]:,} rows, {large[1]:.1f} MB at "
                f"{large[0]:,} rows"
            )
    for p in folder.iterdir():  # the outputs, and the database unless --db named one
        p.unlink()
    folder.rmdir()


if __name__ == "__main__":
    main()
