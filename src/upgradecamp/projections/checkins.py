"""Check-ins: one row each (annulled ones kept with the reason) and the session's counters;
walk-in prospects added at the door join the client register."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from upgradecamp.domain.events import CheckInAnnulled, ClientCheckedIn, ProspectRegistered
from upgradecamp.domain.names import pinyin_initials
from upgradecamp.domain.tiers import segment_for
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables import ClientRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

PROJECTION = Projection()


@PROJECTION.register
def prospect_registered(store: RowStore, event: ProspectRegistered, stored: StoredEvent) -> None:
    """A prospect is a client with what the door knows: name, mobile, the session's branch.

    No AUM yet (0, long tail), no ID digits, no risk grade, and no marketing consent until the
    client gives it: a prospect is never put on an invitation wave by accident.
    """
    store.put(
        ClientRow,
        {
            "client_id": event.client_id,
            "name": event.name,
            "initials": pinyin_initials(event.name),
            "mobile": event.mobile,
            "mobile_last4": event.mobile[-4:],
            "id_last4": "",
            "branch": event.branch,
            "rm": None,
            "aum_cents": 0,
            "segment": segment_for(Decimal(0)),
            "risk_grade": None,
            "risk_expires": None,
            "marketing_consent": False,
            "contact_status": "ok",
            "consent_withdrawn": False,
            "registered_at": stored.recorded_at,
            "birthday": None,
        },
    )


@PROJECTION.register
def client_checked_in(store: RowStore, event: ClientCheckedIn, stored: StoredEvent) -> None:
    store.put(
        CheckInRow,
        {
            "checkin_id": event.checkin_id,
            "session_id": event.session_id,
            "client_id": event.client_id,
            "invitation_id": event.invitation_id,
            "walk_in": event.walk_in,
            "method": event.method,
            "at": stored.recorded_at,
            "by": stored.meta.get("actor", ""),
            "terminal": event.terminal or stored.meta.get("terminal", ""),
            "referred_by": event.referred_by,
            "override_by": event.override_by,
            "annulled": False,
            "annul_reason": None,
        },
    )
    _count(store, event.session_id, event.walk_in, +1)


@PROJECTION.register
def check_in_annulled(store: RowStore, event: CheckInAnnulled, stored: StoredEvent) -> None:
    row = store.get(CheckInRow, event.checkin_id)
    if row is None:
        raise LookupError(f"CheckInAnnulled for unknown check-in {event.checkin_id}")
    store.update(CheckInRow, event.checkin_id, annulled=True, annul_reason=event.reason)
    _count(store, event.session_id, row["walk_in"], -1)


def _count(store: RowStore, session_id: str, walk_in: bool, step: int) -> None:
    session = store.get(SessionRow, session_id)
    if session is None:
        raise LookupError(f"a check-in for unknown session {session_id}")
    changes: dict[str, Any] = {"attended": session["attended"] + step}
    if walk_in:
        changes["walk_ins"] = session["walk_ins"] + step
    store.update(SessionRow, session_id, **changes)
