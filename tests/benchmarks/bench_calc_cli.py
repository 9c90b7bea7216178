"""CPU and wall time of one `upgradecamp calc` call vs `python -c "import upgradecamp.cli"` and a
bare Typer app that prints one JSON line.

Run: python tests/benchmarks/bench_calc_cli.py [runs]. Target: calc within 1.2x of the import,
in CPU time (user + system of the child): on this shared machine a process's wall time moves
with everyone else's load, its own CPU time much less.
"""

from __future__ import annotations

import compileall
import os
import resource
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_seconds(cmd: list[str]) -> tuple[float, float]:
    """(CPU, wall) seconds of one run of `cmd`."""
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=ENV)
    return _children_cpu() - cpu, time.perf_counter() - start


def medians(commands: list[list[str]], runs: int) -> list[tuple[float, float]]:
    """Median (CPU, wall) seconds of each command, runs interleaved so machine drift hits all
    alike."""
    for cmd in commands:
        run_seconds(cmd)  # warm the caches
    samples: list[list[tuple[float, float]]] = [[] for _ in commands]
    for _ in range(runs):
        for i, cmd in enumerate(commands):
            samples[i].append(run_seconds(cmd))
    return [
        (statistics.median(c for c, _ in s), statistics.median(w for _, w in s)) for s in samples
    ]


BARE_TYPER = """
import json, typer
app = typer.Typer()
@app.command()
def calc(aum: str = "0", json_out: bool = typer.Option(False, "--json")) -> None:
    print(json.dumps({"aum": aum}))
app()
"""


def measure(runs: int = 21) -> dict[str, float]:
    """Median CPU seconds of the import, a bare Typer app and `upgradecamp calc --json`, and
    the wall seconds of each as `*_wall`."""
    compileall.compile_dir(SRC, quiet=1)
    bare, typer_app, calc = medians(
        [
            [sys.executable, "-c", "import upgradecamp.cli"],
            [sys.executable, "-c", BARE_TYPER, "--aum", "120000", "--json"],
            [
                str(BIN / "upgradecamp"),
                "calc",
                "--aum",
                "120000",
                "--line",
                "large_cd:50000:existing",
                "--line",
                "fund:10000",
                "--line",
                "insurance:8000",
                "--line",
                "credit_card:1",
                "--action",
                "mobile_banking",
                "--on-site",
                "--json",
            ],
        ],
        runs,
    )
    return {
        "import": bare[0],
        "typer": typer_app[0],
        "calc": calc[0],
        "import_wall": bare[1],
        "typer_wall": typer_app[1],
        "calc_wall": calc[1],
    }


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    m = measure(runs)
    bare, calc = m["import"], m["calc"]
    print(f"median of {runs}, CPU (wall)")
    for label, key in (
        ("bare Typer app", "typer"),
        ("import upgradecamp.cli", "import"),
        ("upgradecamp calc --json", "calc"),
    ):
        print(f"{label:<23}: {m[key] * 1000:7.1f} ms ({m[key + '_wall'] * 1000:.1f} ms)")
    print(f"ratio, CPU             : {calc / bare:7.2f}x (target <= 1.20)")


if __name__ == "__main__":
    main()
