"""`upgradecamp report session SESSION | campaign [--from D --to D] [--branch B]` (SPEC §4.6).

Invited, confirmed, attended and the attendance rate, walk-ins, forms, approved, appointments,
amounts subscribed by product, converted AUM added, tier upgrades and points credited, per
branch, per marketer and for the cluster (what each counts: `domain/reports.py`). As aligned
tables, one JSON document (`--json`), or an XLSX workbook with a sheet per view
(`--format xlsx --out FILE`). A report names staff and branches, never a client, so writing it
to a file is not an export of personal data and is not recorded as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, say

app = typer.Typer(help="Reports (报表) of a session or a campaign: the funnel, amounts, points.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)

FORMATS = ("text", "json", "xlsx")
FormatOption = Annotated[str, typer.Option("--format", help="text (default), json or xlsx")]
OutOption = Annotated[str | None, typer.Option("--out", help="the XLSX file to write")]

# (JSON key, label, kind) of the figures every group has, in the order they are shown.
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("sessions", "Sessions", "int"),
    ("invited", "Invited", "int"),
    ("confirmed", "Confirmed", "int"),
    ("attended", "Attended", "int"),
    ("attended_invitees", "  invitees", "int"),
    ("walk_ins", "  walk-ins", "int"),
    ("attendance_rate", "Attendance rate", "rate"),
    ("attended_potential", "Potential attendees", "int"),
    ("potential_share", "Potential share", "rate"),
    ("forms", "Forms", "int"),
    ("approved", "Approved", "int"),
    ("pending", "  pending", "int"),
    ("rejected", "  rejected", "int"),
    ("cancelled", "  cancelled", "int"),
    ("appointments", "Appointments", "int"),
    ("amount_subscribed", "Subscribed (CNY)", "money"),
    ("converted_aum_added", "Converted AUM added", "money"),
    ("tier_upgrades", "Tier upgrades", "int"),
    ("points_credited", "Points credited", "int"),
)
MARKETER_COLUMNS = ("invited", "confirmed", "attended", "attendance_rate", "forms", "approved",
                    "appointments", "amount_subscribed", "converted_aum_added", "tier_upgrades",
                    "points_credited")
SESSION_COLUMNS = ("invited", "confirmed", "attended", "walk_ins", "attendance_rate", "forms",
                   "approved", "amount_subscribed", "points_credited")
SHORT = {"attendance_rate": "Rate", "amount_subscribed": "Subscribed",
         "converted_aum_added": "Converted", "tier_upgrades": "Upgrades",
         "points_credited": "Points", "appointments": "Appts", "walk_ins": "Walk-ins"}
_KIND = {key: kind for key, _, kind in FIGURES}
_LABEL = {key: label.strip() for key, label, _ in FIGURES}
# A spreadsheet column stands alone, without the rows above it that the text table has.
_HEADER = {**_LABEL, "attended_invitees": "Attended invitees", "walk_ins": "Walk-ins",
           "pending": "Pending", "rejected": "Rejected", "cancelled": "Cancelled"}


# -- the commands ----------------------------------------------------------------------------------
@app.command("session")
@handles_errors
def session(session_id: Annotated[str, typer.Argument(help="session id, e.g. B02-20261201-1500")],
            fmt: FormatOption = "text", out: OutOption = None, db: DbOption = None,
            acting: AsOption = None, json_out: JsonOption = False) -> None:
    """One session's figures, per branch, per marketer, and by product."""
    from upgradecamp.queries.reports import session_report

    fmt = _format(fmt, json_out, out)
    services = open_services(db)
    sign_in(services, acting).require("reports.read", "read reports")
    _emit(session_report(services.engine, session_id, services.clock()), fmt, out)


@app.command("campaign")
@handles_errors
def campaign(
    from_: Annotated[str | None, typer.Option(
        "--from", help="first day YYYY-MM-DD (default: 29 days before --to)")] = None,
    to: Annotated[str | None, typer.Option(
        "--to", help="last day YYYY-MM-DD, included (default: today)")] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="one branch, e.g. B02")] = None,
    fmt: FormatOption = "text", out: OutOption = None, db: DbOption = None,
    acting: AsOption = None, json_out: JsonOption = False,
) -> None:
    """The sessions starting within the dates (Beijing time): per session, per branch, per
    marketer, and for the cluster."""
    from upgradecamp.domain.rules import business_date
    from upgradecamp.queries.reports import campaign_report

    fmt = _format(fmt, json_out, out)
    start, end = _date(from_, "--from"), _date(to, "--to")
    services = open_services(db)
    sign_in(services, acting).require("reports.read", "read reports")
    now = services.clock()
    _emit(campaign_report(services.engine, today=business_date(now), start=start, end=end,
                          branch=branch, now=now), fmt, out)


