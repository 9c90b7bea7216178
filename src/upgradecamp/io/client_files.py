"""Reading a CRM client export (CSV or XLSX) into raw rows: column → cell text, with its line.

Nothing here judges a value (that is `domain/client_import.py`); this module only finds the
columns under their English or Chinese headers and hands over the text of every cell, so a
problem can name the line and the value exactly as the file has them.

CSV: UTF-8 with or without a BOM, else GB18030 (what Excel on a Chinese Windows saves);
comma- or tab-separated. XLSX: the first sheet, read streaming (openpyxl read-only); numbers
and dates become the text a person would have typed (13800138000, 2027-06-30).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from upgradecamp.domain.client_import import (
    COLUMNS,
    HEADER_FIELDS,
    OPTIONAL,
    REQUIRED,
    accepted_headers,
    header_key,
)
from upgradecamp.domain.errors import BadInput

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
BOM = b"\xef\xbb\xbf"
BLOCK = 1 << 20


@dataclass
class ClientFile:
    """What a file holds: the columns found (by field name), its raw rows and notes for the user.

    Each row maps every column found to its cell text (None for a cell the row lacks) and has
    `line`, the line in the file (the header is line 1); `_extra` lists cells beyond the header.
    """

    source: str
    encoding: str
    columns: list[str]
    rows: Iterable[dict[str, Any]]
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_client_file(path: str | Path) -> ClientFile:
    """Read a CSV or XLSX client export whole (its rows in a list): for small files and tests."""
    file = open_client_file(path)
    file.rows = list(file.rows)
    return file


def open_client_file(path: str | Path) -> ClientFile:
    """Open a CSV or XLSX client export; its `rows` come one at a time as they are read.

    The header is read and checked here (BadInput when the file cannot be read or lacks
    columns); a problem further down (a broken quote, bytes of another encoding) is raised
    while the rows are read. Memory stays flat however long the file.
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except FileNotFoundError:
        raise BadInput(
            f"cannot read {path}: there is no such file; check the path",
            "import_unreadable",
            file=str(path),
            detail="no such file",
        ) from None
    except OSError as exc:
        raise BadInput(
            f"cannot read {path}: {exc.strerror or exc}; check the path and that "
            "you may read the file",
            "import_unreadable",
            file=str(path),
            detail=str(exc.strerror or exc),
        ) from None
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise BadInput(
            f"{path.name} is in the old .xls format; save it as .xlsx or CSV in "
            "Excel and import that",
            "import_xls",
            file=path.name,
        )
    if suffix in XLSX_SUFFIXES or (suffix not in CSV_SUFFIXES and head[:2] == b"PK"):
        encoding, records = "xlsx", xlsx_records(path)
    else:
        encoding = file_encoding(path)
        records = csv_records(path, encoding)
    return _from_records(path.name, encoding, records)


def _not_text(name: str) -> BadInput:
    return BadInput(
        f"{name} is neither UTF-8 nor GB18030 text; export it again from the "
        "CRM as CSV (UTF-8) or XLSX",
        "import_encoding",
        file=name,
    )


def file_encoding(path: Path) -> str:
    """UTF-8 with or without a BOM, UTF-16 with a BOM, else GB18030; read in blocks, UTF-8 only
    if every byte of the file is UTF-8."""
    with path.open("rb") as fh:
        first = fh.read(BLOCK)
        if first.startswith(BOM):
            return "utf-8-sig"
        if first.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16"
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            block = first
            while block:
                decoder.decode(block)
                block = fh.read(BLOCK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def csv_records(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) per record; a record's line is where it starts (quoted cells may span)."""
    try:
        with path.open(encoding=encoding, newline="") as fh:
            first = next((ln for ln in fh if ln.strip()), "")
            fh.seek(0)
            delimiter = "\t" if "\t" in first and "," not in first else ","
            reader = csv.reader(fh, delimiter=delimiter)
            consumed = 0
            try:
                for cells in reader:
                    start = consumed + 1
                    consumed = reader.line_num
                    yield start, cells
            except csv.Error as exc:
                raise BadInput(
                    f"line {consumed + 1}: the CSV cannot be read ({exc}); check the quotes "
                    "around that line",
                    "import_csv",
                    line=consumed + 1,
                ) from None
    except UnicodeError:
        raise _not_text(path.name) from None


def xlsx_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # Read-only: the sheet is parsed as it is read, never held whole.
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise BadInput(
            f"{path.name} cannot be read as an Excel workbook ({type(exc).__name__});"
            " save it again as .xlsx or CSV",
            "import_xlsx",
            file=path.name,
        ) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some CRMs write a wrong size; read every row there is
        for line, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield line, [cell_text(v) for v in values]
    finally:
        book.close()


def cell_text(value: Any) -> str:
    """An XLSX cell as the text a person would have typed in a CSV."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _from_records(
    source: str, encoding: str, records: Iterator[tuple[int, list[str]]]
) -> ClientFile:
    header_line, header = 0, None
    for line, cells in records:
        if any(c.strip() for c in cells):
            header_line, header = line, cells
            break
    if header is None:
        raise BadInput(
            f"{source} is empty: it has no header row and no clients", "import_empty", file=source
        )
    positions, ignored = _map_header(source, header)
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        shown = ", ".join(f"{name} ({COLUMNS[name][1]})" for name in missing)
        raise BadInput(
            f"{source} has no column for {shown} (header on line {header_line}); add the "
            f"column(s) to the export. Accepted headers: {accepted_headers()}",
            "import_missing_columns",
            file=source,
            missing=", ".join(missing),
            accepted=accepted_headers(),
        )
    columns = list(positions)
    rows = _rows(records, list(positions.items()), len(header))
    notes = []
    if ignored:
        notes.append(f"columns not used by upgradecamp, ignored: {', '.join(ignored)}")
    absent = [name for name in OPTIONAL if name not in positions]
    if absent:
        notes.append(
            "columns not in the file, so existing clients keep what upgradecamp "
            f"holds: {', '.join(absent)}"
        )
    if encoding == "gb18030":
        notes.append("read as GB18030 (not UTF-8)")
    return ClientFile(source, encoding, columns, rows, ignored, notes)


def _rows(
    records: Iterator[tuple[int, list[str]]], items: list[tuple[str, int]], width: int
) -> Iterator[dict[str, Any]]:
    """The rows after the header as they are read: column → cell text, `line`, `_extra`."""
    for line, cells in records:
        if not cells or not any(c.strip() for c in cells):
            continue
        n = len(cells)
        row: dict[str, Any] = {name: (cells[i] if i < n else None) for name, i in items}
        row["line"] = line
        if n > width:
            extra = [c for c in cells[width:] if c.strip()]
            if extra:
                row["_extra"] = extra
        yield row


def _map_header(source: str, header: list[str]) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for i, text in enumerate(header):
        if not text.strip():
            continue
        name = HEADER_FIELDS.get(header_key(text))
        if name is None:
            ignored.append(text.strip())
        elif name in positions:
            first = header[positions[name]].strip()
            raise BadInput(
                f"{source}: columns '{first}' and '{text.strip()}' both give {name}; "
                "keep one of them",
                "import_duplicate_column",
                file=source,
                column=name,
            )
        else:
            positions[name] = i
    return {name: positions[name] for name in COLUMNS if name in positions}, ignored
