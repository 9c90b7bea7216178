"""Every benchmark beside its peer, in one run, as one table anyone can reproduce.

Run: python tests/benchmarks/run_all.py [--quick] [--pg URL] [--only NAME ...]

Each row measures ours and a peer in the same run (bare sqlite3, the eventsourcing library,
a bare Textual app, a bare Typer app, a bare read + orjson decode of the same log), so a busy
moment of a shared machine hits both; ratios are the figure to quote, absolute numbers say
what a user waits. CPU seconds are given where the wall time would mostly measure the
neighbours. `--quick` shrinks every size for a smoke run (its verdicts are only indicative).
PostgreSQL rows need a server: --pg, else UPGRADECAMP_TEST_PG, else 127.0.0.1:5432/test if it
answers; each run works in its own schema and drops it.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT / "src")]

import bench_calc  # noqa: E402
import bench_calc_cli  # noqa: E402
import bench_keyed_chain  # noqa: E402
import bench_sealing  # noqa: E402
import bench_spine  # noqa: E402
import bench_writers  # noqa: E402

# Peak RSS as the child itself reports it (VmHWM): ru_maxrss would count this process at fork.
PEAK = """
import atexit, sys
def _peak():
    with open("/proc/self/status") as fh:
        kb = next(line.split()[1] for line in fh if line.startswith("VmHWM:"))
    sys.stderr.write(f"\\nVmHWM {kb}\\n")
atexit.register(_peak)
"""


@dataclass(frozen=True)
class Row:
    name: str
    ours: str
    peer: str = "—"
    ratio: float | None = None
    target: str = "—"
    met: bool | None = None


def machine() -> str:
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {model} · {os.cpu_count()} cores · "
        f"load average {load} · Python {platform.python_version()} · "
        f"SQLite {__import__('sqlite3').sqlite_version}"
    )


def child_peak_mb(code: str, *args: str) -> tuple[float, float, str]:
    """Run Python `code` in a child: wall seconds, peak RSS in MB, its stdout."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(HERE)])}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK + code, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    kb = int(done.stderr.rsplit("VmHWM ", 1)[1].split()[0])
    return seconds, kb / 1024, done.stdout


# -- the log ---------------------------------------------------------------------------------
def append_rows(tmp: Path, quick: bool) -> list[Row]:
    (tmp / "a").mkdir()
    (tmp / "b").mkdir()
    n, m, rounds = (100, 20_000, 3) if quick else (500, 100_000, 3)
    a = bench_spine.best_of(
        rounds,
        {
            "ours": bench_spine.single_ours,
            "bare": bench_spine.single_bare,
            "es": bench_spine.single_eventsourcing,
        },
        tmp / "a",
        n,
    )
    b = bench_spine.best_of(
        rounds, {"ours": bench_spine.bulk_ours, "bare": bench_spine.bulk_bare}, tmp / "b", m
    )
    return [
        Row(
            f"durable append, 1 event/commit ×{n}",
            f"{a['ours'] / n * 1e3:.2f} ms",
            f"bare sqlite3 {a['bare'] / n * 1e3:.2f} ms",
            a["ours"] / a["bare"],
            "≤ 2.0×",
            a["ours"] <= 2 * a["bare"],
        ),
        Row(
            f"durable append, 1 event/commit ×{n}",
            f"{a['ours'] / n * 1e3:.2f} ms",
            f"eventsourcing {a['es'] / n * 1e3:.2f} ms",
            a["ours"] / a["es"],
            "≤ 1.0×",
            a["ours"] <= a["es"],
        ),
        Row(
            f"bulk append {m:,} events, 1 transaction",
            f"{m / b['ours']:,.0f} ev/s",
            f"bare executemany+sha256 {m / b['bare']:,.0f} ev/s",
            b["bare"] / b["ours"],
            "speed ≥ 0.5×",
            b["ours"] <= 2 * b["bare"],
        ),
    ]


REPLAY = """
import sys, time
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.service.bus import bootstrap
services = bootstrap(sys.argv[1], terminal="bench")
cpu = time.process_time()
report = rebuild(services.engine, services.log)
print(report.events, time.process_time() - cpu)
"""

BARE_READ = """
import sqlite3, sys, time, orjson
conn = sqlite3.connect(sys.argv[1])
cpu = time.process_time()
n = 0
for row in conn.execute("SELECT position, stream_id, stream_version, event_type, "
                        "schema_version, payload, meta, recorded_at, hash FROM event_log "
                        "ORDER BY position"):
    orjson.loads(row[5]); orjson.loads(row[6]); n += 1
print(n, time.process_time() - cpu)
"""

