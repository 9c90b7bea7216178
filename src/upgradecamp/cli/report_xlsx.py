"""`upgradecamp report --format xlsx --out FILE`: the report as a workbook, a sheet per view.

Cluster, branches, marketers, products, sessions and weeks, each with a bold frozen header,
money as numbers in a CNY format and rates as percentages, written beside the target and
renamed at the end so a failed run leaves no half file. Apart from the text report
(`report_text.py`), whose figures it shares, because writing a file (xlsxwriter, temporary
files, folder errors) has nothing to do with how a terminal shows the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from upgradecamp.cli.report_text import FIGURE_KIND, FIGURE_LABEL, FIGURES
from upgradecamp.i18n import localized

# A spreadsheet column stands alone, without the rows above it that the text table has.
_HEADER = {
    **FIGURE_LABEL,
    "attended_invitees": "Attended invitees",
    "walk_ins": "Walk-ins",
    "pending": "Pending",
    "rejected": "Rejected",
    "cancelled": "Cancelled",
}


def write_workbook(doc: dict[str, Any], path: str) -> list[str]:
    """The report as a workbook: a sheet per view, a bold frozen header, money as numbers in
    a CNY format, rates as percentages; returns the sheet names."""
    import os
    import tempfile
    from contextlib import suppress
    from pathlib import Path

    import xlsxwriter

    from upgradecamp.domain.errors import BadInput
    from upgradecamp.io.spreadsheet import safe_text

    target = Path(path)
    if not target.parent.is_dir():
        raise BadInput(
            f"cannot write {target}: the folder {target.parent} does not exist; "
            "create it or choose another --out",
            "report_out_folder_missing",
            target=str(target),
            folder=str(target.parent),
        )
    # Written next to the target and renamed at the end: a failed run leaves no half file.
    # mkstemp makes it readable by its owner only, and xlsxwriter rewrites it in place.
    try:
        handle, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
    except OSError as exc:
        raise BadInput(
            f"cannot write {target}: {exc.strerror}; choose another --out",
            "report_cannot_write",
            target=str(target),
            reason=str(exc.strerror),
        ) from None
    os.close(handle)
    temp = Path(name)
    book = xlsxwriter.Workbook(
        str(temp),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    bold = book.add_format({"bold": True})
    formats = {
        "money": book.add_format({"num_format": "¥#,##0.00"}),
        "rate": book.add_format({"num_format": "0.0%"}),
    }

    def sheet(
        name: str,
        header: Sequence[str],
        rows: Sequence[Sequence[tuple[Any, str]]],
        widths: Sequence[int],
    ) -> None:
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
        return [(group[k], FIGURE_KIND[k]) for k in keys[skip:]]

    s = doc["scope"]
    try:
        sheet(
            "cluster",
            ["Scope", "From", "To", "Branch", "As of", *fig_header],
            [
                [
                    (s["session_id"] or s["kind"], "text"),
                    (s["from"], "text"),
                    (s["to"], "text"),
                    (s["branch"] or "all", "text"),
                    (s["as_of"], "text"),
                    *figs(doc["cluster"]),
                ]
            ],
            [22, 11, 11, 8, 26, *fig_widths],
        )
        sheet(
            "branches",
            ["Branch", "Name", *fig_header],
            [[(b["branch"], "text"), (b["name"], "text"), *figs(b)] for b in doc["branches"]],
            [8, 24, *fig_widths],
        )
        sheet(
            "marketers",
            ["Marketer", "Name", "Branch", *fig_header],
            [
                [(m["marketer"], "text"), (m["name"], "text"), (m["branch"], "text"), *figs(m)]
                for m in doc["marketers"]
            ],
            [12, 12, 8, *fig_widths],
        )
        branch_codes = [b["branch"] for b in doc["branches"]]
        rows = []
        for p in doc["products"]:
            kind = "money" if p["kind"] == "amount" else "int"
            field, per = ("amounts", "money") if kind == "money" else ("counts", "int")
            per_branch = [(b[field].get(p["product"]), per) for b in doc["branches"]]
            rows.append(
                [
                    (p["product"], "text"),
                    (localized(p["name_zh"], p.get("name_en")), "text"),
                    (p["kind"], "text"),
                    (p["amount"] if kind == "money" else p["count"], kind),
                    *per_branch,
                ]
            )
        sheet(
            "products",
            ["Product", "Name", "Kind", "Cluster", *branch_codes],
            rows,
            [16, 14, 8, 16, *([16] * len(branch_codes))],
        )
        sheet(
            "sessions",
            ["Session", "Branch", "Date", "Time", "Theme", "Status", *fig_header[1:]],
            [
                [
                    (x["session_id"], "text"),
                    (x["branch"], "text"),
                    (x["date"], "text"),
                    (x["time"], "text"),
                    (x["theme"], "text"),
                    (x["status"], "text"),
                    *figs(x, 1),
                ]
                for x in doc["sessions"]
            ],
            [22, 8, 11, 6, 16, 10, *fig_widths[1:]],
        )
        sheet(
            "weeks",
            ["Week of", "Sessions", "Attended"],
            [
                [(w["week_of"], "text"), (w["sessions"], "int"), (w["attended"], "int")]
                for w in doc["weeks"]
            ],
            [11, 10, 10],
        )
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
        raise BadInput(
            f"cannot write {target}: {detail}; choose another --out",
            "report_cannot_write",
            target=str(target),
            reason=str(detail),
        ) from None
    return ["cluster", "branches", "marketers", "products", "sessions", "weeks"]