def _format(fmt: str, json_out: bool, out: str | None) -> str:
    from upgradecamp.domain.errors import BadInput

    fmt = "json" if json_out else fmt.strip().lower()
    if fmt not in FORMATS:
        raise BadInput(f"--format {fmt!r}: use text, json or xlsx")
    if fmt == "xlsx" and not out:
        raise BadInput("--format xlsx needs --out FILE.xlsx (the workbook to write)")
    if out and fmt != "xlsx":
        raise BadInput("--out is for --format xlsx; text and --json print to the terminal")
    return fmt


def _date(value: str | None, option: str):
    from datetime import date

    from upgradecamp.domain.errors import BadInput

    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"{option} '{value}' is not a date; write it as YYYY-MM-DD") from None


def _emit(doc: dict[str, Any], fmt: str, out: str | None) -> None:
    if fmt == "json":
        emit_json(doc)
    elif fmt == "xlsx":
        assert out is not None
        sheets = write_workbook(doc, out)
        typer.echo(f"wrote {out}: sheets {', '.join(sheets)}", err=True)
    else:
        say("\n".join(text_report(doc)))


# -- text ------------------------------------------------------------------------------------------
def shown(value: Any, kind: str) -> str:
    """A figure as a person reads it: 1,234,567.00 · 52.25% · — for no rate."""
    if value is None:
        return "—"
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    if kind == "rate":  # the four places of the ratio, so nothing is rounded twice
        return f"{Decimal(value) * 100:.2f}%"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    """Rows as aligned columns by cell width (Chinese takes two cells)."""
    from rich.cells import cell_len

    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = []
        for value, width, r in zip(row, widths, right, strict=True):
            pad = " " * (width - cell_len(value))
            cells.append(pad + value if r else value + pad)
        out.append("  ".join(cells).rstrip())
    return out


def scope_line(doc: dict[str, Any]) -> str:
    s = doc["scope"]
    if s["kind"] == "session":
        first = doc["sessions"][0] if doc["sessions"] else {}
        head = (f"Session {s['session_id']}  {s['from']} {first.get('time', '')}  "
                f"{s['branch']} {s.get('branch_name') or ''}  {first.get('status', '')}")
    else:
        where = f"{s['branch']} {s.get('branch_name') or ''}" if s["branch"] else "all branches"
        head = (f"Campaign {s['from']} → {s['to']}  {where.strip()}  "
                f"{doc['cluster']['sessions']} sessions")
    return f"{head}  (as of {s['as_of'][:16].replace('T', ' ')})"


def text_report(doc: dict[str, Any]) -> list[str]:
    lines = [scope_line(doc), ""]
    groups = [("Cluster", doc["cluster"]), *((b["branch"], b) for b in doc["branches"])]
    if len(doc["branches"]) == 1:
        groups = groups[:1]
    rows = [["", *(name for name, _ in groups)]]
    rows += [[label, *(shown(g[key], kind) for _, g in groups)] for key, label, kind in FIGURES]
    lines += table(rows, [False, *([True] * len(groups))])
    if doc["products"]:
        lines += ["", "Subscribed by product (approved forms)"]
        rows = [[p["product"], p["name_zh"],
                 shown(p["amount"], "money") if p["kind"] == "amount" else f"{p['count']:,}"]
                for p in doc["products"]]
        lines += ["  " + line for line in table(rows, [False, False, True])]
    if doc["marketers"]:
        lines += ["", "Marketers: invited … rate count the clients they are RM of; forms … "
                      "points count the forms they submitted"]
        rows = [["Marketer", "Name", "Branch", *(SHORT.get(k, _LABEL[k]) for k in
                                                  MARKETER_COLUMNS)]]
        rows += [[m["marketer"], m["name"], m["branch"],
                  *(shown(m[k], _KIND[k]) for k in MARKETER_COLUMNS)] for m in doc["marketers"]]
        lines += table(rows, [False, False, False, *([True] * len(MARKETER_COLUMNS))])
    if doc["scope"]["kind"] == "campaign" and doc["sessions"]:
        lines += ["", "Sessions"]
        rows = [["Session", "Date", "Time", "Status",
                 *(SHORT.get(k, _LABEL[k]) for k in SESSION_COLUMNS)]]
        rows += [[s["session_id"], s["date"], s["time"], s["status"],
                  *(shown(s[k], _KIND[k]) for k in SESSION_COLUMNS)] for s in doc["sessions"]]
        lines += table(rows, [False] * 4 + [True] * len(SESSION_COLUMNS))
    if not doc["sessions"]:
        lines += ["", "no sessions in this scope; widen the dates or leave out --branch"]
    return lines


