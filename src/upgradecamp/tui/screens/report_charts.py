"""The reports screen's figures and charts as lines of text (报表): block-character bars and
columns, and tables aligned by cell width (Chinese takes two cells). Pure functions of a report
document and a width, so they are tested without a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from rich.cells import cell_len

from upgradecamp.domain.reports import bar, column
from upgradecamp.i18n import localized
from upgradecamp.tui.i18n import t
from upgradecamp.tui.widgets import fit

# The cluster's figures, top to bottom, and how each is shown.
FIGURES: tuple[tuple[str, str], ...] = (
    ("sessions", "int"),
    ("invited", "int"),
    ("confirmed", "int"),
    ("attended", "int"),
    ("attended_invitees", "int"),
    ("walk_ins", "int"),
    ("attendance_rate", "rate"),
    ("potential_share", "rate"),
    ("forms", "int"),
    ("approved", "int"),
    ("pending", "int"),
    ("rejected", "int"),
    ("cancelled", "int"),
    ("appointments", "int"),
    ("amount_subscribed", "money"),
    ("converted_aum_added", "money"),
    ("tier_upgrades", "int"),
    ("points_credited", "int"),
)
KIND = dict(FIGURES)
INDENTED = ("attended_invitees", "walk_ins", "pending", "rejected", "cancelled")
FUNNEL = ("invited", "confirmed", "attended", "forms", "approved")
# Columns of the group tables, most telling first: a narrow terminal drops those at the end.
GROUP_COLUMNS = (
    "invited",
    "attended",
    "attendance_rate",
    "walk_ins",
    "forms",
    "approved",
    "amount_subscribed",
    "points_credited",
    "appointments",
    "converted_aum_added",
    "tier_upgrades",
    "confirmed",
)
FIGURES_CELLS = 36  # the cluster's figures column (its CSS width)
WEEK_CELLS = 6  # one week's column: "11-16" and a space
WEEK_HEIGHT = 4


def shown(value: Any, kind: str) -> str:
    """A figure as read on screen: 1,234,567.00 · 52.25% · — when there is no rate."""
    if value is None:
        return "—"
    try:
        if kind == "money":
            return f"{Decimal(value):,.2f}"
        if kind == "rate":  # the ratio's four places as a percentage: nothing rounded twice
            return f"{Decimal(value) * 100:.2f}%"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def label(key: str) -> str:
    text = t(f"reports.{key}")
    return f"  {text}" if key in INDENTED else text


def table(rows: Sequence[Sequence[str]], right: Sequence[bool], width: int) -> list[str]:
    """Rows in columns by cell width (Chinese takes two cells); numbers right-aligned.

    Columns that do not fit in `width` are left out from the right, the first always kept.
    """
    if not rows:
        return []
    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(rows[0]))]
    keep, used = 1, widths[0]
    while keep < len(widths) and used + 2 + widths[keep] <= width:
        used += 2 + widths[keep]
        keep += 1
    out = []
    for row in rows:
        cells = []
        for value, cells_wide, r in zip(row[:keep], widths[:keep], right[:keep], strict=True):
            pad = " " * max(0, cells_wide - cell_len(value))
            cells.append(pad + value if r else fit(value, cells_wide))
        out.append(fit("  ".join(cells).rstrip(), width).rstrip())
    return out


def figures_lines(cluster: dict[str, Any], width: int) -> list[str]:
    rows = [[label(key), shown(cluster.get(key), kind)] for key, kind in FIGURES]
    return table(rows, [False, True], width)


def bar_lines(items: Sequence[tuple[str, Decimal | int, str]], width: int) -> list[str]:
    """One bar per item: its label, the bar, its value; bars scaled to the largest value."""
    if not items:
        return []
    label_cells = max(cell_len(name) for name, _, _ in items)
    value_cells = max(cell_len(text) for _, _, text in items)
    room = max(1, width - label_cells - value_cells - 2)
    largest = max(value for _, value, _ in items)
    return [
        f"{fit(name, label_cells)} {fit(bar(value, largest, room), room)} "
        f"{' ' * (value_cells - cell_len(text))}{text}"
        for name, value, text in items
    ]


def funnel_lines(cluster: dict[str, Any], width: int) -> list[str]:
    """invited → confirmed → attended → forms → approved as horizontal bars."""
    return bar_lines(
        [
            (
                t(f"reports.{stage}"),
                int(cluster.get(stage) or 0),
                f"{int(cluster.get(stage) or 0):,}",
            )
            for stage in FUNNEL
        ],
        width,
    )


def products_lines(products: Sequence[dict[str, Any]], width: int) -> list[str]:
    """Amounts by product as bars; count products (credit cards) after them, as counts."""
    amounts = [
        (
            localized(p["name_zh"], p.get("name_en")),
            Decimal(p["amount"]),
            shown(p["amount"], "money"),
        )
        for p in products
        if p.get("kind") == "amount" and p.get("amount") is not None
    ]
    lines = bar_lines(amounts, width)
    for p in products:
        if p.get("kind") == "count":
            lines.append(
                fit(
                    t(
                        "reports.count_line",
                        name=localized(p["name_zh"], p.get("name_en")),
                        count=f"{p.get('count') or 0:,}",
                    ),
                    width,
                ).rstrip()
            )
    return lines


def weeks_lines(
    weeks: Sequence[dict[str, Any]], width: int, height: int = WEEK_HEIGHT
) -> list[str]:
    """Sessions per week as a row of columns, the count above and the Monday (MM-DD) below;
    only the latest weeks that fit in `width`."""
    shown_weeks = list(weeks)[-max(1, width // WEEK_CELLS) :]
    if not shown_weeks:
        return []
    largest = max(int(w["sessions"]) for w in shown_weeks)
    counts = "".join(f"{w['sessions']:^{WEEK_CELLS - 1}} " for w in shown_weeks)
    bars = [column(int(w["sessions"]), largest, height) for w in shown_weeks]
    lines = [counts.rstrip()]
    for level in range(height):
        lines.append("".join(f" {b[level] * 3} " + " " for b in bars).rstrip())
    lines.append("".join(f"{w['week_of'][5:]:<{WEEK_CELLS}}" for w in shown_weeks).rstrip())
    return lines


def group_lines(
    groups: Sequence[dict[str, Any]], first: Sequence[tuple[str, str]], width: int
) -> list[str]:
    """Branches, marketers or sessions: their own columns (`first`: key, header) then the
    figures that fit."""
    header = [h for _, h in first] + [t(f"reports.col_{key}") for key in GROUP_COLUMNS]
    rows = [header]
    for g in groups:
        rows.append(
            [str(g.get(key) or "") for key, _ in first]
            + [shown(g.get(key), KIND[key]) for key in GROUP_COLUMNS]
        )
    return table(rows, [False] * len(first) + [True] * len(GROUP_COLUMNS), width)
