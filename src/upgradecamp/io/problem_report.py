"""The bad-row report of a client import: every problem, one a row, in a file for its owner.

A screen shows the first few problems and a count; a CRM export with thousands of bad rows
needs the whole list somewhere a person can sort and filter it, so it is written as CSV (UTF-8
with a BOM, formula-safe: io/spreadsheet.py) beside the imported file: `clients.csv` →
`clients.problems.csv`. Where that folder cannot be written (a read-only share), the report
goes to a private folder of its own. Either way the file is owner-only (0600, io/files.py):
the values are masked, but they are still the bank's clients' rows, and the file appears
whole or not at all.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from upgradecamp.domain.errors import BadInput
from upgradecamp.io.spreadsheet import write_csv

HEADER = ("line", "column", "value", "code", "reason")


def report_path(source: str | Path) -> Path:
    """Where the report of `source` goes first: beside it, named after it."""
    path = Path(source)
    return path.with_name(f"{path.stem}.problems.csv")


def write_problem_report(
    source: str | Path, problems: Callable[[], Iterable[dict[str, Any]]]
) -> Path:
    """Write every problem `problems()` gives, in its order, and return the report's path
    (`problems` is called again for the private folder when the first place fails)."""
    target = report_path(source)
    try:
        write_csv(target, HEADER, _rows(problems()))
    except (OSError, BadInput):
        target = Path(tempfile.mkdtemp(prefix="upgradecamp-import-report-")) / target.name
        write_csv(target, HEADER, _rows(problems()))
    return target


def _rows(problems: Iterable[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    for p in problems:
        yield (
            p["line"],
            p.get("column") or "",
            p.get("value") or "",
            p.get("code") or "",
            p["reason"],
        )
