"""Exports of follow-ups, invitations and clients (导出): CSV, XLSX or JSON, streamed row by row.

The writers take an iterator of row dicts and a column spec, hold at most a handful of rows,
and return how many they wrote, so 100,000 follow-ups cost no more memory than 100. CSV is
UTF-8 with a BOM (Excel then shows Chinese); XLSX has a bold frozen header, amounts as numbers
in a CNY format and mobiles, ids and codes as text; JSON is one array (money as "49000.00").
No text cell can be read as a formula (SPEC §5). A file appears whole or not at all: it is
written next to its target and renamed at the end.

`run_export` is the whole export as the CLI and screens run it: check who may, mask, write,
and record the export (who, what, how many rows) — a file nobody recorded does not stay.
"""

from __future__ import annotations

import csv
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from upgradecamp.domain.errors import BadInput, PermissionDenied
from upgradecamp.domain.rules import business_date, shanghai
from upgradecamp.io.spreadsheet import BLANKS, FORMULA_STARTS
from upgradecamp.io.spreadsheet import safe_text as guard_text

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

Progress = Callable[[int], None]

_BLANK_SET = frozenset(BLANKS)

KINDS = ("text", "code", "money", "cents", "integer", "date", "datetime", "bool")
MONEY_FORMAT = "¥#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header
WIDTH_SAMPLE = 200  # rows whose display width sizes the XLSX columns
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class Column:
    """One exported column: the row key (also the JSON key), its Chinese header, its kind.

    Kinds: text (free text: guarded against formulas), code (mobiles, ids, codes: always text),
    money (Decimal or "49000.00"), cents (integer cents), integer, date, datetime (shown in
    Asia/Shanghai), bool (是/否).
    """

    key: str
    header: str
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


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
        return _local(value).date()
    return value if isinstance(value, date) else date.fromisoformat(value)


def _local(value: Any) -> datetime | None:
    """An instant in Asia/Shanghai; a naive one is UTC (SQLite hands those back)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(shanghai())


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
    at = _local(value)
    return "" if at is None else at.replace(tzinfo=None).isoformat(" ", "minutes")


def _yes_no(value: Any) -> str:
    return "" if value is None else ("是" if value else "否")


def _integer(value: Any) -> Any:
    return "" if value is None else int(value)


# What a spreadsheet shows, per kind (CSV cells; XLSX widths are measured on these too).
_SHOWN: dict[str, Callable[[Any], Any]] = {
    "text": _text, "code": _text, "money": _csv_money, "cents": _csv_cents,
    "integer": _integer, "date": _csv_date, "datetime": _csv_datetime, "bool": _yes_no,
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
    at = _local(value)
    return None if at is None else at.isoformat()


def _json_plain(value: Any) -> Any:
    return value


_JSON: dict[str, Callable[[Any], Any]] = {
    "text": _json_plain, "code": _json_plain, "money": _json_money, "cents": _json_cents,
    "integer": _json_plain, "date": _json_date, "datetime": _json_datetime,
    "bool": lambda v: None if v is None else bool(v),
}


# --- files --------------------------------------------------------------------------------

@contextmanager
def _atomic(path: str | Path) -> Iterator[str]:
    """A temporary path next to `path`, renamed onto it when the block ends without error and
    removed when it does not: an interrupted export never leaves half a file behind."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BadInput(f"cannot write {target}: the folder {folder} does not exist; create it "
                       "or choose another --out", "export_no_folder", file=str(target))
    try:
        handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise BadInput(f"cannot write {target}: {exc.strerror}; choose another --out",
                       "export_cannot_write", file=str(target)) from None
    os.close(handle)
    try:
        yield temp
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _tick(progress: Progress | None, count: int) -> None:
    if progress is not None and count % PROGRESS_EVERY == 0:
        progress(count)


def write_csv(path: str | Path, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]],
              *, progress: Progress | None = None) -> int:
    """CSV in UTF-8 with a BOM, Chinese headers; amounts as plain "49000.00"."""
    shown = [(c.key, _SHOWN[c.kind]) for c in columns]
    count = 0
    with _atomic(path) as temp, open(temp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([guard_text(c.header) for c in columns])
        for row in rows:
            writer.writerow([fn(row.get(key)) for key, fn in shown])
            count += 1
            _tick(progress, count)
    if progress is not None:
        progress(count)
    return count


def write_json(path: str | Path, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]],
               *, progress: Progress | None = None) -> int:
    """One JSON array of objects keyed by the column keys, written row by row (SPEC §6 types:
    money "49000.00", times ISO 8601 with offset)."""
    import orjson

    shaped = [(c.key, _JSON[c.kind]) for c in columns]
    count = 0
    with _atomic(path) as temp, open(temp, "wb") as fh:
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


