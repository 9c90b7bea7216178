"""Check-in commands: sign a client in at the door, or annul a check-in made in error."""

from __future__ import annotations

from dataclasses import dataclass

from upgradecamp.domain.commands.base import Command


@dataclass(frozen=True)
class CheckIn(Command):
    """Check a client in by invitation code or client id (one of them)."""

    session_id: str
    code: str | None = None
    client_id: str | None = None
    referred_by: str | None = None


@dataclass(frozen=True)
class AnnulCheckIn(Command):
    checkin_id: str
    reason: str
