"""Staff members, their roles and what each role may do; PIN failure and lockout rules."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from upgradecamp.domain.errors import PermissionDenied

ROLES = ("organizer", "checkin", "marketer", "branch_head", "admin")
MAX_PIN_FAILURES = 5
LOCKOUT = timedelta(minutes=15)

# Which role may run which command. Admin runs everything; the rest only their own work.
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"*"}),
    "organizer": frozenset({"rules.publish", "clients.import", "clients.read", "sessions.manage",
                            "invites.manage", "reports.read", "log.read", "followups.manage",
                            "exports.run", "exports.unmasked", "points.manage", "points.read"}),
    "checkin": frozenset({"checkin.record", "clients.read", "log.read"}),
    "marketer": frozenset({"forms.submit", "clients.read", "followups.work", "log.read",
                           "exports.run", "points.read"}),
    "branch_head": frozenset({"forms.decide", "rules.publish", "clients.read", "reports.read",
                              "log.read", "followups.manage", "exports.run", "exports.unmasked",
                              "points.manage", "points.read"}),
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
                "allows it, or an admin to change your role"
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
    version: int = 0

    @property
    def exists(self) -> bool:
        return self.version > 0

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def actor(self) -> Actor:
        return Actor(code=self.code, role=self.role, branch=self.branch, name=self.name)


def evolve_staff(state: StaffState, event_type: str, payload: dict[str, Any]) -> StaffState:
    state = replace(state, version=state.version + 1)
    if event_type == "StaffAdded":
        return replace(state, code=payload["code"], name=payload["name"], role=payload["role"],
                       branch=payload["branch"], pin_hash=payload["pin_hash"])
    if event_type == "StaffPinRejected":
        return replace(state, failed_attempts=payload["failed_attempts"])
    if event_type == "StaffLocked":
        return replace(state, failed_attempts=0,
                       locked_until=datetime.fromisoformat(payload["locked_until"])
                       if isinstance(payload["locked_until"], str) else payload["locked_until"])
    if event_type == "StaffSignedIn":
        return replace(state, failed_attempts=0, locked_until=None)
    return state
