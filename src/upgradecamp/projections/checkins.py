"""Check-ins: one row each (annulled ones kept with the reason) and the session's counters."""

from __future__ import annotations

from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow


def client_checked_in(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    store.put(CheckInRow, {
        "checkin_id": p["checkin_id"],
        "session_id": p["session_id"],
        "client_id": p["client_id"],
        "invitation_id": p.get("invitation_id"),
        "walk_in": p["walk_in"],
        "method": p["method"],
        "at": ev.recorded_at,
        "by": ev.meta.get("actor", ""),
        "terminal": p.get("terminal") or ev.meta.get("terminal", ""),
        "referred_by": p.get("referred_by"),
        "override_by": p.get("override_by"),
        "annulled": False,
        "annul_reason": None,
    })
    _count(store, p["session_id"], p["walk_in"], +1)


def check_in_annulled(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    row = store.get(CheckInRow, p["checkin_id"])
    store.update(CheckInRow, p["checkin_id"], annulled=True, annul_reason=p["reason"])
    _count(store, p["session_id"], row["walk_in"], -1)


def _count(store: RowStore, session_id: str, walk_in: bool, step: int) -> None:
    session = store.get(SessionRow, session_id)
    changes = {"attended": session["attended"] + step}
    if walk_in:
        changes["walk_ins"] = session["walk_ins"] + step
    store.update(SessionRow, session_id, **changes)


HANDLERS = {"ClientCheckedIn": client_checked_in, "CheckInAnnulled": check_in_annulled}
