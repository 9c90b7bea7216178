"""Check-ins: one row each (annulled ones kept with the reason) and the session's counters;
walk-in prospects added at the door join the client register."""

from __future__ import annotations

from decimal import Decimal

from upgradecamp.domain.names import pinyin_initials
from upgradecamp.domain.tiers import segment_for
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables import ClientRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow


def prospect_registered(store: RowStore, ev: StoredEvent) -> None:
    """A prospect is a client with what the door knows: name, mobile, the session's branch.

    No AUM yet (0, long tail), no ID digits, no risk grade, and no marketing consent until the
    client gives it: a prospect is never put on an invitation wave by accident.
    """
    p = ev.payload
    store.put(ClientRow, {
        "client_id": p["client_id"],
        "name": p["name"],
        "initials": pinyin_initials(p["name"]),
        "mobile": p["mobile"],
        "mobile_last4": p["mobile"][-4:],
        "id_last4": "",
        "branch": p["branch"],
        "rm": None,
        "aum_cents": 0,
        "segment": segment_for(Decimal(0)),
        "risk_grade": None,
        "risk_expires": None,
        "marketing_consent": False,
        "contact_status": "ok",
        "consent_withdrawn": False,
        "registered_at": ev.recorded_at,
    })


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


HANDLERS = {"ClientCheckedIn": client_checked_in, "CheckInAnnulled": check_in_annulled,
            "ProspectRegistered": prospect_registered}
