"""Reading a holdings file (CSV or XLSX) into raw rows with their line numbers; the checks
are `domain/holdings.py`'s. Encodings and spreadsheets are read as for the client file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from upgradecamp.domain.client_import import header_key
from upgradecamp.domain.errors import BadInput
from upgradecamp.domain.holdings import COLUMNS, HEADER_FIELDS
from upgradecamp.io.client_files import (
    CSV_SUFFIXES,
    XLSX_SUFFIXES,
    csv_records,
    file_encoding,
    xlsx_records,
)


def read_holdings_file(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise BadInput(
            f"cannot read {path}: {exc.strerror or exc}; check the path",
            "import_unreadable",
            file=str(path),
            detail=str(exc.strerror or exc),
        ) from None
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES or (suffix not in CSV_SUFFIXES and head[:2] == b"PK"):
        records = xlsx_records(path)
    else:
        records = csv_records(path, file_encoding(path))
    header: dict[str, int] | None = None
    rows: list[dict[str, Any]] = []
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = {
                HEADER_FIELDS[k]: i
                for i, c in enumerate(cells)
                if (k := header_key(c)) in HEADER_FIELDS
            }
            missing = [f"{n} ({COLUMNS[n][1]})" for n in COLUMNS if n not in header]
            if missing:
                raise BadInput(
                    f"{path.name} has no column for {', '.join(missing)} (header on "
                    f"line {line}); add them",
                    "holdings_missing_columns",
                    file=path.name,
                    missing=", ".join(missing),
                )
            continue
        rows.append(
            {"line": line, **{n: cells[i] if i < len(cells) else None for n, i in header.items()}}
        )
    if header is None:
        raise BadInput(f"{path.name} is empty: no header row", "import_empty", file=path.name)
    return rows
