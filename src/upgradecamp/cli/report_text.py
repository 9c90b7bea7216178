"""`upgradecamp report` as text: the figures every group has, and the aligned tables.

FIGURES names each figure's JSON key, English label and kind (count, money or rate), in the
order a report shows them; the XLSX workbook (`report_xlsx.py`) takes the same list. Apart
from `report_cmd.py`, which holds the Typer commands (options, dates, signing in), because what
a person reads on the terminal — `1,234,567.00`, `52.25%`, a dash for no rate — is its own
concern, and scripts read it, so it changes only on purpose.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from upgradecamp.cli.output import table, text
from upgradecamp.i18n import has, label, localized, t

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
MARKETER_COLUMNS = (
    "invited",
    "confirmed",
    "attended",
    "attendance_rate",
    "forms",
    "approved",
    "appointments",
    "amount_subscribed",
    "converted_aum_added",
    "tier_upgrades",
    "points_credited",
)
SESSION_COLUMNS = (
    "invited",
    "confirmed",
    "attended",
    "walk_ins",
    "attendance_rate",
    "forms",
    "approved",
    "amount_subscribed",
    "points_credited",
)
FIGURE_KIND = {key: kind for key, _, kind in FIGURES}
FIGURE_LABEL = {key: label.strip() for key, label, _ in FIGURES}


def shown(value: Any, kind: str) -> str:
    """A figure as a person reads it: 1,234,567.00 · 52.25% · — for no rate."""
    if value is None:
        return "—"
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    if kind == "rate":  # the four places of the ratio, so nothing is rounded twice
        return f"{Decimal(value) * 100:.2f}%"
    return f"{value:,}" if isinstance(value, int) else str(value)


def scope_line(doc: dict[str, Any]) -> str:
    s = doc["scope"]
    if s["kind"] == "session":
        first = doc["sessions"][0] if doc["sessions"] else {}
        status = first.get("status", "")
        head = text(
            "cli_report.session_scope",
            session=s["session_id"],
            date=s["from"],
            time=first.get("time", ""),
            branch=f"{s['branch']} {s.get('branch_name') or ''}".strip(),
            status=label("session_status", status),
        )
    else:
        where = (
            f"{s['branch']} {s.get('branch_name') or ''}".strip()
            if s["branch"]
            else text("cli_report.all_branches")
        )
        head = text(
            "cli_report.campaign_scope",
            start=s["from"],
            end=s["to"],
            branch=where,
            sessions=doc["cluster"]["sessions"],
        )
    return text("cli_report.as_of", head=head, at=s["as_of"][:16].replace("T", " "))


def _figure(key: str) -> str:
    return text(f"cli_report.{key}")


def _column(key: str) -> str:
    """A figure as a column label: short where the catalogue has a short one."""
    return t(f"reports.col_{key}") if has(f"reports.col_{key}") else _figure(key).strip()


def text_report(doc: dict[str, Any]) -> list[str]:
    lines = [scope_line(doc), ""]
    groups = [
        (text("cli_report.cluster"), doc["cluster"]),
        *((b["branch"], b) for b in doc["branches"]),
    ]
    if len(doc["branches"]) == 1:
        groups = groups[:1]
    rows = [["", *(name for name, _ in groups)]]
    rows += [[_figure(key), *(shown(g[key], kind) for _, g in groups)] for key, _, kind in FIGURES]
    lines += table(rows, [False, *([True] * len(groups))])
    if doc["products"]:
        lines += ["", text("cli_report.products")]
        rows = [
            [
                p["product"],
                localized(p["name_zh"], p.get("name_en")),
                shown(p["amount"], "money") if p["kind"] == "amount" else f"{p['count']:,}",
            ]
            for p in doc["products"]
        ]
        lines += ["  " + line for line in table(rows, [False, False, True])]
    if doc["marketers"]:
        lines += ["", text("cli_report.marketers")]
        rows = [
            [
                text("cli_report.col_marketer"),
                text("cli_report.col_name"),
                text("cli_report.col_branch"),
                *(_column(k) for k in MARKETER_COLUMNS),
            ]
        ]
        rows += [
            [
                m["marketer"],
                m["name"],
                m["branch"],
                *(shown(m[k], FIGURE_KIND[k]) for k in MARKETER_COLUMNS),
            ]
            for m in doc["marketers"]
        ]
        lines += table(rows, [False, False, False, *([True] * len(MARKETER_COLUMNS))])
    if doc["scope"]["kind"] == "campaign" and doc["sessions"]:
        lines += ["", text("cli_report.sessions_title")]
        rows = [
            [
                text("cli_report.col_session"),
                text("cli_report.col_date"),
                text("cli_report.col_time"),
                text("cli_report.col_status"),
                *(_column(k) for k in SESSION_COLUMNS),
            ]
        ]
        rows += [
            [
                s["session_id"],
                s["date"],
                s["time"],
                label("session_status", s["status"]),
                *(shown(s[k], FIGURE_KIND[k]) for k in SESSION_COLUMNS),
            ]
            for s in doc["sessions"]
        ]
        lines += table(rows, [False] * 4 + [True] * len(SESSION_COLUMNS))
    if not doc["sessions"]:
        lines += ["", text("cli_report.no_sessions")]
    return lines
