"""The staff table: accounts, roles, and PIN failure/lockout state for the login screen."""

from __future__ import annotations

from datetime import datetime

from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables import StaffRow


def staff_added(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    store.put(StaffRow, {"code": p["code"], "name": p["name"], "role": p["role"],
                         "branch": p["branch"], "pin_hash": p["pin_hash"],
                         "failed_attempts": 0, "locked_until": None,
                         "added_at": ev.recorded_at})


def pin_rejected(store: RowStore, ev: StoredEvent) -> None:
    store.update(StaffRow, ev.payload["code"], failed_attempts=ev.payload["failed_attempts"])


def locked(store: RowStore, ev: StoredEvent) -> None:
    store.update(StaffRow, ev.payload["code"], failed_attempts=0,
                 locked_until=datetime.fromisoformat(ev.payload["locked_until"]))


def signed_in(store: RowStore, ev: StoredEvent) -> None:
    store.update(StaffRow, ev.payload["code"], failed_attempts=0, locked_until=None)


HANDLERS = {
    "StaffAdded": staff_added,
    "StaffPinRejected": pin_rejected,
    "StaffLocked": locked,
    "StaffSignedIn": signed_in,
}
