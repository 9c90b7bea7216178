"""Check-in commands: sign a client in at the door, or annul a check-in made in error."""

from __future__ import annotations

from dataclasses import dataclass, field

from upgradecamp.domain.commands.base import Command


@dataclass(frozen=True)
class CheckIn(Command):
    """Check a client in by invitation code, client id, or as a new prospect (name + mobile).

    A walk-in takes a free seat; beyond capacity only with an organizer's override (their
    code and PIN, recorded). `referred_by` is the client who brought this one (MGM).
    """

    session_id: str
    code: str | None = None
    client_id: str | None = None
    prospect_name: str | None = None
    prospect_mobile: str | None = None
    referred_by: str | None = None
    override_code: str | None = None
    override_pin: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class AnnulCheckIn(Command):
    checkin_id: str
    reason: str
