"""Concurrent writers: commits/s and latency of N check-in desks at once, against one desk.

Run: python tests/benchmarks/bench_writers.py [--writers 1 8] [--per-writer 200]
         [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each writer is its own OS process with its own Services (as a desk's terminal is), checking
known clients into its own open session through `Services.execute(CheckIn)`: decide, append,
project, commit (synchronous=FULL on SQLite). All writers wait at a barrier and start together;
commits/s is every commit over the wall time from the start to the last writer's end, latency
is per command (retries included). The database is built once per run through the handlers.
With --url, PostgreSQL runs in a fresh schema of that database, dropped afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

DAY = datetime(2026, 11, 20, tzinfo=UTC)
BRANCHES = ("B01", "B02", "B03", "B04", "B05")
SEATS = 20  # the most a session seats: each writer fills several


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class WriterRun:
    writers: int
    commits: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_ms_per_commit: float
    # The PostgreSQL server's CPU (all its processes on this machine) per commit; None for
    # SQLite, which runs inside the writers.
    server_cpu_ms_per_commit: float | None = None

    def ceiling(self, cores: int) -> float | None:
        """Commits/s at which the writers and the server would use every core: no number of
        desks on this machine commits faster, whatever the locks."""
        if self.server_cpu_ms_per_commit is None:
            return None
        return cores * 1e3 / (self.cpu_ms_per_commit + self.server_cpu_ms_per_commit)

    @property
    def per_second(self) -> float:
        return self.commits / self.seconds


def _engine(target: str, schema: str | None):
    from sqlalchemy import create_engine

    from upgradecamp.store.db import make_engine

    if schema is None:
        return make_engine(target)
    return create_engine(target, connect_args={"options": f"-csearch_path={schema}"})


def _services(target: str, schema: str | None, terminal: str):
    from upgradecamp.service.bus import bootstrap

    return bootstrap(
        engine=_engine(target, schema),
        terminal=terminal,
        clock=Clock(DAY.replace(hour=0, minute=10)),
        rng=random.Random(terminal),
    )


def build(target: str, schema: str | None, writers: int, per_writer: int) -> list[str]:
    """Clients and one open session per writer; returns the session ids."""
    from upgradecamp.domain.commands import (
        AddStaff,
        OpenSession,
        PlanSessions,
        RegisterClients,
    )
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.setup import initialise

    admin = Actor(code="admin1", role="admin", branch="B01", name="管理员")
    services = _services(target, schema, "setup")
    initialise(services, admin_code="admin1", admin_name="管理员", admin_pin="123409")
    for branch in BRANCHES:
        for code, role in (("CH1", "checkin"), ("MK1", "marketer"), ("MK2", "marketer")):
            services.execute(
                AddStaff(
                    code=f"{branch}-{code}", name="员工", role=role, branch=branch, pin="246809"
                ),
                admin,
            )
    total = writers * per_writer
    for start in range(0, total, 5_000):
        services.execute(
            RegisterClients(
                clients=[
                    {
                        "client_id": f"C{n:07d}",
                        "name": "张三" if n % 2 else "李四",
                        "mobile": f"138{n:08d}",
                        "id_last4": f"{n % 10000:04d}",
                        "branch": "B01",
                        "rm": None,
                        "aum": "120000.00",
                        "risk_grade": "C3",
                        "risk_expires": "2027-06-30",
                        "marketing_consent": True,
                        "contact_status": "ok",
                    }
                    for n in range(start, min(start + 5_000, total))
                ]
            ),
            admin,
        )
    sessions: list[list[str]] = []
    slot = 0
    for w in range(writers):
        sessions.append([])
        for k in range(-(-per_writer // SEATS)):
            # Ten-minute sessions one after another in each branch: one host pair suffices.
            minutes = 9 * 60 + 10 * (slot // 5)
            planned = services.execute(
                PlanSessions(
                    branch=BRANCHES[slot % 5],
                    start=f"{DAY:%Y-%m-%d} {minutes // 60:02d}:{minutes % 60:02d}",
                    duration_minutes=10,
                    capacity=SEATS,
                    venue=f"会议室{w}-{k}",
                ),
                admin,
            )
            slot += 1
            sid = planned["sessions"][0]["session_id"]
            services.execute(OpenSession(session_id=sid), admin)
            sessions[w].append(sid)
    services.engine.dispose()
    return sessions


def _writer(
    target: str,
    schema: str | None,
    w: int,
    sessions: list[str],
    clients: list[str],
    ready: Any,
    go: Any,
    out: Any,
    finish: Any,
) -> None:
    from upgradecamp.domain.commands import CheckIn
    from upgradecamp.domain.staff import Actor

    services = _services(target, schema, f"desk-{w}")
    desks = {b: Actor(code=f"{b}-CH1", role="checkin", branch=b) for b in BRANCHES}
    ready.put(w)
    go.wait(120)
    cpu0 = time.process_time()
    times = []
    for i, client in enumerate(clients):
        t0 = time.perf_counter()
        sid = sessions[i // SEATS]
        services.execute(CheckIn(session_id=sid, client_id=client), desks[sid[:3]])
        times.append(time.perf_counter() - t0)
    out.put((times, time.process_time() - cpu0, time.perf_counter()))
    finish.wait(120)  # the server's backends stay until the parent has read their CPU
    services.engine.dispose()


def run_writers(
    target: str,
    schema: str | None,
    sessions: list[list[str]],
    writers: int,
    per_writer: int,
    offset: int,
) -> WriterRun:
    """`writers` desks at once, each checking `per_writer` clients into its own sessions."""
    jobs = []
    for w in range(writers):
        first = offset + w * per_writer
        jobs.append((schema, sessions[w], [f"C{n:07d}" for n in range(first, first + per_writer)]))
    return run_jobs(target, jobs)


def run_jobs(target: str, jobs: list[tuple[str | None, list[str], list[str]]]) -> WriterRun:
    """One process per job (schema, its sessions, its clients), all started at once."""
    ctx = multiprocessing.get_context("fork")
    ready, out, go, finish = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Event()
    procs = [
        ctx.Process(
            target=_writer, args=(target, schema, w, sessions, clients, ready, go, out, finish)
        )
        for w, (schema, sessions, clients) in enumerate(jobs)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)
    on_postgres = target.startswith("postgresql")
    server0 = server_cpu() if on_postgres else None
    started = time.perf_counter()
    go.set()
    results = [out.get(timeout=600) for _ in procs]
    server1 = server_cpu() if on_postgres else None
    finish.set()
    for p in procs:
        p.join()
        if p.exitcode:
            raise RuntimeError(f"a writer failed (exit {p.exitcode})")
    ended = max(end for _t, _c, end in results)
    times = sorted(t for ts, _c, _e in results for t in ts)
    p99 = times[min(len(times) - 1, round(0.99 * len(times)) - 1)]
    cpu = sum(c for _t, c, _e in results)
    return WriterRun(
        len(jobs),
        len(times),
        ended - started,
        statistics.median(times) * 1e3,
        p99 * 1e3,
        times[-1] * 1e3,
        cpu / len(times) * 1e3,
        None if server0 is None or server1 is None else (server1 - server0) / len(times) * 1e3,
    )


def server_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL server's processes on this machine (user and
    system, from /proc); None where it cannot be read (another host, another OS)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    total, seen = 0, False
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        name, _, rest = stat.partition(") ")
        if not (name.endswith("(postgres") or name.endswith("(postmaster")):
            continue
        fields = rest.split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        seen = True
    return total / tick if seen else None


def compare(target: str, counts: list[int], per_writer: int) -> list[WriterRun]:
    """Each writer count in turn on one database (fresh sessions and clients for each)."""
    schema = None
    admin = None
    if target.startswith("postgresql"):
        from sqlalchemy import create_engine, text

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(target, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        most = max(counts)
        rounds = len(counts)
        # One session per writer of each round, clients for all of them.
        sessions = build(target, schema, most * rounds, per_writer)
        runs = []
        for r, n in enumerate(counts):
            mine = sessions[r * most : r * most + n]
            runs.append(
                run_writers(target, schema, mine, n, per_writer, offset=r * most * per_writer)
            )
        return runs
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--per-writer", type=int, default=200)
    parser.add_argument("--url", help="a PostgreSQL URL (default: a SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-writers-") as tmp:
        target = args.url or str(Path(tmp) / "writers.db")
        runs = compare(target, args.writers, args.per_writer)
    import os

    cores = os.cpu_count() or 1
    print(
        f"{'writers':>7} {'commits':>8} {'commits/s':>10} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'CPU ms/commit':>14} {'server CPU ms':>14} {f'{cores}-core ceiling':>16}"
    )
    for r in runs:
        server = "—" if r.server_cpu_ms_per_commit is None else f"{r.server_cpu_ms_per_commit:.2f}"
        ceiling = r.ceiling(cores)
        print(
            f"{r.writers:>7} {r.commits:>8} {r.per_second:>10.1f} {r.p50_ms:>8.1f} "
            f"{r.p99_ms:>8.1f} {r.max_ms:>8.1f} {r.cpu_ms_per_commit:>14.2f} {server:>14} "
            f"{'—' if ceiling is None else f'{ceiling:.0f}/s':>16}"
        )


if __name__ == "__main__":
    main()
