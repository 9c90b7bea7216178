"""Invitation commands: build an invite list, export a wave, record an outcome."""

from __future__ import annotations

from dataclasses import dataclass

from upgradecamp.domain.commands.base import Command


@dataclass(frozen=True)
class BuildInviteList(Command):
    """Select clients for a session and issue invitations with check-in codes.

    Amounts are decimal strings in CNY. `mix` is None (asset range only) or segment → weight,
    e.g. {"potential": 2, "mid_high": 1}. `dry_run` decides and reports but records nothing.
    """

    session_id: str
    aum_min: str = "50000"
    aum_max: str = "200000"
    per_seat: str = "1.5"
    mix: dict[str, int] | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class RecordInvitationOutcome(Command):
    """One wave's result for one invitation (by invitation id or its check-in code)."""

    invitation: str
    channel: str
    result: str
    note: str = ""


@dataclass(frozen=True)
class RecordExport(Command):
    """Record that a file of personal data was written (who, what, how many rows)."""

    what: str
    format: str
    rows: int
    unmasked: bool = False
    filters: tuple[tuple[str, str], ...] = ()
    file: str = ""