def write_xlsx(path: str | Path, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]],
               *, sheet: str = "导出", progress: Progress | None = None) -> int:
    """XLSX streamed with xlsxwriter's constant memory mode: a bold frozen header with a
    filter, amounts as numbers in ¥#,##0.00, mobiles/ids/codes as text, widths fitted to the
    header and the first rows (CJK counted double). Nothing is ever written as a formula."""
    import xlsxwriter

    count = 0
    with _atomic(path) as temp:
        book = xlsxwriter.Workbook(temp, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_numbers": False, "strings_to_urls": False})
        try:
            ws = book.add_worksheet(sheet)
            bold = book.add_format({"bold": True})
            formats = {"money": book.add_format({"num_format": MONEY_FORMAT}),
                       "cents": book.add_format({"num_format": MONEY_FORMAT}),
                       "date": book.add_format({"num_format": DATE_FORMAT}),
                       "datetime": book.add_format({"num_format": DATETIME_FORMAT}),
                       "code": book.add_format({"num_format": "@"})}
            writers = [_xlsx_cell(ws, c.kind, formats.get(c.kind)) for c in columns]
            widths = [display_width(c.header) for c in columns]
            for i, c in enumerate(columns):
                ws.write_string(0, i, guard_text(c.header), bold)
            for row in rows:
                count += 1
                _tick(progress, count)
                if count > XLSX_MAX_ROWS:
                    raise BadInput(f"more than {XLSX_MAX_ROWS:,} rows do not fit in one XLSX "
                                   "sheet; narrow the export with filters or use --format csv",
                                   "export_too_many_rows", limit=XLSX_MAX_ROWS)
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
        return lambda r, c, v: ws.write_datetime(r, c, _local(v).replace(tzinfo=None), fmt)
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


def _finish_sheet(ws: Any, columns: Sequence[Column], widths: list[int], count: int,
                  text_format: Any) -> None:
    for i, (c, width) in enumerate(zip(columns, widths, strict=True)):
        ws.set_column(i, i, min(max(width + 2, 8), 60),
                      text_format if c.kind == "code" else None)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(count, 1), len(columns) - 1)
    # Mobiles and ids are text on purpose: no green "number stored as text" triangles.
    ws.ignore_errors({"number_stored_as_text": f"A1:XFD{count + 1}"})


WRITERS: dict[str, Callable[..., int]] = {"csv": write_csv, "xlsx": write_xlsx,
                                          "json": write_json}


# --- what is exported ---------------------------------------------------------------------

