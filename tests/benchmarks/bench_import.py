"""Client import speed through the CLI: 100,000 CRM rows (target: under 10 s), run by hand.

Run: python tests/benchmarks/bench_import.py [--rows 100000] [--keep DIR]

Each step is `upgradecamp clients import` as a subprocess, so the times include start-up, the
PIN check, reading and checking the file, the events, the projection and the commit:
  1. first import of a CSV (UTF-8 with BOM, Chinese headers) into a fresh database
  2. the same file again: nothing changed, so no client event may be written
  3. the file with 1% of the clients changed: exactly that many ClientDetailsChanged
  4. the same rows as XLSX into another fresh database
Not collected by pytest (tests/benchmarks is ignored); do not run it in a loop.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "upgradecamp"]
HEADER = [
    "客户号",
    "姓名",
    "手机号",
    "证件号后四位",
    "所属网点",
    "客户经理",
    "金融资产",
    "风险等级",
    "风险评估到期日",
    "营销同意",
    "联系状态",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌波宇浩凯鹏辉"
PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "180",
    "181",
    "186",
    "187",
    "188",
]


def client_rows(count: int, seed: int = 2026) -> list[list[str]]:
    """Plausible, made-up CRM rows: unique client numbers and mobiles, B01–B05."""
    return list(iter_client_rows(count, seed))


def iter_client_rows(count: int, seed: int = 2026) -> Iterator[list[str]]:
    """The rows of `client_rows` one at a time (a million rows as lists would fill memory)."""
    rng = random.Random(seed)
    for i in range(count):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        mobile = PREFIXES[i % len(PREFIXES)] + f"{(i * 7_919 + 1_234) % 100_000_000:08d}"
        graded = rng.random() < 0.8
        yield [
            f"{7_000_000_000 + i}",
            name,
            mobile,
            f"{rng.randrange(1000):03d}" + ("X" if rng.random() < 0.09 else str(rng.randrange(10))),
            f"B0{rng.randrange(5) + 1}",
            "admin1" if rng.random() < 0.1 else "",
            f"{rng.randrange(0, 50_000_000) / 100:,.2f}",
            f"C{rng.randrange(1, 6)}" if graded else "",
            f"2027-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}" if graded else "",
            rng.choice(("Y", "Y", "Y", "N", "是", "否")),
            rng.choice(("正常", "正常", "正常", "", "失联")),
        ]


def write_csv(path: Path, rows: Iterable[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("客户")
    sheet.append(HEADER)
    for row in rows:
        # As a CRM writes it: mobile and AUM as numbers, the rest as text.
        sheet.append(
            [
                row[0],
                row[1],
                int(row[2]),
                row[3],
                row[4],
                row[5],
                float(row[6].replace(",", "")),
                *row[7:],
            ]
        )
    book.save(path)


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: list[str], env: dict[str, str], expect: int = 0) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one CLI call (CPU time barely moves when other work
    shares the machine's cores; wall time does)."""
    cpu = _child_cpu()
    started = time.perf_counter()
    done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != expect:
        sys.exit(f"{' '.join(args)} → exit {done.returncode}\n{done.stderr[-2000:]}")
    print(f"    {done.stdout.strip().splitlines()[0] if done.stdout.strip() else ''}")
    return seconds, _child_cpu() - cpu


def client_events(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(
            conn.execute(
                "SELECT event_type, COUNT(*) FROM event_log WHERE event_type IN "
                "('ClientRegistered', 'ClientDetailsChanged') GROUP BY event_type"
            ).fetchall()
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the files")
    opts = parser.parse_args()
    folder = opts.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "UPGRADECAMP_PIN": "123409",
        "UPGRADECAMP_AS": "admin1",
        "PYTHONPATH": str(ROOT / "src"),
    }
    n = opts.rows

    started = time.perf_counter()
    rows = client_rows(n)
    first_csv, changed_csv, xlsx = (
        folder / "clients.csv",
        folder / "clients_changed.csv",
        folder / "clients.xlsx",
    )
    write_csv(first_csv, rows)
    changed = [list(r) for r in rows]
    for r in changed[::100]:
        r[6] = f"{float(r[6].replace(',', '')) + 1000:,.2f}"
    write_csv(changed_csv, changed)
    write_xlsx(xlsx, rows)
    print(
        f"{n:,} rows generated in {time.perf_counter() - started:.1f} s "
        f"(CSV {first_csv.stat().st_size / 1e6:.1f} MB, XLSX {xlsx.stat().st_size / 1e6:.1f} MB)"
        f" in {folder}"
    )

    db = folder / "bench.db"
    for path in (db, folder / "bench_xlsx.db"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        run(["init", "--admin", "admin1", "--db", str(path)], env)

    results = []
    print("1. first import (CSV)")
    t = run(["clients", "import", str(first_csv), "--db", str(db)], env)
    results.append(("first import, CSV", t, client_events(db)))
    print("2. re-import, nothing changed")
    before = client_events(db)
    t = run(["clients", "import", str(first_csv), "--db", str(db)], env)
    after = client_events(db)
    assert after == before, f"an unchanged re-import wrote client events: {before} → {after}"
    results.append(("re-import, unchanged", t, after))
    print("3. re-import, 1% changed")
    t = run(["clients", "import", str(changed_csv), "--db", str(db)], env)
    after3 = client_events(db)
    assert after3.get("ClientDetailsChanged", 0) == len(changed[::100]), after3
    results.append(("re-import, 1% changed", t, after3))
    print("4. first import (XLSX)")
    t = run(["clients", "import", str(xlsx), "--db", str(folder / "bench_xlsx.db")], env)
    results.append(("first import, XLSX", t, client_events(folder / "bench_xlsx.db")))

    print(f"\n{'step':<24} {'wall s':>7} {'CPU s':>6} {'rows/s':>8}  client events in the log")
    for name, (seconds, cpu), events in results:
        print(f"{name:<24} {seconds:>7.2f} {cpu:>6.2f} {n / seconds:>8,.0f}  {events}")
    wall = results[0][1][0]
    verdict = "OK" if wall < 10 else "OVER"
    print(
        f"\ntarget: {n:,}-row CSV import under 10 s → {wall:.2f} s ({verdict}); load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
