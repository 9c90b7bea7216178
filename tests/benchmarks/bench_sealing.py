"""Sealing personal fields (store/sealing.py) against not sealing them, as ratios in one run.

Run: python tests/benchmarks/bench_sealing.py [--clients 10000] [--rounds 3]
Both sides are keyed logs on files (WAL, synchronous=FULL); the plain side has sealing off
(a Sealer without a key), so the ratio is the cost of the encryption alone. CPU seconds of this
process (the database work is in-process too), best of the rounds, alternated:

(a) a client import of `--clients` rows: RegisterClients through the bus (validation, events,
    a data key per client, projections), one command
(b) reading the log back: every event read, opened and parsed (read_all + .event)
(c) replay: every read table rebuilt from the log (`log replay`)
(d) the database file's size after the import (and the -wal checkpointed)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from upgradecamp.domain.commands import RegisterClients  # noqa: E402
from upgradecamp.domain.staff import Actor  # noqa: E402
from upgradecamp.projections.rebuild import rebuild  # noqa: E402
from upgradecamp.service.bus import bootstrap  # noqa: E402
from upgradecamp.service.setup import initialise  # noqa: E402
from upgradecamp.store.db import read_transaction, scrub_wal  # noqa: E402
from upgradecamp.store.sealing import Sealer  # noqa: E402

ADMIN = Actor(code="admin1", role="admin", branch="B01", name="管理员")


def _rows(n: int) -> list[dict]:
    return [
        {
            "client_id": f"C{i:07d}",
            "name": "欧阳" + "明华伟芳"[i % 4] + "丽强军敏"[(i // 4) % 4],
            "mobile": f"139{i:08d}",
            "id_last4": f"{i % 10000:04d}",
            "branch": f"B0{i % 5 + 1}",
            "rm": None,
            "aum": f"{50_000 + (i * 7919) % 150_000}.00",
            "risk_grade": "C3",
            "risk_expires": "2027-06-30",
            "marketing_consent": True,
            "contact_status": "ok",
        }
        for i in range(n)
    ]


def run(folder: Path, name: str, sealed: bool, clients: int) -> dict[str, float]:
    path = folder / f"{name}.db"
    services = bootstrap(str(path), terminal="bench")
    initialise(services, admin_code=ADMIN.code, admin_name=ADMIN.name, admin_pin="246810")
    if not sealed:
        services.log.sealer = Sealer(None)
    rows = _rows(clients)
    started = time.process_time()
    services.execute(RegisterClients(clients=rows), ADMIN)
    imported = time.process_time() - started
    started = time.process_time()
    with read_transaction(services.engine) as conn:
        count = sum(1 for stored in services.log.read_all(conn) if stored.event)
    read = time.process_time() - started
    started = time.process_time()
    rebuild(services.engine, services.log)
    replayed = time.process_time() - started
    scrub_wal(services.engine)
    services.engine.dispose()
    size = path.stat().st_size
    return {"import": imported, "read": read, "replay": replayed, "events": count, "bytes": size}


def measure(folder: Path, clients: int, rounds: int) -> dict[str, dict[str, float]]:
    best: dict[str, dict[str, float]] = {"plain": {}, "sealed": {}}
    for r in range(rounds):  # alternate, keep the best of each: noise on a shared box
        for side in ("plain", "sealed"):
            got = run(folder, f"{side}{r}", side == "sealed", clients)
            for part, value in got.items():
                best[side][part] = min(best[side].get(part, value), value)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        best = measure(Path(tmp), args.clients, args.rounds)
    plain, sealed = best["plain"], best["sealed"]
    print(
        f"import {args.clients:,} clients (CPU)   plain {plain['import']:.2f} s  "
        f"sealed {sealed['import']:.2f} s  sealed/plain {sealed['import'] / plain['import']:.2f}×"
    )
    for part, label in (("read", "read back"), ("replay", "replay")):
        print(
            f"{label} {int(sealed['events']):,} events (CPU)   plain {plain[part]:.2f} s  "
            f"sealed {sealed[part]:.2f} s  sealed/plain {sealed[part] / plain[part]:.2f}×"
        )
    grown = sealed["bytes"] / plain["bytes"]
    print(
        f"database size                 plain {plain['bytes'] / 1e6:.1f} MB  "
        f"sealed {sealed['bytes'] / 1e6:.1f} MB  sealed/plain {grown:.2f}×"
    )


if __name__ == "__main__":
    main()
