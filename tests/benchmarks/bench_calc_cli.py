"""Wall time of one `upgradecamp calc` call vs `python -c "import upgradecamp.cli"`.

Run: python tests/benchmarks/bench_calc_cli.py [runs]. Target: calc within 1.2x of the import.
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
SRC = Path(__file__).resolve().parents[2] / "src"
# As installed: bytecode compiled (an editable install under PYTHONDONTWRITEBYTECODE=1 would
# otherwise compile every module of ours from source on every call).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_seconds(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=ENV)
    return time.perf_counter() - start


def medians(commands: list[list[str]], runs: int) -> list[float]:
    """Median wall time of each command, runs interleaved so machine drift hits all alike."""
    for cmd in commands:
        run_seconds(cmd)  # warm the caches
    samples: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for i, cmd in enumerate(commands):
            samples[i].append(run_seconds(cmd))
    return [statistics.median(s) for s in samples]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    compileall.compile_dir(SRC, quiet=1)
    bare, calc = medians([
        [sys.executable, "-c", "import upgradecamp.cli"],
        [str(BIN / "upgradecamp"), "calc", "--aum", "120000", "--line", "large_cd:50000:existing",
         "--line", "fund:10000", "--line", "insurance:8000", "--line", "credit_card:1",
         "--action", "mobile_banking", "--on-site", "--json"],
    ], runs)
    print(f"import upgradecamp.cli : {bare * 1000:7.1f} ms (median of {runs})")
    print(f"upgradecamp calc --json: {calc * 1000:7.1f} ms")
    print(f"ratio                  : {calc / bare:7.2f}x (target <= 1.20)")


if __name__ == "__main__":
    main()
