"""Staff events: accounts, PIN failures, lockouts, sign-ins, and an admin's changes."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import DomainEvent, Role


class StaffAdded(DomainEvent):
    """A staff member got an account; only the PIN's argon2 hash is kept, never the PIN."""

    TYPE: ClassVar[str] = "StaffAdded"
    code: str = Field(pattern=r"^[A-Za-z0-9_.-]{2,32}$")
    name: str
    role: Role
    branch: str
    pin_hash: str

    def stream_id(self) -> str:
        return streams.staff(self.code)


class StaffPinRejected(DomainEvent):
    """A wrong PIN was entered; `failed_attempts` counts consecutive failures."""

    TYPE: ClassVar[str] = "StaffPinRejected"
    code: str
    failed_attempts: int
    terminal: str

    def stream_id(self) -> str:
        return streams.staff(self.code)


class StaffLocked(DomainEvent):
    """Too many wrong PINs: the account is locked until `locked_until` (UTC)."""

    TYPE: ClassVar[str] = "StaffLocked"
    code: str
    locked_until: datetime

    def stream_id(self) -> str:
        return streams.staff(self.code)


class StaffSignedIn(DomainEvent):
    """A correct PIN after failures, or a TUI login: the failure count starts again at zero."""

    TYPE: ClassVar[str] = "StaffSignedIn"
    code: str
    terminal: str

    def stream_id(self) -> str:
        return streams.staff(self.code)


class StaffUnlocked(DomainEvent):
    """An admin lifted a lockout (or forgot the wrong PINs counted so far)."""

    TYPE: ClassVar[str] = "StaffUnlocked"
    code: str

    def stream_id(self) -> str:
        return streams.staff(self.code)


class StaffPinReset(DomainEvent):
    """An admin set a new PIN (its argon2 hash); any lockout and failure count end with it."""

    TYPE: ClassVar[str] = "StaffPinReset"
    code: str
    pin_hash: str

    def stream_id(self) -> str:
        return streams.staff(self.code)


class StaffDeactivated(DomainEvent):
    """The member can no longer sign in; everything they did stays in the log under their code."""

    TYPE: ClassVar[str] = "StaffDeactivated"
    code: str
    reason: str = Field(min_length=1)

    def stream_id(self) -> str:
        return streams.staff(self.code)


class StaffEdited(DomainEvent):
    """Name, role or branch changed; the payload holds all three as they now are."""

    TYPE: ClassVar[str] = "StaffEdited"
    code: str
    name: str = Field(min_length=1)
    role: Role
    branch: str
    changed: list[str]

    def stream_id(self) -> str:
        return streams.staff(self.code)
