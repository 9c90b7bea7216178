"""Wall time of one `upgradecamp calc` call vs `python -c "import upgradecamp.cli"`.

Run: python tests/benchmarks/bench_calc_cli.py [runs]. Target: calc within 1.2x of the import.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def median_seconds(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)  # warm the file cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    bare = median_seconds([sys.executable, "-c", "import upgradecamp.cli"], runs)
    calc = median_seconds([str(BIN / "upgradecamp"), "calc", "--aum", "120000",
                           "--line", "large_cd:50000:existing", "--line", "fund:10000",
                           "--line", "insurance:8000", "--line", "credit_card:1",
                           "--action", "mobile_banking", "--on-site", "--json"], runs)
    print(f"import upgradecamp.cli : {bare * 1000:7.1f} ms (median of {runs})")
    print(f"upgradecamp calc --json: {calc * 1000:7.1f} ms")
    print(f"ratio                  : {calc / bare:7.2f}x (target <= 1.20)")


if __name__ == "__main__":
    main()