# -- xlsx ------------------------------------------------------------------------------------------
def write_workbook(doc: dict[str, Any], path: str) -> list[str]:
    """The report as a workbook: a sheet per view, a bold frozen header, money as numbers in
    a CNY format, rates as percentages; returns the sheet names."""
    import os
    from contextlib import suppress
    from pathlib import Path

    import xlsxwriter

    from upgradecamp.domain.errors import BadInput
    from upgradecamp.io.spreadsheet import safe_text

    target = Path(path)
    if not target.parent.is_dir():
        raise BadInput(f"cannot write {target}: the folder {target.parent} does not exist; "
                       "create it or choose another --out")
    # Written next to the target and renamed at the end: a failed run leaves no half file.
    temp = target.with_name(f".{target.name}.part")
    book = xlsxwriter.Workbook(str(temp), {"constant_memory": True,
                                             "strings_to_formulas": False,
                                             "strings_to_numbers": False,
                                             "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    formats = {"money": book.add_format({"num_format": "¥#,##0.00"}),
               "rate": book.add_format({"num_format": "0.0%"})}

    def sheet(name: str, header: Sequence[str], rows: Sequence[Sequence[tuple[Any, str]]],
              widths: Sequence[int]) -> None:
        ws = book.add_worksheet(name)
        for c, (title, width) in enumerate(zip(header, widths, strict=True)):
            ws.write_string(0, c, title, bold)
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 0)
        for r, row in enumerate(rows, 1):
            for c, (value, kind) in enumerate(row):
                if value is None or value == "":
                    continue
                if kind == "money":
                    ws.write_number(r, c, Decimal(value), formats["money"])
                elif kind == "rate":
                    ws.write_number(r, c, Decimal(value), formats["rate"])
                elif kind == "int":
                    ws.write_number(r, c, int(value))
                else:
                    ws.write_string(r, c, safe_text(str(value)))

    keys = [key for key, _, _ in FIGURES]
    fig_header = [_HEADER[k] for k in keys]
    fig_widths = [max(10, len(h) + 2) for h in fig_header]

    def figs(group: dict[str, Any], skip: int = 0) -> list[tuple[Any, str]]:
        return [(group[k], _KIND[k]) for k in keys[skip:]]

    s = doc["scope"]
    try:
        sheet("cluster", ["Scope", "From", "To", "Branch", "As of", *fig_header],
              [[(s["session_id"] or s["kind"], "text"), (s["from"], "text"), (s["to"], "text"),
                (s["branch"] or "all", "text"), (s["as_of"], "text"), *figs(doc["cluster"])]],
              [22, 11, 11, 8, 26, *fig_widths])
        sheet("branches", ["Branch", "Name", *fig_header],
              [[(b["branch"], "text"), (b["name"], "text"), *figs(b)] for b in doc["branches"]],
              [8, 24, *fig_widths])
        sheet("marketers", ["Marketer", "Name", "Branch", *fig_header],
              [[(m["marketer"], "text"), (m["name"], "text"), (m["branch"], "text"), *figs(m)]
               for m in doc["marketers"]], [12, 12, 8, *fig_widths])
        branch_codes = [b["branch"] for b in doc["branches"]]
        rows = []
        for p in doc["products"]:
            kind = "money" if p["kind"] == "amount" else "int"
            field, per = ("amounts", "money") if kind == "money" else ("counts", "int")
            per_branch = [(b[field].get(p["product"]), per) for b in doc["branches"]]
            rows.append([(p["product"], "text"), (p["name_zh"], "text"), (p["kind"], "text"),
                         (p["amount"] if kind == "money" else p["count"], kind), *per_branch])
        sheet("products", ["Product", "Name", "Kind", "Cluster", *branch_codes], rows,
              [16, 14, 8, 16, *([16] * len(branch_codes))])
        sheet("sessions", ["Session", "Branch", "Date", "Time", "Theme", "Status",
                           *fig_header[1:]],
              [[(x["session_id"], "text"), (x["branch"], "text"), (x["date"], "text"),
                (x["time"], "text"), (x["theme"], "text"), (x["status"], "text"), *figs(x, 1)]
               for x in doc["sessions"]], [22, 8, 11, 6, 16, 10, *fig_widths[1:]])
        sheet("weeks", ["Week of", "Sessions", "Attended"],
              [[(w["week_of"], "text"), (w["sessions"], "int"), (w["attended"], "int")]
               for w in doc["weeks"]], [11, 10, 10])
    except BaseException:
        with suppress(Exception):  # the error that stopped the report is the one to show
            book.close()
        temp.unlink(missing_ok=True)
        raise
    try:
        book.close()
        os.replace(temp, target)
    except (OSError, xlsxwriter.exceptions.FileCreateError) as exc:
        temp.unlink(missing_ok=True)
        detail = getattr(exc, "strerror", None) or exc
        raise BadInput(f"cannot write {target}: {detail}; choose another --out") from None
    return ["cluster", "branches", "marketers", "products", "sessions", "weeks"]
