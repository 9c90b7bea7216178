"""N clusters' desks against one PostgreSQL server: one shared log against a log per cluster.

Run: python tests/benchmarks/bench_clusters.py [--clusters 1 2 4] [--desks 2] [--per-desk 100]
         [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each cluster has `--desks` check-in desks, each its own process checking clients in through
`Services.execute` (bench_writers). Two layouts on the same server, same desks:
- shared: every cluster appends to one log (one schema: one chain, one `log_head` row), as a
  bank running one database for all its clusters would today;
- partitioned: each cluster has its own schema (its own log, chain, head and read tables), the
  layout docs/scale.md proposes, all in one server.
The ceiling is the most commits/s a layout reached; where adding clusters adds under 10%, the
server (not the chain) is the limit. Every schema is dropped afterwards.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_writers  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class ClusterRun:
    layout: str
    clusters: int
    run: bench_writers.WriterRun


class Schemas:
    """Schemas made for one run, dropped at its end."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine

        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []

    def new(self) -> str:
        from sqlalchemy import text

        name = f"bench_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        self.made.append(name)
        return name

    def drop(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            for name in self.made:
                conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        self.admin.dispose()


def _jobs(schema: str, sessions: list[list[str]], desks: int, per_desk: int) -> list:
    return [
        (schema, sessions[d], [f"C{n:07d}" for n in range(d * per_desk, (d + 1) * per_desk)])
        for d in range(desks)
    ]


def measure(url: str, clusters: list[int], desks: int, per_desk: int) -> list[ClusterRun]:
    schemas = Schemas(url)
    runs = []
    try:
        for n in clusters:
            shared = schemas.new()
            sessions = bench_writers.build(url, shared, n * desks, per_desk)
            runs.append(
                ClusterRun(
                    "shared",
                    n,
                    bench_writers.run_jobs(url, _jobs(shared, sessions, n * desks, per_desk)),
                )
            )
            jobs = []
            for _ in range(n):
                own = schemas.new()
                jobs += _jobs(own, bench_writers.build(url, own, desks, per_desk), desks, per_desk)
            runs.append(ClusterRun("partitioned", n, bench_writers.run_jobs(url, jobs)))
    finally:
        schemas.drop()
    return runs


def ceiling(runs: list[ClusterRun], layout: str) -> tuple[float, int, int | None]:
    """The most commits/s, at how many clusters, and where one more step added under 10%."""
    mine = [r for r in runs if r.layout == layout]
    best = max(mine, key=lambda r: r.run.per_second)
    flat = next(
        (
            b.clusters
            for a, b in zip(mine, mine[1:], strict=False)
            if b.run.per_second < 1.1 * a.run.per_second
        ),
        None,
    )
    return best.run.per_second, best.clusters, flat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--desks", type=int, default=2)
    parser.add_argument("--per-desk", type=int, default=100)
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()
    runs = measure(args.url, args.clusters, args.desks, args.per_desk)
    print(f"{'layout':<12} {'clusters':>8} {'desks':>6} {'commits/s':>10} {'p99 ms':>8}")
    for r in runs:
        print(
            f"{r.layout:<12} {r.clusters:>8} {r.run.writers:>6} {r.run.per_second:>10.1f} "
            f"{r.run.p99_ms:>8.1f}"
        )
    for layout in ("shared", "partitioned"):
        best, at, flat = ceiling(runs, layout)
        print(
            f"{layout}: ceiling {best:.0f} commits/s at {at} clusters"
            + (f"; flat from {flat} clusters" if flat else "")
        )


if __name__ == "__main__":
    main()