# The floor under replay: the rows replay wrote to the read tables, inserted again with bare
# sqlite3 into empty copies of those tables (one transaction, secondary indexes built after,
# as replay does), nothing decoded or projected. Prints the rows and the CPU seconds.
BARE_WRITE = """
import os, sqlite3, sys, time
source = sqlite3.connect(sys.argv[1])
names = [r[0] for r in source.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name "
    "NOT IN ('event_log', 'log_head', 'log_keying', 'command_results', 'policy_positions')")]
marks = ",".join("?" * len(names))
ddl = source.execute(
    f"SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN ({marks})", names
).fetchall()
rows = {name: source.execute(f'SELECT * FROM "{name}"').fetchall() for name in names}
target = sys.argv[2]
out = sqlite3.connect(target, isolation_level=None)
out.execute("PRAGMA journal_mode=WAL")
for kind, sql in ddl:
    if kind == "table":
        out.execute(sql)
cpu = time.process_time()
out.execute("BEGIN")
for name, got in rows.items():
    if got:
        out.executemany(f'INSERT INTO "{name}" VALUES ({",".join("?" * len(got[0]))})', got)
for kind, sql in ddl:
    if kind == "index":
        out.execute(sql)
out.execute("COMMIT")
print(sum(map(len, rows.values())), time.process_time() - cpu)
"""


def demo_and_replay_rows(tmp: Path, quick: bool) -> list[Row]:
    customers = 2_000 if quick else 20_000
    demo_db = tmp / "demo.db"
    wall = bench_spine.demo_wall(demo_db, customers)
    replays, reads = [], []
    for _ in range(1 if quick else 3):  # interleaved, best CPU of each
        replays.append(child_peak_mb(REPLAY, str(demo_db)))
        reads.append(child_peak_mb(BARE_READ, str(demo_db)))
    events = int(replays[0][2].split()[0])
    ours = min(float(r[2].split()[1]) for r in replays)
    bare = min(float(r[2].split()[1]) for r in reads)
    writes = []
    for n in range(1 if quick else 3):
        out = tmp / f"bare-write-{n}.db"
        writes.append(child_peak_mb(BARE_WRITE, str(demo_db), str(out))[2].split())
    rows_written, write = int(writes[0][0]), min(float(w[1]) for w in writes)
    small, large = (4_000, 20_000) if quick else (20_000, 100_000)
    peaks = {}
    for n in (small, large):
        bench_spine.bulk_ours(tmp / f"log-{n}.db", n)
        peaks[n] = child_peak_mb(REPLAY, str(tmp / f"log-{n}.db"))[1]
    return [
        Row(
            f"demo --no-tui, {customers:,} clients (wall)",
            f"{wall:.1f} s",
            target="< 15 s",
            met=wall < 15,
        ),
        Row(
            f"log replay, {events:,} events, every projection (CPU)",
            f"{events / ours:,.0f} ev/s",
            f"bare read+orjson {events / bare:,.0f} ev/s",
            bare / ours,
            "speed ≥ 0.5×",
            ours <= 2 * bare,
        ),
        Row(
            f"bare sqlite3 inserting replay's {rows_written:,} rows (CPU)",
            f"{write:.2f} s",
            f"bare read+orjson {bare:.2f} s",
            write / bare,
        ),
        Row(
            f"log replay peak RSS, {large:,} vs {small:,} events",
            f"{peaks[large]:.0f} MB",
            f"{peaks[small]:.0f} MB",
            peaks[large] / peaks[small],
            "≤ 1.3×",
            peaks[large] <= 1.3 * peaks[small],
        ),
    ]


