"""An admin's commands about staff accounts, and the demo's mark on its own database."""

from __future__ import annotations

from dataclasses import dataclass, field

from upgradecamp.domain.commands.base import Command

__all__ = [
    "DeactivateStaff",
    "EditStaff",
    "RecordCheckpoint",
    "RecordDemoBuilt",
    "ResetStaffPin",
    "UnlockStaff",
]


@dataclass(frozen=True)
class UnlockStaff(Command):
    code: str


@dataclass(frozen=True)
class ResetStaffPin(Command):
    code: str
    pin: str = field(repr=False)


@dataclass(frozen=True)
class DeactivateStaff(Command):
    code: str
    reason: str


@dataclass(frozen=True)
class EditStaff(Command):
    code: str
    name: str | None = None
    role: str | None = None
    branch: str | None = None


@dataclass(frozen=True)
class RecordDemoBuilt(Command):
    """Only the demo builder sends this, after creating its staff."""

    seed: int
    today: str
    customers: int
    staff: list[str]


@dataclass(frozen=True)
class RecordCheckpoint(Command):
    """`upgradecamp log checkpoint`: a signed receipt of the log's head (admin)."""
