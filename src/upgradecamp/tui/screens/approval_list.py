"""The approval desk's list, and the words its detail shares: pure text, tested without a terminal.

Waiting times ('4 min', '1 h 5 min', red from ten minutes on), times in Beijing, money, the
names of products, fixed actions and tiers as the user reads them, form statuses and tier
changes; then the columns and cells of the queue (waiting forms) and of the photo list
(today's approved forms awaiting their photo). The detail of one form is `approval_detail.py`;
the screen that shows both is `approval_desk.py`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from rich.text import Text

from upgradecamp.domain.clock import business_date, parse_instant, to_local
from upgradecamp.domain.errors import BadInput
from upgradecamp.tui import i18n
from upgradecamp.tui.i18n import client_name, t
from upgradecamp.tui.widgets import fit

if TYPE_CHECKING:
    from upgradecamp.queries.forms import FormSummary

LONG_WAIT_MINUTES = 10  # from here on the waiting time is shown in red
# Cell limits of the list's text columns.
CLIENT_CELLS, MARKETER_CELLS, TIER_CELLS = 10, 8, 22


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parse_instant(text)
    except BadInput:
        return None


def waiting_minutes(submitted_at: str | None, now: datetime) -> int:
    since = parse_time(submitted_at)
    if since is None:
        return 0
    return max(0, int((now - since).total_seconds() // 60))


def waiting_text(minutes: int) -> str:
    """'4 min', '1 h 5 min', '2 d 3 h' (in the user's language)."""
    if minutes < 60:
        return t("approval_desk.wait_minutes", minutes=minutes)
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return t("approval_desk.wait_hours", hours=hours, minutes=rest)
    days, hours = divmod(hours, 24)
    return t("approval_desk.wait_days", days=days, hours=hours)


def clock_text(text: str | None, now: datetime) -> str:
    """A time in Beijing as 'HH:MM' when it is today, else as 'MM-DD HH:MM'."""
    when = parse_time(text)
    if when is None:
        return ""
    local = to_local(when)
    if local.date() == business_date(now):
        return local.strftime("%H:%M")
    return local.strftime("%m-%d %H:%M")


def money(text: str | Decimal | None) -> str:
    try:
        return f"{Decimal(str(text)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(text or "")


class Names:
    """Products, fixed actions and tiers as the user reads them, in the language the desk
    loaded them in (`i18n.name_of`: the rule file's English name, else the code)."""

    def __init__(
        self,
        products: dict[str, str] | None = None,
        actions: dict[str, str] | None = None,
        tiers: dict[str, str] | None = None,
    ) -> None:
        self.products = products or {}
        self.actions = actions or {}
        self.tiers = tiers or {}

    @staticmethod
    def _pick(names: dict[str, str], code: str) -> str:
        return names.get(code, code)

    def product(self, code: str) -> str:
        return self._pick(self.products, code)

    def action(self, code: str) -> str:
        return self._pick(self.actions, code)

    def tier(self, code: str) -> str:
        return self._pick(self.tiers, code)


def status_name(status: str) -> str:
    key = f"approval_desk.status_{status}"
    return t(key) if i18n.has(key) else status


def tier_change(before: str | None, after: str | None, names: Names) -> str:
    """'potential → gold', or just 'potential' when the form does not change the tier."""
    before, after = before or "", after or ""
    if before == after:
        return names.tier(before)
    return f"{names.tier(before)} → {names.tier(after)}"


# -- the queue and the photo list -----------------------------------------------------------
def list_columns(view: str, scope: str | None) -> list[str]:
    """The queue shows how long each form waits, the photo list when it was approved; the
    branch only when every branch is shown."""
    columns = ["wait"] if view == "queue" else ["approved"]
    if scope is None:
        columns.append("branch")
    return [*columns, "client", "marketer", "points", "tier"]


def list_cells(row: FormSummary, columns: list[str], names: Names, now: datetime) -> list[Text]:
    cells = []
    for column in columns:
        if column == "wait":
            cells.append(wait_cell(row, now))
        elif column == "approved":
            cells.append(Text(clock_text(row.decided_at, now)))
        elif column == "branch":
            cells.append(Text(str(row.branch or "")))
        elif column == "client":
            cells.append(
                Text(fit(client_name(str(row.client_name or row.client_id)), CLIENT_CELLS).rstrip())
            )
        elif column == "marketer":
            cells.append(Text(fit(str(row.marketer_name or row.marketer), MARKETER_CELLS).rstrip()))
        elif column == "points":
            cells.append(Text(f"{int(row.points or 0):,}", justify="right"))
        else:
            rises = row.tier_before != row.tier_after
            tiers = tier_change(row.tier_before, row.tier_after, names)
            cells.append(Text(fit(tiers, TIER_CELLS).rstrip(), style="bold" if rises else ""))
    return cells


def wait_cell(row: FormSummary, now: datetime) -> Text:
    minutes = waiting_minutes(row.submitted_at, now)
    return Text(waiting_text(minutes), style="bold red" if minutes >= LONG_WAIT_MINUTES else "")
