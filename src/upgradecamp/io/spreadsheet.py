"""Files staff open in a spreadsheet: CSV in UTF-8 with a BOM (so Excel shows Chinese), with
every text cell made safe from formula injection (SPEC §5)."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from upgradecamp.domain.errors import BadInput

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
    if isinstance(value, str) and value and (value[0] in FORMULA_STARTS or (
            value[0] in _BLANK_SET and value.lstrip(BLANKS)[:1] in FORMULA_STARTS)):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    return safe_text(value)


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a CSV file (UTF-8 with BOM); returns the number of data rows.

    The file appears whole or not at all: it is written next to its destination and renamed,
    so an interrupted export never leaves half a call list behind.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BadInput(f"cannot write {target}: the folder {folder} does not exist; create it "
                       "or choose another --out", "export_no_folder", file=str(target))
    count = 0
    try:
        handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise BadInput(f"cannot write {target}: {exc.strerror}; choose another --out",
                       "export_cannot_write", file=str(target)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([_cell(h) for h in header])
            for row in rows:
                writer.writerow([_cell(v) for v in row])
                count += 1
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return count
