"""How the sessions view shows a session: table cells, column widths, labels and messages.

Pure functions of a `list_sessions` row (no widgets, no database), kept apart from the screen
(`sessions.py`) so they are tested on their own; other screens name a session's status with
`status_name` too.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from upgradecamp.i18n import theme_of
from upgradecamp.tui.i18n import t
from upgradecamp.tui.screens.session_form import weekday_name

if TYPE_CHECKING:
    from upgradecamp.queries.sessions import SessionView

COLUMNS = ("date", "time", "branch", "venue", "theme", "capacity", "invited", "confirmed", "status")
RIGHT_ALIGNED = ("capacity", "invited", "confirmed")
THEME_WIDTH = (6, 30)  # the theme column takes what the others leave, within these bounds
NO_YEAR_DAYS = 300


def status_name(status: str) -> str:
    key = f"planning.status_{status}"
    text = t(key)
    return status if text == key else text


def session_cells(row: SessionView, today: date) -> dict[str, str]:
    """One session as the table shows it (the theme not yet fitted to its column)."""
    try:
        day = date.fromisoformat(row["date"])
        # Month and day suffice within the coming months; the year only for later dates.
        when = f"{day:%m-%d}" if (day - today).days < NO_YEAR_DAYS else day.isoformat()
        when = f"{when} {weekday_name(day)}"
    except (KeyError, TypeError, ValueError):
        when = str(row.get("date") or "?")
    return {
        "date": when,
        "time": str(row.get("time") or ""),
        "branch": str(row.get("branch") or ""),
        "venue": str(row.get("venue") or ""),
        "theme": theme_of(row),
        "capacity": str(row.get("capacity", "")),
        "invited": str(row.get("invited", 0)),
        "confirmed": str(row.get("confirmed", 0)),
        "status": status_name(str(row.get("status") or "")),
    }


def theme_width(headers: dict[str, str], cells: list[dict[str, str]], width: int) -> int:
    """How many cells the theme column gets at this terminal width."""
    used = 0
    for column in COLUMNS:
        if column != "theme":
            used += max([cell_len(headers[column]), *(cell_len(c[column]) for c in cells)])
    used += 2 * len(COLUMNS) + 4  # cell padding, the scrollbar and the screen's own padding
    low, high = THEME_WIDTH
    return max(low, min(high, width - used))


def session_label(row: SessionView) -> str:
    """'12-01 15:00 B02 贵宾室': a session as a question or a message names it."""
    day = str(row.get("date") or "")[5:]
    return f"{day} {row.get('time', '')} {row.get('branch', '')} {row.get('venue', '')}".strip()


def result_message(kind: str, result: dict[str, Any]) -> str:
    """What a saved command did, in the user's language, with short-notice warnings."""
    from upgradecamp.domain.sessions import INVITE_LEAD_DAYS

    if kind in ("new", "series"):
        sessions = result.get("sessions") or []
        first = sessions[0] if sessions else {}
        text = t(
            "planning.planned",
            count=len(sessions),
            first=str(first.get("session_id", "")),
            series=str(first.get("series_id") or ""),
        )
    elif kind == "edit":
        session = result.get("session") or {}
        text = t("planning.changed", session=str(session.get("session_id", "")))
    else:
        text = ""
    notices = result.get("short_notice") or []
    if notices:
        days = min(int(n.get("days", 0)) for n in notices)
        text = "\n".join(
            filter(
                None,
                [
                    text,
                    t(
                        "planning.short_notice",
                        count=len(notices),
                        days=days,
                        lead=INVITE_LEAD_DAYS,
                    ),
                ],
            )
        )
    return text
