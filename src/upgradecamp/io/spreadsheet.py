"""Files staff open in a spreadsheet: CSV in UTF-8 with a BOM (so Excel shows Chinese), with
every text cell made safe from formula injection (SPEC §5)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from upgradecamp.io.files import atomic

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets; tab, CR and LF hide the rest of a cell's content in some importers; Excel in a
# Chinese or Japanese locale turns a typed full-width ＝ into a formula too. Checked after
# leading blanks as well, since some importers trim them before deciding what a cell is.
FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")
BLANKS = " \u3000\u00a0"
_BLANK_SET = frozenset(BLANKS)


def safe_text(value: Any) -> Any:
    """A text cell that no spreadsheet will run: a leading apostrophe before a formula start.

    Non-text values (numbers, None) pass unchanged; the caller formats money as text itself.
    """
    if (
        isinstance(value, str)
        and value
        and (
            value[0] in FORMULA_STARTS
            or (value[0] in _BLANK_SET and value.lstrip(BLANKS)[:1] in FORMULA_STARTS)
        )
    ):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    return safe_text(value)


def fill_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a CSV file (UTF-8 with BOM) into a staged `path` (io/files.py); returns the
    number of data rows."""
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([_cell(h) for h in header])
        for row in rows:
            writer.writerow([_cell(v) for v in row])
            count += 1
    return count


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a whole CSV file (UTF-8 with BOM) at `path`, or none; returns the data rows.

    It is written next to its destination and renamed, so an interrupted export never leaves
    half a file behind.
    """
    with atomic(path) as temp:
        return fill_csv(temp, header, rows)
