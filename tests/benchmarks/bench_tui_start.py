"""Start-up of `upgradecamp tui` until the login screen accepts keys, against a bare Textual app.

Target: the TUI is ready within 1.5× the time of a bare Textual app started the same way.

Each run is a fresh Python process (imports are most of a start-up), run headless. The child
prints the wall-clock moment its first key has reached the focused input; the parent measures
from just before it started the process. Three kinds run interleaved, `--runs` times each:

- bare:    a Textual App with one focused Input;
- run_tui: `upgradecamp.tui.app.run_tui(db)`, what `upgradecamp tui` opens (the TUI's own cost);
- cli:     the `upgradecamp tui --db DB` command itself, its Typer start-up included.

Run: python tests/benchmarks/bench_tui_start.py [--runs 10] [--customers 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET_RATIO = 1.5

# Shared by every child: replace App.run with a headless run whose autopilot presses one key,
# waits until the focused Input holds it, prints the moment and exits.
AUTOPILOT = r"""
import asyncio, sys, time
from textual import events
from textual.app import App
from textual.widgets import Input

_run = App.run

def _bench_run(self, *args, **kwargs):
    async def first_key(pilot):
        # The key is posted as a terminal would deliver it. (Pilot.press would also wait for
        # the whole process to go idle, which a TUI still opening its database in a thread
        # never is: that would measure the thread, not the screen.)
        app = pilot.app
        app.post_message(events.Key("x", "x"))
        while not (isinstance(app.focused, Input) and app.focused.value == "x"):
            await asyncio.sleep(0.001)
        print(f"READY {time.time():.6f}", flush=True)
        app.exit()
    kwargs.update(headless=True, size=(80, 24), auto_pilot=first_key)
    return _run(self, *args, **kwargs)

App.run = _bench_run
"""

CHILDREN = {
    "bare": AUTOPILOT
    + r"""
from textual.app import ComposeResult

class Bare(App):
    AUTO_FOCUS = "Input"
    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter")

Bare().run()
""",
    "run_tui": AUTOPILOT
    + r"""
from upgradecamp.tui.app import run_tui
run_tui(sys.argv[1], lang="zh_CN")
""",
    "cli": AUTOPILOT
    + r"""
from upgradecamp.cli import main
sys.argv = ["upgradecamp", "tui", "--db", sys.argv[1], "--lang", "zh_CN"]
main()
""",
}


def build_database(path: Path, customers: int) -> str:
    """The real demo cluster (30 staff, `customers` clients), built through the handlers."""
    from upgradecamp.demo import build_demo

    report = build_demo(str(path), customers=customers, seed=2026, echo=lambda _line: None)
    return f"{len(report.staff)} staff, {report.clients} clients, {report.events} events"


def one_start(kind: str, db: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), UPGRADECAMP_TERMINAL="bench")
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", CHILDREN[kind], db],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith("READY "):
            return float(line.split()[1]) - started
    raise RuntimeError(
        f"{kind} never accepted a key (exit {done.returncode}):\n"
        f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    )


def measure(runs: int, customers: int, echo=print) -> dict[str, list[float]]:
    """Start-up seconds of each kind, `runs` of each, interleaved."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        echo(f"demo database: {build_database(db, customers)}")
        for kind in CHILDREN:  # warm the bytecode caches; not counted
            one_start(kind, str(db))
        times: dict[str, list[float]] = {kind: [] for kind in CHILDREN}
        for _ in range(runs):
            for kind in CHILDREN:
                times[kind].append(one_start(kind, str(db)))
    return times


def main() -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--customers", type=int, default=2000)
    args = parser.parse_args()
    times = measure(args.runs, args.customers)
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    for kind, values in times.items():
        print(
            f"{kind:8} median {medians[kind] * 1000:7.1f} ms   "
            f"min {min(values) * 1000:7.1f}   max {max(values) * 1000:7.1f}   "
            f"({len(values)} runs)"
        )
    ratio = medians["run_tui"] / medians["bare"]
    cli_ratio = medians["cli"] / medians["bare"]
    print(
        f"ratio run_tui/bare: {ratio:.2f} (target ≤ {TARGET_RATIO})"
        f"{'' if ratio <= TARGET_RATIO else '  OVER TARGET'}"
    )
    print(
        f"ratio cli/bare:     {cli_ratio:.2f} (target ≤ {TARGET_RATIO})"
        f"{'' if cli_ratio <= TARGET_RATIO else '  OVER TARGET'}"
    )
    return ratio


if __name__ == "__main__":
    main()