# -- writers ---------------------------------------------------------------------------------
def pg_url(given: str | None) -> str | None:
    url = given or os.environ.get("UPGRADECAMP_TEST_PG")
    if url:
        return url
    import socket

    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return None
    return "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def writer_rows(tmp: Path, quick: bool, pg: str | None) -> list[Row]:
    per = 40 if quick else 200
    out = []
    for label, target, url in (("SQLite", tmp / "writers.db", None), ("PostgreSQL", pg, pg)):
        if label == "PostgreSQL" and not url:
            out.append(Row("8 writers, PostgreSQL", "not run: no server"))
            continue
        one, eight = bench_writers.compare(str(target), [1, 8], per)
        ratio = eight.per_second / one.per_second
        p99_target = 100 if url else 200
        out.append(
            Row(
                f"8 writers vs 1, {label}: commits/s",
                f"{eight.per_second:.0f}/s",
                f"1 writer {one.per_second:.0f}/s",
                ratio,
                "≥ 3×" if url else "—",
                ratio >= 3 if url else None,
            )
        )
        ceiling = eight.ceiling(os.cpu_count() or 1)
        if ceiling is not None:
            # Client and server CPU per commit: past this no number of desks commits faster on
            # this machine, so the ratio above cannot exceed this row's.
            out.append(
                Row(
                    f"8 writers, {label}: CPU ceiling of {os.cpu_count()} cores",
                    f"{ceiling:.0f}/s",
                    f"1 writer {one.per_second:.0f}/s",
                    ceiling / one.per_second,
                )
            )
        out.append(
            Row(
                f"8 writers, {label}: p99 latency",
                f"{eight.p99_ms:.0f} ms",
                f"1 writer {one.p99_ms:.0f} ms",
                eight.p99_ms / one.p99_ms,
                f"< {p99_target} ms",
                eight.p99_ms < p99_target,
            )
        )
    return out


def cluster_rows(_tmp: Path, quick: bool, pg: str | None) -> list[Row]:
    import bench_clusters

    if not pg:
        return [Row("clusters on one PostgreSQL", "not run: no server")]
    counts = [1, 2] if quick else [1, 2, 4]
    runs = bench_clusters.measure(pg, counts, 2, 30 if quick else 100)
    shared, at_s, _flat = bench_clusters.ceiling(runs, "shared")
    parted, at_p, flat = bench_clusters.ceiling(runs, "partitioned")
    rows = [
        Row(
            f"{r.clusters} cluster(s) × 2 desks, log {r.layout}",
            f"{r.run.per_second:.0f} commits/s",
            f"p99 {r.run.p99_ms:.0f} ms",
        )
        for r in runs
    ]
    flat_from = "" if flat is None else f", flat from {flat} clusters"
    rows.append(
        Row(
            f"ceiling of one server, a log per cluster{flat_from}",
            f"{parted:.0f} commits/s at {at_p}",
            f"one shared log {shared:.0f} at {at_s}",
            parted / shared,
        )
    )
    return rows


# -- commands, screens, files ----------------------------------------------------------------
def calc_rows(_tmp: Path, quick: bool) -> list[Row]:
    fps = bench_calc.forms_per_second(2_000 if quick else 10_000)
    m = bench_calc_cli.measure(11 if quick else 21)
    return [
        Row("calculate, in process", f"{fps:,.0f} forms/s", target="≥ 20,000/s", met=fps >= 20_000),
        Row(
            "`upgradecamp calc --json` (CPU, median)",
            f"{m['calc'] * 1e3:.0f} ms",
            f"import upgradecamp.cli {m['import'] * 1e3:.0f} ms",
            m["calc"] / m["import"],
            "≤ 1.2×",
            m["calc"] <= 1.2 * m["import"],
        ),
        Row(
            "`upgradecamp calc --json` (CPU, median)",
            f"{m['calc'] * 1e3:.0f} ms",
            f"bare Typer app {m['typer'] * 1e3:.0f} ms",
            m["calc"] / m["typer"],
        ),
        Row(
            "`upgradecamp calc --json` (wall, median)",
            f"{m['calc_wall'] * 1e3:.0f} ms",
            f"import upgradecamp.cli {m['import_wall'] * 1e3:.0f} ms",
            m["calc_wall"] / m["import_wall"],
        ),
    ]


def tui_rows(_tmp: Path, quick: bool) -> list[Row]:
    import statistics

    import bench_tui_start

    times = bench_tui_start.measure(
        5 if quick else 10, 500 if quick else 2_000, echo=lambda _line: None
    )
    med = {kind: statistics.median(v) for kind, v in times.items()}
    return [
        Row(
            f"TUI ready for keys ({kind})",
            f"{med[kind] * 1e3:.0f} ms",
            f"bare Textual app {med['bare'] * 1e3:.0f} ms",
            med[kind] / med["bare"],
            "≤ 1.5×",
            med[kind] <= 1.5 * med["bare"],
        )
        for kind in ("run_tui", "cli")
    ]


