"""The staff table: accounts, roles, PIN failure/lockout state for the login screen, and what
an admin's Staff place shows (deactivation, last sign-in, PIN resets)."""

from __future__ import annotations

from upgradecamp.domain.events import (
    StaffAdded,
    StaffDeactivated,
    StaffEdited,
    StaffLocked,
    StaffPinRejected,
    StaffPinReset,
    StaffSignedIn,
    StaffUnlocked,
)
from upgradecamp.domain.events.integrity import StaffPinPeppered
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables import StaffRow

PROJECTION = Projection()


@PROJECTION.register
def staff_added(store: RowStore, event: StaffAdded, stored: StoredEvent) -> None:
    store.put(
        StaffRow,
        {
            "code": event.code,
            "name": event.name,
            "role": event.role,
            "branch": event.branch,
            "pin_hash": event.pin_hash,
            "failed_attempts": 0,
            "locked_until": None,
            "added_at": stored.recorded_at,
            "active": True,
            "deactivated_at": None,
            "deactivated_reason": None,
            "last_signed_in": None,
            "pin_reset_at": None,
        },
    )


@PROJECTION.register
def pin_rejected(store: RowStore, event: StaffPinRejected, stored: StoredEvent) -> None:
    store.update(StaffRow, event.code, failed_attempts=event.failed_attempts)


@PROJECTION.register
def locked(store: RowStore, event: StaffLocked, stored: StoredEvent) -> None:
    store.update(StaffRow, event.code, failed_attempts=0, locked_until=event.locked_until)


@PROJECTION.register
def signed_in(store: RowStore, event: StaffSignedIn, stored: StoredEvent) -> None:
    store.update(
        StaffRow,
        event.code,
        failed_attempts=0,
        locked_until=None,
        last_signed_in=stored.recorded_at,
    )


@PROJECTION.register
def unlocked(store: RowStore, event: StaffUnlocked, stored: StoredEvent) -> None:
    store.update(StaffRow, event.code, failed_attempts=0, locked_until=None)


@PROJECTION.register
def pin_reset(store: RowStore, event: StaffPinReset, stored: StoredEvent) -> None:
    store.update(
        StaffRow,
        event.code,
        pin_hash=event.pin_hash,
        failed_attempts=0,
        locked_until=None,
        pin_reset_at=stored.recorded_at,
    )


@PROJECTION.register
def deactivated(store: RowStore, event: StaffDeactivated, stored: StoredEvent) -> None:
    store.update(
        StaffRow,
        event.code,
        active=False,
        deactivated_at=stored.recorded_at,
        deactivated_reason=event.reason,
    )


@PROJECTION.register
def edited(store: RowStore, event: StaffEdited, stored: StoredEvent) -> None:
    store.update(StaffRow, event.code, name=event.name, role=event.role, branch=event.branch)


@PROJECTION.register
def pin_peppered(store: RowStore, event: StaffPinPeppered, stored: StoredEvent) -> None:
    store.update(StaffRow, event.code, pin_hash=event.pin_hash)
