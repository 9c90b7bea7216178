"""The keyed chain's cost against the plain one, as ratios in one run (issue 12).

Run: python tests/benchmarks/bench_keyed_chain.py [--single 300] [--bulk 50000] [--rounds 3]
Files on disk in a temp dir (WAL, synchronous=FULL), the same events through EventLog.append
and EventLog.verify with no key and with a key. The keyed append should stay within 1.3×.
Times are this process's CPU seconds: a commit's wait for the disk, and the other loads on a
shared machine, moved the wall-clock ratio from 0.6× to 1.5× between runs.

(a) durable single-event append: one transaction + commit per event
(b) one transaction of `--bulk` events (the chain's own cost shows here)
(c) verify of the whole chain
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

from tests.benchmarks.bench_spine import META, client_payload  # noqa: E402
from upgradecamp.store.db import make_engine, read_transaction, write_transaction  # noqa: E402
from upgradecamp.store.eventlog import EventLog, NewEvent, StreamAppend  # noqa: E402
from upgradecamp.store.keyfile import LogKey  # noqa: E402
from upgradecamp.store.log_tables import record_keying  # noqa: E402
from upgradecamp.store.schema import create_schema  # noqa: E402
from upgradecamp.store.sealing import Sealer  # noqa: E402

KEY = LogKey(b"k" * 32, keyed_from=1)


def _run(folder: Path, name: str, key: LogKey | None, single: int, bulk: int) -> dict:
    engine = make_engine(str(folder / f"{name}.db"))
    create_schema(engine)
    if key is not None:
        with write_transaction(engine) as conn:
            record_keying(conn, key)
    log = EventLog(key=key)
    log.sealer = Sealer(None)  # the chain alone: sealing the personal fields is bench_sealing's
    started = time.process_time()
    for i in range(single):
        with write_transaction(engine) as conn:
            log.append(
                conn,
                [
                    StreamAppend(
                        f"client-{i}", 0, [NewEvent("ClientRegistered", 1, client_payload(i))]
                    )
                ],
                META,
            )
    single_s = time.process_time() - started
    events = [NewEvent("ClientRegistered", 1, client_payload(i)) for i in range(bulk)]
    started = time.process_time()
    with write_transaction(engine) as conn:
        log.append(conn, [StreamAppend("bulk", 0, events)], META)
    bulk_s = time.process_time() - started
    started = time.process_time()
    with read_transaction(engine) as conn:
        assert log.verify(conn).ok
    verify_s = time.process_time() - started
    engine.dispose()
    return {"single": single_s, "bulk": bulk_s, "verify": verify_s}


def measure(folder: Path, single: int, bulk: int, rounds: int) -> dict[str, dict[str, float]]:
    """The best seconds of each part, plain and keyed, over `rounds` alternating runs."""
    best: dict[str, dict[str, float]] = {"plain": {}, "keyed": {}}
    for r in range(rounds):  # alternate, keep the best of each: noise on a shared box
        for name, key in (("plain", None), ("keyed", KEY)):
            got = _run(folder, f"{name}{r}", key, single, bulk)
            for part, seconds in got.items():
                best[name][part] = min(best[name].get(part, seconds), seconds)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--bulk", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        best = measure(Path(tmp), args.single, args.bulk, args.rounds)
    for part, label, count in (
        ("single", "durable single-event append", args.single),
        ("bulk", f"{args.bulk:,} events in one append", args.bulk),
        ("verify", "verify the whole chain", args.single + args.bulk),
    ):
        plain, keyed = best["plain"][part], best["keyed"][part]
        print(
            f"{label:<36} plain {count / plain:>10,.0f} ev/s  keyed {count / keyed:>10,.0f} "
            f"ev/s  keyed/plain {keyed / plain:.2f}×"
        )


if __name__ == "__main__":
    main()
