"""Staff members, their roles and what each role may do; PIN failure and lockout rules."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import singledispatch

from upgradecamp.domain.errors import PermissionDenied
from upgradecamp.domain.events import (
    DomainEvent,
    StaffAdded,
    StaffDeactivated,
    StaffEdited,
    StaffLocked,
    StaffPinPeppered,
    StaffPinRejected,
    StaffPinReset,
    StaffSignedIn,
    StaffUnlocked,
)

ROLES = ("organizer", "checkin", "marketer", "branch_head", "admin")
MAX_PIN_FAILURES = 5
LOCKOUT = timedelta(minutes=15)

# Which role may run which command. Admin runs everything; the rest only their own work.
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"*"}),
    "organizer": frozenset(
        {
            "rules.publish",
            "clients.import",
            "clients.read",
            "clients.assign",
            "sessions.manage",
            "invites.manage",
            "reports.read",
            "log.read",
            "followups.manage",
            "exports.run",
            "exports.unmasked",
            "points.manage",
            "points.read",
            "feedback.record",
            "targets.set",
        }
    ),
    "checkin": frozenset({"checkin.record", "clients.read", "log.read", "feedback.record"}),
    "marketer": frozenset(
        {
            "forms.submit",
            "clients.read",
            "followups.work",
            "log.read",
            "exports.run",
            "points.read",
            "points.redeem",
            "feedback.record",
        }
    ),
    "branch_head": frozenset(
        {
            "forms.decide",
            "rules.publish",
            "clients.read",
            "reports.read",
            "log.read",
            "followups.manage",
            "exports.run",
            "exports.unmasked",
            "points.manage",
            "points.read",
            "feedback.record",
            "targets.set",
        }
    ),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in staff member, or the system during `init`."""

    code: str
    role: str
    branch: str | None = None
    name: str = ""

    def may(self, permission: str) -> bool:
        allowed = PERMISSIONS.get(self.role, frozenset())
        return "*" in allowed or permission in allowed

    def require(self, permission: str, doing: str) -> None:
        if not self.may(permission):
            raise PermissionDenied(
                f"{self.code} ({self.role}) may not {doing}; ask a member of staff whose role "
                "allows it, or an admin to change your role",
                "permission_denied",
                staff=self.code,
                role=self.role,
                permission=permission,
                doing=doing,
            )


SYSTEM = Actor(code="system", role="admin", name="system")


@dataclass(frozen=True)
class StaffState:
    """A staff member as rebuilt from their stream."""

    code: str = ""
    name: str = ""
    role: str = ""
    branch: str = ""
    pin_hash: str = ""
    failed_attempts: int = 0
    locked_until: datetime | None = None
    active: bool = True
    version: int = 0

    @property
    def exists(self) -> bool:
        return self.version > 0

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def actor(self) -> Actor:
        return Actor(code=self.code, role=self.role, branch=self.branch, name=self.name)


def evolve_staff(state: StaffState, event: DomainEvent) -> StaffState:
    """Fold one event of a staff member's stream."""
    return _apply_staff(event, replace(state, version=state.version + 1))


@singledispatch
def _apply_staff(event: DomainEvent, state: StaffState) -> StaffState:
    return state


@_apply_staff.register
def _added(event: StaffAdded, state: StaffState) -> StaffState:
    return replace(
        state,
        code=event.code,
        name=event.name,
        role=event.role,
        branch=event.branch,
        pin_hash=event.pin_hash,
    )


@_apply_staff.register
def _pin_rejected(event: StaffPinRejected, state: StaffState) -> StaffState:
    return replace(state, failed_attempts=event.failed_attempts)


@_apply_staff.register
def _locked(event: StaffLocked, state: StaffState) -> StaffState:
    return replace(state, failed_attempts=0, locked_until=event.locked_until)


@_apply_staff.register
def _signed_in(event: StaffSignedIn | StaffUnlocked, state: StaffState) -> StaffState:
    return replace(state, failed_attempts=0, locked_until=None)


@_apply_staff.register
def _pin_reset(event: StaffPinReset, state: StaffState) -> StaffState:
    return replace(state, pin_hash=event.pin_hash, failed_attempts=0, locked_until=None)


@_apply_staff.register
def _deactivated(event: StaffDeactivated, state: StaffState) -> StaffState:
    return replace(state, active=False)


@_apply_staff.register
def _edited(event: StaffEdited, state: StaffState) -> StaffState:
    return replace(state, name=event.name, role=event.role, branch=event.branch)


@_apply_staff.register
def _pin_peppered(event: StaffPinPeppered, state: StaffState) -> StaffState:
    return replace(state, pin_hash=event.pin_hash)
