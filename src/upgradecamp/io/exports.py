"""Exports of follow-ups, invitations and clients (导出): CSV, XLSX or JSON, streamed row by row.

The writers take an iterator of row dicts and a column spec, hold at most a handful of rows,
and return how many they wrote, so 100,000 follow-ups cost no more memory than 100. CSV is
UTF-8 with a BOM (Excel then shows Chinese); XLSX has a bold frozen header, amounts as numbers
in a CNY format and mobiles, ids and codes as text; JSON is one array (money as "49000.00").
No text cell can be read as a formula (SPEC §5). Which columns each export has is
io/export_columns.py; this module only knows column kinds.

`WRITERS` fill a file the caller staged (io/files.py): the export handler
(service/exports.py) publishes it once the export is recorded. `write_whole` stages
and publishes by itself, for a file that records nothing.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from upgradecamp.domain.clock import to_local
from upgradecamp.domain.errors import BadInput
from upgradecamp.io.export_columns import Column
from upgradecamp.io.files import atomic
from upgradecamp.io.spreadsheet import BLANKS, FORMULA_STARTS
from upgradecamp.io.spreadsheet import safe_text as guard_text

Progress = Callable[[int], None]

_BLANK_SET = frozenset(BLANKS)

MONEY_FORMAT = "¥#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header
WIDTH_SAMPLE = 200  # rows whose display width sizes the XLSX columns
PROGRESS_EVERY = 1000


def _language(lang: str | None) -> str:
    """The export's language: the one asked for, else the command's or the screen's."""
    from upgradecamp import i18n

    return lang or i18n.language()


def _in_language(
    columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], lang: str
) -> Iterable[Mapping[str, Any]]:
    """Rows whose coded cells (kinds, states, outcomes) and yes/no cells say words of `lang`."""
    from upgradecamp.i18n import label

    coded = [(c.key, c.labels) for c in columns if c.labels]
    flags = [c.key for c in columns if c.kind == "bool"]
    yes, no = ("是", "否") if lang == "zh_CN" else ("Yes", "No")
    for row in rows:
        shown = dict(row)
        for key, group in coded:
            shown[key] = label(group, row.get(key), lang)
        for key in flags:
            value = row.get(key)
            shown[key] = None if value is None else (yes if value else no)
        yield shown


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet cell: CJK (wide and full-width) count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# --- values -------------------------------------------------------------------------------


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _cents(value: Any) -> Decimal | None:
    return None if value is None else Decimal(int(value)).scaleb(-2)


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_local(value).date()
    return value if isinstance(value, date) else date.fromisoformat(value)