CLI = (
    PEAK
    + """
sys.argv = ["upgradecamp", *sys.argv[1:]]
from upgradecamp.cli import main
main()
"""
)

CPU_OF = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(u.ru_utime + u.ru_stime)
"""


def _import_run(tmp: Path, n: int) -> tuple[float, float, float]:
    """CPU seconds, wall seconds and peak RSS (MB) of `clients import` of an n-row CSV into a
    fresh database, the CLI as a child process."""
    import bench_import

    folder = tmp / f"import-{n}"
    folder.mkdir()
    csv_path, db = folder / "clients.csv", folder / "import.db"
    bench_import.write_csv(csv_path, bench_import.iter_client_rows(n))
    env = {
        **os.environ,
        "UPGRADECAMP_PIN": "123409",
        "UPGRADECAMP_AS": "admin1",
        "PYTHONPATH": str(ROOT / "src"),
    }
    subprocess.run(
        [sys.executable, "-m", "upgradecamp", "init", "--admin", "admin1", "--db", str(db)],
        env=env,
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CPU_OF, sys.executable, "-c", CLI, "clients", "import"]
        + [str(csv_path), "--db", str(db)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    cpu = float(done.stdout.split()[-1])
    peak = int(done.stderr.rsplit("VmHWM ", 1)[1].split()[0]) / 1024
    return cpu, wall, peak


def import_rows(tmp: Path, quick: bool) -> list[Row]:
    """µs per row less the start-up (an import of a file with no rows: interpreter, CLI, PIN
    check); the full run adds a million rows and compares its peak memory with 100,000's."""
    start_cpu, _wall, start_peak = _import_run(tmp, 0)
    sizes = (10_000,) if quick else (100_000, 1_000_000)
    runs = {n: _import_run(tmp, n) for n in sizes}
    rows = []
    for n, (cpu, wall, peak) in runs.items():
        per_row = (cpu - start_cpu) / n * 1e6
        rows.append(
            Row(
                f"clients import, {n:,} CSV rows (CPU less start-up)",
                f"{per_row:.0f} µs/row",
                f"wall {wall:.1f} s, peak {peak:.0f} MB, start-up {start_cpu:.2f} s",
                None,
                "≤ 60 µs/row",
                per_row <= 60,
            )
        )
    if not quick:
        small, large = runs[100_000][2], runs[1_000_000][2]
        rows.append(
            Row(
                "clients import peak RSS, 1,000,000 vs 100,000 rows",
                f"{large:.0f} MB",
                f"{small:.0f} MB (empty file {start_peak:.0f} MB)",
                large / small,
                "≤ 1.5×, < 400 MB",
                large <= 1.5 * small and large < 400,
            )
        )
    return rows


def checkin_rows(_tmp: Path, quick: bool) -> list[Row]:
    import bench_checkin

    clients = 20_000 if quick else 1_000_000
    m = bench_checkin.measure(clients, 200 if quick else 1_000, 100 if quick else 600)
    rows = [
        Row(
            f"search p99, {kind}, {clients:,} clients",
            f"{p99:.2f} ms",
            f"bare sqlite3 {b99:.2f} ms",
            p99 / b99,
            "< 5 ms",
            p99 < 5,
        )
        for kind, (_p50, p99, _b50, b99) in m["search"].items()
    ]
    (c50, _c99), (d50, _d99) = m["checkin"], m["bare_commit"]
    rows.append(
        Row(
            "CheckIn end to end p50",
            f"{c50:.2f} ms",
            f"bare durable insert {d50:.2f} ms",
            c50 / d50,
            "< 2 ms",
            c50 < 2,
        )
    )
    return rows


def export_rows(tmp: Path, quick: bool) -> list[Row]:
    import bench_export

    n = 10_000 if quick else 100_000
    db = str(tmp / "export.db")
    bench_export.build(db, n)
    rows = []
    for fmt, limit in (("csv", 3.0), ("xlsx", 20.0)):
        full = bench_export.run_cli(db, fmt, tmp / f"all.{fmt}")
        tenth = bench_export.run_cli(
            db, fmt, tmp / f"tenth.{fmt}", "--assignee", bench_export.MARKETERS[0]
        )
        rows.append(
            Row(
                f"export {n:,} follow-ups, {fmt} (wall)",
                f"{full['seconds']:.1f} s",
                f"peak {full['rss_mb']:.0f} MB vs {tenth['rss_mb']:.0f} MB at 10%",
                full["rss_mb"] / tenth["rss_mb"],
                f"< {limit:.0f} s",
                full["seconds"] < limit,
            )
        )
    return rows


