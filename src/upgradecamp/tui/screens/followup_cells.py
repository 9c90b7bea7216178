"""How the follow-up desk shows a follow-up: due labels, table cells, the detail and summary.

Pure functions of a follow-up row as `queries/followups.py` gives it (no widgets, no database),
kept apart from the screen (`followups.py`) so they are tested without a terminal. `staff_name`
arguments turn a staff code into the name the desk knows for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text

from upgradecamp.domain.clock import local_or_none
from upgradecamp.tui import i18n
from upgradecamp.tui.i18n import client_name, t
from upgradecamp.tui.widgets import fit

# Cell limits of the table's text columns.
LIMITS = {
    "due": 18,
    "assignee": 8,
    "kind": 14,
    "client": 10,
    "mobile": 11,
    "session": 9,
    "attempts": 3,
    "note": 24,
}
SESSION_ID = re.compile(r"^(?P<branch>[A-Za-z0-9]+)-\d{4}(?P<month>\d{2})(?P<day>\d{2})-\d{4}$")

if TYPE_CHECKING:
    from upgradecamp.queries.followups import FollowUpLine

    Rows = list[FollowUpLine]


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def is_open(row: FollowUpLine) -> bool:
    return (row.status or "open") == "open"


def overdue_days(row: FollowUpLine, today: date) -> int:
    """Days past due of an open follow-up (0 when due today or later, or closed)."""
    due = as_date(row.due)
    if due is None or not is_open(row):
        return 0
    return max(0, (today - due).days)


def kind_name(kind: str) -> str:
    key = f"followup_kind.{kind}"
    return t(key) if i18n.has(key) else kind


def outcome_name(outcome: str) -> str:
    key = f"followup_outcome.{outcome}"
    return t(key) if i18n.has(key) else outcome


def session_label(session_id: str) -> str:
    """'B02 11-17' for 'B02-20261117-1500': the table's short form (the detail shows it all)."""
    found = SESSION_ID.match(session_id or "")
    if found is None:
        return session_id or ""
    return f"{found['branch']} {found['month']}-{found['day']}"


def due_text(row: FollowUpLine, today: date) -> str:
    """'11-17 overdue 3 d', '11-20 today', '11-24', or a closed one's '11-17 reached'."""
    due = as_date(row.due)
    shown = due.strftime("%m-%d") if due else "?"
    if not is_open(row):
        return f"{shown} {outcome_name(str(row.outcome or row.status or ''))}"
    days = overdue_days(row, today)
    if days > 0:
        return f"{shown} {t('followup_desk.overdue_days', days=days)}"
    if due == today:
        return f"{shown} {t('followup_desk.due_today')}"
    return shown


def open_first(rows: Rows) -> Rows:
    """Open ones first, keeping the query's order (by due date: the overdue ones lead)."""
    return sorted(rows, key=lambda row: not is_open(row))


def local_time(value: Any) -> str:
    """'MM-DD HH:MM' in Beijing of an ISO time or datetime."""
    local = local_or_none(value)
    return local.strftime("%m-%d %H:%M") if local is not None else str(value or "")


def columns(mine: bool) -> list[str]:
    """The table's columns: the assignee's only when the desk shows more than one's own."""
    shown = ["due"]
    if not mine:
        shown.append("assignee")
    return [*shown, "kind", "client", "mobile", "session", "attempts", "note"]


def row_cells(
    row: FollowUpLine, today: date, shown: list[str], staff_name: Callable[[str], str]
) -> list[Text]:
    """One follow-up's cells in the `shown` columns; the due date red when overdue."""
    cells = []
    for column in shown:
        if column == "due":
            late = overdue_days(row, today) > 0
            style = "bold red" if late else ("dim" if not is_open(row) else "")
            cells.append(Text(fit(due_text(row, today), LIMITS["due"]).rstrip(), style=style))
        elif column == "attempts":
            cells.append(Text(str(int(row.attempts or 0)), justify="right"))
        else:
            cells.append(Text(fit(cell_value(row, column, staff_name), LIMITS[column]).rstrip()))
    return cells


