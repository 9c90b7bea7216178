"""What the check-in desk's tables and lines say: pure text, tested without a terminal.

The session picker's columns and cells, the recent check-ins' columns and cells (an annulled
one struck through, an override or a referral noted), a session's label and status word, and
the line a successful check-in gives. Kept apart from the screens (`checkin_desk.py`,
`checkin_door.py`) so those hold only what reacts to keys and workers. The search results'
cells live with the search in `checkin_dialogs.py`, which the referrer dialog shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from upgradecamp.i18n import theme_of
from upgradecamp.tui.i18n import client_name, has, t
from upgradecamp.tui.screens.checkin_dialogs import NAME_CELLS
from upgradecamp.tui.widgets import fit

if TYPE_CHECKING:
    from upgradecamp.queries.checkins import RecentCheckIn, SessionBoard
    from upgradecamp.queries.sessions import SessionView

THEME_CELLS = 24


def status_name(status: str | None) -> str:
    key = f"checkin_desk.status.{status}"
    return t(key) if has(key) else str(status or "")


def session_label(row: SessionView) -> str:
    return t(
        "checkin_desk.session_label",
        time=row.get("time", ""),
        venue=row.get("venue", ""),
        theme=theme_of(row),
        branch=row.get("branch", ""),
    )


def error_code(exc: BaseException) -> str:
    """The catalogue code of a refusal ('' for anything else)."""
    return str(getattr(exc, "code", "") or "")


# -- the session picker -------------------------------------------------------------------------
def picker_columns() -> list[str]:
    return [
        t(f"checkin_desk.pcol_{column}")
        for column in ("time", "branch", "venue", "theme", "status", "seats", "invited")
    ]


def picker_cells(row: SessionView) -> list[Text]:
    return [
        Text(str(row.get("time") or "")),
        Text(str(row.get("branch") or "")),
        Text(str(row.get("venue") or "")),
        Text(fit(theme_of(row), THEME_CELLS).rstrip()),
        Text(status_name(row.get("status"))),
        Text(f"{row.get('attended', 0)}/{row.get('capacity', 0)}"),
        Text(str(row.get("invited", 0))),
    ]


# -- the desk -----------------------------------------------------------------------------------
def recent_columns() -> list[str]:
    return [
        t("checkin_desk.rcol_time"),
        t("checkin_desk.col_name"),
        t("checkin_desk.col_mobile"),
        t("checkin_desk.rcol_kind"),
        t("checkin_desk.rcol_by"),
        t("checkin_desk.rcol_terminal"),
        t("checkin_desk.rcol_note"),
    ]


def recent_cells(row: RecentCheckIn) -> list[Text]:
    """One recent check-in: time, name, masked mobile, kind, by, terminal, note."""
    if row.annulled:
        note = t("checkin_desk.annulled", reason=row.annul_reason or "")
    else:
        parts = []
        if row.override_by:
            parts.append(t("checkin_desk.override_note", staff=row.override_by))
        if row.referred_by:
            parts.append(t("checkin_desk.referral_note", client=row.referred_by))
        note = " ".join(parts)
    kind = t("checkin_desk.kind_walk_in" if row.walk_in else "checkin_desk.kind_invited")
    style = "dim strike" if row.annulled else ""
    return [
        Text(row.time),
        Text(fit(client_name(row.name), NAME_CELLS).rstrip(), style=style),
        Text(row.mobile),
        Text(kind),
        Text(row.by or ""),
        Text(row.terminal or ""),
        Text(note),
    ]


def checked_in_text(result: dict[str, Any], shown: SessionBoard | None, label: str) -> str:
    """The result line of a check-in: who, their seat of the capacity, and what was special
    (a new prospect, a walk-in, an organizer's override, a referral)."""
    name = str(result.get("name") or label)
    text = t(
        "checkin_desk.checked_in",
        name=name,
        seat=shown.arrived if shown else "?",
        capacity=shown.capacity if shown else "?",
    )
    extras = []
    if result.get("prospect"):
        extras.append(t("checkin_desk.new_prospect", client=result.get("client_id", "")))
    elif result.get("walk_in"):
        extras.append(t("checkin_desk.kind_walk_in"))
    if result.get("override_by"):
        extras.append(t("checkin_desk.override_note", staff=result["override_by"]))
    if result.get("referred_by"):
        extras.append(t("checkin_desk.referral_note", client=result["referred_by"]))
    return " · ".join([text, *extras])