def _beijing(value: Any) -> datetime | None:
    """An instant's cell in Beijing time (the queries give aware UTC); None when empty."""
    return None if value is None or value == "" else to_local(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if value.__class__ is not str:
        value = str(value)
    if value and (value[0] in FORMULA_STARTS or value[0] in _BLANK_SET):
        return guard_text(value)
    return value


def _csv_money(value: Any) -> str:
    amount = _money(value)
    return "" if amount is None else f"{amount:.2f}"


def _csv_cents(value: Any) -> str:
    amount = _cents(value)
    return "" if amount is None else f"{amount:.2f}"


def _csv_date(value: Any) -> str:
    day = _date(value)
    return "" if day is None else day.isoformat()


def _csv_datetime(value: Any) -> str:
    at = _beijing(value)
    return "" if at is None else at.replace(tzinfo=None).isoformat(" ", "minutes")


def _yes_no(value: Any) -> str:
    """A yes/no cell: the words `_in_language` put there, or 是/否 for a bare flag."""
    if value is None or isinstance(value, str):
        return "" if value is None else value
    return "是" if value else "否"


def _integer(value: Any) -> Any:
    return "" if value is None else int(value)


# What a spreadsheet shows, per kind (CSV cells; XLSX widths are measured on these too).
_SHOWN: dict[str, Callable[[Any], Any]] = {
    "text": _text,
    "code": _text,
    "money": _csv_money,
    "cents": _csv_cents,
    "integer": _integer,
    "date": _csv_date,
    "datetime": _csv_datetime,
    "bool": _yes_no,
}


def _json_money(value: Any) -> str | None:
    amount = _money(value)
    return None if amount is None else f"{amount:.2f}"


def _json_cents(value: Any) -> str | None:
    amount = _cents(value)
    return None if amount is None else f"{amount:.2f}"


def _json_date(value: Any) -> str | None:
    day = _date(value)
    return None if day is None else day.isoformat()


def _json_datetime(value: Any) -> str | None:
    at = _beijing(value)
    return None if at is None else at.isoformat()


def _json_plain(value: Any) -> Any:
    return value


_JSON: dict[str, Callable[[Any], Any]] = {
    "text": _json_plain,
    "code": _json_plain,
    "money": _json_money,
    "cents": _json_cents,
    "integer": _json_plain,
    "date": _json_date,
    "datetime": _json_datetime,
    "bool": lambda v: None if v is None else bool(v),
}


# --- files --------------------------------------------------------------------------------


def _tick(progress: Progress | None, count: int) -> None:
    if progress is not None and count % PROGRESS_EVERY == 0:
        progress(count)


def _write_csv(
    path: Path,
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    *,
    progress: Progress | None = None,
    lang: str | None = None,
) -> int:
    """CSV in UTF-8 with a BOM, headers and codes in one language; amounts as "49000.00"."""
    lang = _language(lang)
    shown = [(c.key, _SHOWN[c.kind]) for c in columns]
    rows = _in_language(columns, rows, lang)
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([guard_text(c.title(lang)) for c in columns])
        for row in rows:
            writer.writerow([fn(row.get(key)) for key, fn in shown])
            count += 1
            _tick(progress, count)
    if progress is not None:
        progress(count)
    return count


def _write_json(
    path: Path,
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    *,
    progress: Progress | None = None,
    lang: str | None = None,
) -> int:
    """One JSON array of objects keyed by the column keys, written row by row (SPEC §6 types:
    money "49000.00", times ISO 8601 with offset). Codes stay codes in every language."""
    import orjson

    shaped = [(c.key, _JSON[c.kind]) for c in columns]
    count = 0
    with open(path, "wb") as fh:
        fh.write(b"[")
        for row in rows:
            fh.write(b",\n" if count else b"\n")
            fh.write(orjson.dumps({key: fn(row.get(key)) for key, fn in shaped}))
            count += 1
            _tick(progress, count)
        fh.write(b"\n]\n" if count else b"]\n")
    if progress is not None:
        progress(count)
    return count


def _write_xlsx(
    path: Path,
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    *,
    sheet: str | None = None,
    progress: Progress | None = None,
    lang: str | None = None,
) -> int:
    """XLSX streamed with xlsxwriter's constant memory mode: a bold frozen header with a
    filter, amounts as numbers in ¥#,##0.00, mobiles/ids/codes as text, widths fitted to the
    header and the first rows (CJK counted double). Nothing is ever written as a formula."""
    import xlsxwriter

    count = 0
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    try:
        lang = _language(lang)
        rows = _in_language(columns, rows, lang)
        ws = book.add_worksheet(sheet or ("导出" if lang == "zh_CN" else "Export"))
        bold = book.add_format({"bold": True})
        formats = {
            "money": book.add_format({"num_format": MONEY_FORMAT}),
            "cents": book.add_format({"num_format": MONEY_FORMAT}),
            "date": book.add_format({"num_format": DATE_FORMAT}),
            "datetime": book.add_format({"num_format": DATETIME_FORMAT}),
            "code": book.add_format({"num_format": "@"}),
        }
        writers = [_xlsx_cell(ws, c.kind, formats.get(c.kind)) for c in columns]
        widths = [display_width(c.title(lang)) for c in columns]
        for i, c in enumerate(columns):
            ws.write_string(0, i, guard_text(c.title(lang)), bold)
        for row in rows:
            count += 1
            _tick(progress, count)
            if count > XLSX_MAX_ROWS:
                raise BadInput(
                    f"more than {XLSX_MAX_ROWS:,} rows do not fit in one XLSX "
                    "sheet; narrow the export with filters or use --format csv",
                    "export_too_many_rows",
                    limit=XLSX_MAX_ROWS,
                )
            values = [row.get(c.key) for c in columns]
            if count <= WIDTH_SAMPLE:
                _widen(widths, columns, values)
            for i, (write, value) in enumerate(zip(writers, values, strict=True)):
                if value is not None and value != "":
                    write(count, i, value)
        _finish_sheet(ws, columns, widths, count, formats.get("code"))
        if progress is not None:
            progress(count)
    except BaseException:
        with suppress(Exception):  # the error that stopped the export is the one to show
            book.close()
        raise
    book.close()
    return count


def _xlsx_cell(ws: Any, kind: str, fmt: Any) -> Callable[[int, int, Any], Any]:
    if kind in ("text", "code"):
        return lambda r, c, v: ws.write_string(r, c, guard_text(str(v)), fmt)
    if kind == "money":
        return lambda r, c, v: ws.write_number(r, c, _money(v), fmt)
    if kind == "cents":
        return lambda r, c, v: ws.write_number(r, c, _cents(v), fmt)
    if kind == "integer":
        return lambda r, c, v: ws.write_number(r, c, int(v))
    if kind == "date":
        return lambda r, c, v: ws.write_datetime(r, c, _date(v), fmt)
    if kind == "datetime":
        # Empty cells never reach a writer (see the loop that calls them).
        return lambda r, c, v: ws.write_datetime(r, c, to_local(v).replace(tzinfo=None), fmt)
    return lambda r, c, v: ws.write_string(r, c, _yes_no(v))


def _widen(widths: list[int], columns: Sequence[Column], values: list[Any]) -> None:
    for i, (c, value) in enumerate(zip(columns, values, strict=True)):
        if value is None:
            continue
        if c.kind in ("money", "cents"):
            amount = _money(value) if c.kind == "money" else _cents(value)
            shown = f"¥{amount:,.2f}"
        else:
            shown = str(_SHOWN[c.kind](value))
        widths[i] = max(widths[i], display_width(shown))


def _finish_sheet(
    ws: Any, columns: Sequence[Column], widths: list[int], count: int, text_format: Any
) -> None:
    for i, (c, width) in enumerate(zip(columns, widths, strict=True)):
        ws.set_column(i, i, min(max(width + 2, 8), 60), text_format if c.kind == "code" else None)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(count, 1), len(columns) - 1)
    # Mobiles and ids are text on purpose: no green "number stored as text" triangles.
    ws.ignore_errors({"number_stored_as_text": f"A1:XFD{count + 1}"})


# Each fills a staged path (io/files.py) and returns the rows written.
WRITERS: dict[str, Callable[..., int]] = {
    "csv": _write_csv,
    "xlsx": _write_xlsx,
    "json": _write_json,
}


def write_whole(
    fmt: str,
    path: str | Path,
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    **options: Any,
) -> int:
    """A whole export in `fmt` at `path` through the same writer, staged and published, or
    none; for a file that records nothing (the bus stages the recorded ones itself)."""
    with atomic(path) as temp:
        return WRITERS[fmt](temp, columns, rows, **options)


FORMATS = tuple(WRITERS)


def format_for(out: str | Path, fmt: str | None) -> str:
    """The format asked for, else the one the file name ends with."""
    if fmt is None:
        fmt = Path(out).suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise BadInput(
                f"say which format to write: --format csv, xlsx or json (the file "
                f"name {Path(out).name} does not tell)",
                "export_bad_format",
                format=fmt,
            )
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise BadInput(
            f"unknown format {fmt!r}; use csv, xlsx or json", "export_bad_format", format=fmt
        )
    return fmt
