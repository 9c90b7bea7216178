"""Tier service plan commands: import holdings, run the day's plan, export a tier's SMS."""

from __future__ import annotations

from dataclasses import dataclass

from upgradecamp.domain.commands.base import Command


@dataclass(frozen=True)
class ImportHoldings(Command):
    """`clients holdings FILE`: the handler reads the file after the permission check."""

    path: str
    good_rows_only: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class RunMaintenance(Command):
    """`maintenance run [--on DATE]`: the calls the tier plans owe that day (idempotent)."""

    on: str | None = None


@dataclass(frozen=True)
class ExportTierSms(Command):
    """`maintenance export --tier T --kind sms --out FILE [--on DATE] [--again]`: a tier's
    push list, when its cadence (monthly, quarterly) makes it due on `on`; `again` writes a
    second list in the same period."""

    tier: str
    out: str
    kind: str = "sms"
    on: str | None = None
    again: bool = False