def keyed_chain_rows(folder: Path, quick: bool) -> list[Row]:
    """The keyed (HMAC) chain against the plain one, same events (bench_keyed_chain.py)."""
    single, bulk = (100, 10_000) if quick else (300, 50_000)
    best = bench_keyed_chain.measure(folder, single, bulk, 3)
    plain, keyed = best["plain"], best["keyed"]
    rows = []
    for part, label, target in (
        ("single", f"keyed chain: durable append ×{single} (CPU)", "≤ 1.3×"),
        ("bulk", f"keyed chain: {bulk:,} events, one append (CPU)", "≤ 1.3×"),
        ("verify", f"keyed chain: verify {single + bulk:,} events (CPU)", ""),
    ):
        ratio = keyed[part] / plain[part]
        rows.append(
            Row(
                label,
                f"{keyed[part]:.2f} s",
                f"plain chain {plain[part]:.2f} s",
                ratio,
                target or "—",
                ratio <= 1.3 if target else None,
            )
        )
    return rows


def sealing_rows(folder: Path, quick: bool) -> list[Row]:
    """Personal fields sealed against plain, both keyed logs (bench_sealing.py)."""
    clients = 1_000 if quick else 10_000
    best = bench_sealing.measure(folder, clients, 3)
    plain, sealed = best["plain"], best["sealed"]
    ratio = sealed["import"] / plain["import"]
    return [
        Row(
            f"import {clients:,} clients, personal fields sealed (CPU)",
            f"{sealed['import']:.2f} s",
            f"not sealed {plain['import']:.2f} s",
            ratio,
        ),
        Row(
            f"replay {int(sealed['events']):,} events, sealed (CPU)",
            f"{sealed['replay']:.2f} s",
            f"not sealed {plain['replay']:.2f} s",
            sealed["replay"] / plain["replay"],
        ),
        Row(
            "database size after the import, sealed",
            f"{sealed['bytes'] / 1e6:.1f} MB",
            f"not sealed {plain['bytes'] / 1e6:.1f} MB",
            sealed["bytes"] / plain["bytes"],
        ),
    ]


SECTIONS: dict[str, Callable[..., list[Row]]] = {
    "append": append_rows,
    "replay": demo_and_replay_rows,
    "writers": writer_rows,
    "clusters": cluster_rows,
    "calc": calc_rows,
    "tui": tui_rows,
    "import": import_rows,
    "keyed": keyed_chain_rows,
    "sealing": sealing_rows,
    "checkin": checkin_rows,
    "export": export_rows,
}


def render(rows: list[Row], header: str) -> str:
    cols = [
        ("benchmark", [r.name for r in rows]),
        ("ours", [r.ours for r in rows]),
        ("peer (same run)", [r.peer for r in rows]),
        ("ratio", ["—" if r.ratio is None else f"{r.ratio:.2f}×" for r in rows]),
        ("target", [r.target for r in rows]),
        ("met", ["—" if r.met is None else ("yes" if r.met else "NO") for r in rows]),
    ]
    widths = [max(len(title), *(len(v) for v in values)) for title, values in cols]
    lines = [header, ""]
    lines.append(
        "| " + " | ".join(t.ljust(w) for (t, _v), w in zip(cols, widths, strict=True)) + " |"
    )
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for i in range(len(rows)):
        lines.append(
            "| "
            + " | ".join(values[i].ljust(w) for (_t, values), w in zip(cols, widths, strict=True))
            + " |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--pg", help="PostgreSQL URL for the writer rows")
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS), help="these sections")
    args = parser.parse_args()
    pg = pg_url(args.pg)
    start = machine()
    rows: list[Row] = []
    started = time.perf_counter()
    for name, section in SECTIONS.items():
        if args.only and name not in args.only:
            continue
        print(f"… {name}", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix=f"run-all-{name}-") as tmp:
            extra = (pg,) if name in ("writers", "clusters") else ()
            rows.extend(section(Path(tmp), args.quick, *extra))
    took = time.perf_counter() - started
    header = (
        f"upgradecamp benchmarks{' (--quick)' if args.quick else ''}: {start}; "
        f"took {took / 60:.1f} min, load average at the end "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(render(rows, header))
    return 0 if all(r.met is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
