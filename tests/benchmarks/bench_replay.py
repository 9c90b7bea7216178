"""`log replay` against a bare ordered read + orjson decode of the same log, on a copy of a db.

Run: python tests/benchmarks/bench_replay.py DEMO.db [--rounds 3]
(make one with `upgradecamp demo --no-tui --customers 20000 --db DEMO.db`). Prints the best
wall and CPU time of each over the rounds, interleaved, and the speed ratio replay / bare that
the replay target is stated in. CPU time says more than wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from upgradecamp.projections.rebuild import rebuild  # noqa: E402
from upgradecamp.service.bus import bootstrap  # noqa: E402

COLUMNS = (
    "position, stream_id, stream_version, event_type, schema_version, payload, meta, "
    "recorded_at, hash"
)


def bare(path: Path) -> tuple[int, float, float]:
    conn = sqlite3.connect(path)
    wall, cpu, count = time.perf_counter(), time.process_time(), 0
    for row in conn.execute(f"SELECT {COLUMNS} FROM event_log ORDER BY position"):
        orjson.loads(row[5])
        orjson.loads(row[6])
        count += 1
    done = time.perf_counter() - wall, time.process_time() - cpu
    conn.close()
    return count, *done


def replay(path: Path) -> tuple[int, float, float]:
    services = bootstrap(str(path), terminal="bench")
    wall, cpu = time.perf_counter(), time.process_time()
    report = rebuild(services.engine, services.log)
    done = time.perf_counter() - wall, time.process_time() - cpu
    services.engine.dispose()
    return report.events, *done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        copy = Path(tmp) / "replay.db"
        shutil.copy(args.db, copy)
        key = args.db.with_name(args.db.name + ".key")
        if key.exists():  # personal fields are sealed with it
            shutil.copy(key, copy.with_name(copy.name + ".key"))
        bares, replays = [], []
        for _ in range(args.rounds):
            bares.append(bare(copy))
            replays.append(replay(copy))
    events = replays[0][0]
    for name, runs in (("bare read + orjson", bares), ("log replay", replays)):
        wall, cpu = min(r[1] for r in runs), min(r[2] for r in runs)
        print(
            f"{name:<20} {events:>8,} events  wall {wall:7.3f} s ({events / wall:>9,.0f}/s)"
            f"  cpu {cpu:7.3f} s"
        )
    ratio = min(r[1] for r in bares) / min(r[1] for r in replays)
    print(f"replay speed / bare speed (wall): {ratio:.3f}  (target >= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