def cell_value(row: FollowUpLine, column: str, staff_name: Callable[[str], str]) -> str:
    if column == "assignee":
        return staff_name(str(row.assignee or ""))
    if column == "kind":
        return kind_name(str(row.kind or ""))
    if column == "client":
        return client_name(str(row.client_name or row.client_id or ""))
    if column == "mobile":
        return str(row.mobile or "")
    if column == "session":
        return session_label(str(row.session_id or ""))
    if row.restricted:
        return t("followup_desk.restricted_cell")
    return " ".join(str(row.note or "").split())


def detail_text(row: FollowUpLine, staff_name: Callable[[str], str]) -> str:
    """The highlighted follow-up in full under the table: who, when due, how it ended."""
    due = as_date(row.due)
    lines = [
        t(
            "followup_desk.detail_line",
            kind=kind_name(str(row.kind or "")),
            client=client_name(row.client_name or ""),
            client_id=row.client_id or "",
            mobile=row.mobile or "",
            session=row.session_id or "",
        ),
        t(
            "followup_desk.detail_due",
            due=due.isoformat() if due else "?",
            tries=int(row.attempts or 0),
            assignee=f"{staff_name(str(row.assignee or ''))} ({row.assignee or ''})",
        ),
    ]
    extra = []
    if row.form_id:
        extra.append(t("followup_desk.detail_form", form=row.form_id))
    if row.next_session_id:
        extra.append(t("followup_desk.detail_next", session=row.next_session_id))
    if not is_open(row):
        extra.append(
            t(
                "followup_desk.detail_closed",
                outcome=outcome_name(str(row.outcome or "")),
                by=row.done_by or "",
                at=local_time(row.done_at),
            )
        )
    if extra:
        lines.append(" · ".join(extra))
    note = " ".join(str(row.note or "").split())
    if note:
        lines.append(t("followup_desk.detail_note", note=note))
    if row.restricted:
        lines.append(t("followup_desk.detail_restricted"))
    return "\n".join(lines)


def summary(row: FollowUpLine, today: date) -> str:
    """One line naming a follow-up at the top of the desk's small windows."""
    return " · ".join(
        part
        for part in (
            kind_name(str(row.kind or "")),
            f"{client_name(row.client_name or '')} {row.mobile or ''}".strip(),
            session_label(str(row.session_id or "")),
            due_text(row, today),
        )
        if part
    )


def next_open_after(shown: Rows, row: FollowUpLine) -> str | None:
    """The open follow-up after `row` in the list (else the one before it)."""
    ids = [r.followup_id for r in shown]
    at = ids.index(row.followup_id) if row.followup_id in ids else 0
    after = [r for r in shown[at + 1 :] if is_open(r)]
    before = [r for r in reversed(shown[:at]) if is_open(r)]
    following = after or before
    return following[0].followup_id if following else None


def who_text(assignee: str | None, staff_name: Callable[[str], str]) -> str:
    """Whose follow-ups a manager's desk shows: everyone's, or one assignee's."""
    return (
        t("followup_desk.who_all")
        if assignee is None
        else t("followup_desk.who_one", name=staff_name(assignee))
    )


def client_of(row: FollowUpLine) -> Any:
    """The client as the desk's messages name them: the name, else the number."""
    return client_name(row.client_name or row.client_id or "")


def scope_text(
    shown: Rows,
    today: date,
    *,
    mine: bool,
    code: str,
    branch: str | None,
    assignee: str | None,
    staff_name: Callable[[str], str],
    show_done: bool,
) -> str:
    """The line above the table: whose follow-ups, how many are open and how many overdue."""
    open_rows = [r for r in shown if is_open(r)]
    late = sum(1 for r in open_rows if overdue_days(r, today) > 0)
    if mine:
        scope = t("followup_desk.scope_mine", code=code, open=len(open_rows), overdue=late)
    else:
        key = "followup_desk.scope_all" if branch is None else "followup_desk.scope_branch"
        scope = t(
            key,
            branch=branch or "",
            who=who_text(assignee, staff_name),
            open=len(open_rows),
            overdue=late,
        )
    if show_done:
        scope = t("followup_desk.with_done", scope=scope)
    return scope


def next_assignee(rows: Rows, current: str | None) -> str | None:
    """The assignee `f` shows next: everyone's (None), then each assignee in turn by code."""
    codes = sorted(
        {str(r.assignee) for r in rows if r.assignee} | ({current} if current else set())
    )
    choices: list[str | None] = [None, *codes]
    at = choices.index(current) if current in choices else 0
    return choices[(at + 1) % len(choices)]
