"""What the check-in desk's tables and lines say: pure text, tested without a terminal.

The session picker's columns and cells, the recent check-ins' columns and cells (an annulled
one struck through, an override or a referral noted), a session's label and status word, and
the line a successful check-in gives. Kept apart from the screens (`checkin_desk.py`,
`checkin_door.py`) so those hold only what reacts to keys and workers. The search results'
cells live with the search in `checkin_dialogs.py`, which the referrer dialog shares.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from upgradecamp.tui.i18n import has, t
from upgradecamp.tui.screens.checkin_dialogs import NAME_CELLS
from upgradecamp.tui.widgets import fit

THEME_CELLS = 24


def status_name(status: str | None) -> str:
    key = f"checkin_desk.status.{status}"
    return t(key) if has(key) else str(status or "")


def session_label(row: dict[str, Any]) -> str:
    return t("checkin_desk.session_label", time=row.get("time", ""), venue=row.get("venue", ""),
             theme=row.get("theme", ""), branch=row.get("branch", ""))


def error_code(exc: BaseException) -> str:
    """The catalogue code of a refusal ('' for anything else)."""
    return str(getattr(exc, "code", "") or "")


# -- the session picker -------------------------------------------------------------------------
def picker_columns() -> list[str]:
    return [t(f"checkin_desk.pcol_{column}") for column in
            ("time", "branch", "venue", "theme", "status", "seats", "invited")]


def picker_cells(row: dict[str, Any]) -> list[Text]:
    return [Text(str(row.get("time") or "")), Text(str(row.get("branch") or "")),
            Text(str(row.get("venue") or "")),
            Text(fit(str(row.get("theme") or ""), THEME_CELLS).rstrip()),
            Text(status_name(row.get("status"))),
            Text(f"{row.get('attended', 0)}/{row.get('capacity', 0)}"),
            Text(str(row.get("invited", 0)))]


# -- the desk -----------------------------------------------------------------------------------
def recent_columns() -> list[str]:
    return [t("checkin_desk.rcol_time"), t("checkin_desk.col_name"),
            t("checkin_desk.col_mobile"), t("checkin_desk.rcol_kind"),
            t("checkin_desk.rcol_by"), t("checkin_desk.rcol_terminal"),
            t("checkin_desk.rcol_note")]


def recent_cells(row: dict[str, Any]) -> list[Text]:
    """One recent check-in: time, name, masked mobile, kind, by, terminal, note."""
    if row.get("annulled"):
        note = t("checkin_desk.annulled", reason=str(row.get("annul_reason") or ""))
    else:
        parts = []
        if row.get("override_by"):
            parts.append(t("checkin_desk.override_note", staff=row["override_by"]))
        if row.get("referred_by"):
            parts.append(t("checkin_desk.referral_note", client=row["referred_by"]))
        note = " ".join(parts)
    kind = t("checkin_desk.kind_walk_in" if row.get("walk_in") else "checkin_desk.kind_invited")
    style = "dim strike" if row.get("annulled") else ""
    return [Text(str(row.get("time") or "")),
            Text(fit(str(row.get("name") or ""), NAME_CELLS).rstrip(), style=style),
            Text(str(row.get("mobile") or "")), Text(kind), Text(str(row.get("by") or "")),
            Text(str(row.get("terminal") or "")), Text(note)]


def checked_in_text(result: dict[str, Any], shown: dict[str, Any], label: str) -> str:
    """The result line of a check-in: who, their seat of the capacity, and what was special
    (a new prospect, a walk-in, an organizer's override, a referral)."""
    name = str(result.get("name") or label)
    text = t("checkin_desk.checked_in", name=name, seat=shown.get("arrived", "?"),
             capacity=shown.get("capacity", "?"))
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