FOLLOWUP_COLUMNS = (
    Column("followup_id", "跟进编号", "code"), Column("kind", "跟进类型"),
    Column("status", "状态"), Column("due", "到期日", "date"),
    Column("overdue", "逾期", "bool"), Column("days_overdue", "逾期天数", "integer"),
    Column("assignee", "负责人", "code"), Column("assignee_name", "负责人姓名"),
    Column("client_id", "客户号", "code"), Column("client_name", "姓名"),
    Column("mobile", "手机号", "code"), Column("aum", "金融资产", "money"),
    Column("branch", "网点", "code"), Column("session_id", "场次", "code"),
    Column("form_id", "登记表", "code"), Column("next_session_id", "下一场次", "code"),
    Column("outcome", "结果"), Column("note", "备注"), Column("attempts", "跟进次数", "integer"),
    Column("created_at", "创建时间", "datetime"), Column("done_at", "完成时间", "datetime"),
    Column("done_by", "完成人", "code"),
)
INVITATION_COLUMNS = (
    Column("invitation_id", "邀约编号", "code"), Column("session_id", "场次", "code"),
    Column("starts_at", "场次时间", "datetime"), Column("branch", "网点", "code"),
    Column("client_id", "客户号", "code"), Column("name", "姓名"),
    Column("mobile", "手机号", "code"), Column("code", "签到码", "code"),
    Column("segment", "客群"), Column("aum", "邀约时金融资产", "money"),
    Column("state", "邀约状态"), Column("sms_sent", "短信已发", "bool"),
    Column("wechat_added", "已加微信", "bool"), Column("calls", "致电次数", "integer"),
    Column("last_result", "最近结果"), Column("last_note", "最近备注"),
    Column("last_outcome_at", "最近联系时间", "datetime"), Column("rm", "客户经理", "code"),
    Column("issued_at", "邀约时间", "datetime"),
)
CLIENT_COLUMNS = (
    Column("client_id", "客户号", "code"), Column("name", "姓名"),
    Column("mobile", "手机号", "code"), Column("id_last4", "证件号后四位", "code"),
    Column("branch", "所属网点", "code"), Column("rm", "客户经理", "code"),
    Column("aum", "金融资产", "money"), Column("segment", "客群"),
    Column("risk_grade", "风险等级", "code"), Column("risk_expires", "风险评估到期日", "date"),
    Column("marketing_consent", "营销同意", "bool"), Column("contact_status", "联系状态"),
    Column("points", "积分", "integer"), Column("experience_tier", "体验等级", "code"),
    Column("experience_ends", "体验到期日", "date"),
    Column("registered_at", "登记时间", "datetime"),
)
COLUMNS = {"followups": FOLLOWUP_COLUMNS, "invitations": INVITATION_COLUMNS,
           "clients": CLIENT_COLUMNS}
WHATS = tuple(COLUMNS)
FORMATS = tuple(WRITERS)
# Plain mobile numbers leave the system only for these roles, and only when asked for.


def format_for(out: str | Path, fmt: str | None) -> str:
    """The format asked for, else the one the file name ends with."""
    if fmt is None:
        fmt = Path(out).suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise BadInput(f"say which format to write: --format csv, xlsx or json (the file "
                           f"name {Path(out).name} does not tell)", "export_bad_format",
                           format=fmt)
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise BadInput(f"unknown format {fmt!r}; use csv, xlsx or json", "export_bad_format",
                       format=fmt)
    return fmt


def run_export(services: Services, actor: Actor, what: str, fmt: str, out: str | Path, *,
               filters: Mapping[str, str | None] | None = None, unmasked: bool = False,
               progress: Progress | None = None,
               counted: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Write one export and record it (PersonalDataExported: who, what, format, rows, unmasked,
    filters, file). Returns {what, format, file, rows, masked, unmasked, filters}.

    `counted(total)` is told the number of rows before writing starts (for a progress bar);
    when it is None nothing is counted.
    """
    from upgradecamp.domain.commands.invitations import RecordExport
    from upgradecamp.queries import exports as q

    actor.require("exports.run", "export personal data")
    if what not in COLUMNS:
        raise BadInput(f"unknown export {what!r}; use followups, invitations or clients",
                       "export_bad_what", what=what)
    fmt = format_for(out, fmt)
    if unmasked and not actor.may("exports.unmasked"):
        raise PermissionDenied(
            f"{actor.code} ({actor.role}) may not export plain mobile numbers: only an "
            "organizer, a branch head or an admin may use --unmasked; export without it to get "
            "masked numbers (138****5678), or ask one of them", "export_unmask_refused",
            staff=actor.code, role=actor.role)
    given = q.check_filters(services.engine, what, {k: v for k, v in (filters or {}).items()
                                                     if v not in (None, "")})
    if counted is not None:
        counted(q.count_rows(services.engine, what, given))
    rows = q.export_rows(services.engine, what, given, unmasked=unmasked,
                         today=business_date(services.clock()))
    with closing(rows):  # a failed write hands the database connection back at once
        written = WRITERS[fmt](out, COLUMNS[what], rows, progress=progress)
    try:
        services.execute(RecordExport(
            what=what, format=fmt, rows=written, unmasked=unmasked,
            filters=tuple((k, str(v)) for k, v in given.items()), file=str(out)), actor)
    except BaseException:
        Path(out).unlink(missing_ok=True)  # a file nobody recorded must not stay behind
        raise
    return {"what": what, "format": fmt, "file": str(out), "rows": written,
            "masked": not unmasked, "unmasked": unmasked,
            "filters": {k: str(v) for k, v in given.items()}}
