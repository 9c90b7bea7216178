"""What the invitation screens (call list, invite builder) show in a cell: states, results,
segments and session statuses in the user's language, amounts, a session's local start, and
the refusals these screens expect in their own words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from upgradecamp.domain.clock import local_or_none
from upgradecamp.tui.errors import describe_error
from upgradecamp.tui.i18n import has, t

if TYPE_CHECKING:
    from upgradecamp.queries.invitations import CallRow


def state_name(state: str | None) -> str:
    if not state:
        return "—"
    key = f"call_list.state.{state}"
    return t(key) if has(key) else state


def state_cell(row: CallRow) -> str:
    """The call list's state column: on the waiting list, the place on it or the seat to
    offer (a seat freed up for them)."""
    if row.get("offer_seat"):
        return t("door.offer_seat", place=row.get("waitlist_place") or "")
    if row.get("waitlist_place"):
        return t("door.waiting_place", place=row["waitlist_place"])
    return state_name(row.get("state"))


def result_name(result: str | None) -> str:
    if not result:
        return "—"
    key = f"call_list.result.{result}"
    return t(key) if has(key) else result


def segment_name(segment: str | None) -> str:
    if not segment:
        return "—"
    key = f"invite_builder.segment.{segment}"
    return t(key) if has(key) else segment


def status_name(status: str | None) -> str:
    key = f"invite_builder.status.{status}"
    return t(key) if has(key) else str(status or "")


def explain(exc: BaseException, screen: str) -> str:
    """An error in the user's language; the refusals this screen expects in its own words."""
    code = getattr(exc, "code", None)
    if code and has(f"{screen}.refused.{code}"):
        params = dict(getattr(exc, "params", {}) or {})
        if "status" in params:
            params["status"] = status_name(str(params["status"]))
        return t(f"{screen}.refused.{code}", **params)
    return describe_error(exc)


def local_start(value: Any) -> str:
    """A session's start as the branch reads it: Beijing date and time."""
    local = local_or_none(value)
    return local.strftime("%Y-%m-%d %H:%M") if local is not None else str(value or "")
