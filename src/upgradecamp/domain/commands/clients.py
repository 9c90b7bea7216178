"""Client register commands: import a CRM file, assign clients, forget a client."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from upgradecamp.domain.commands.base import Command


@dataclass(frozen=True)
class ImportClients(Command):
    """Register new clients and update changed ones from checked CRM rows (all or nothing).

    `rows` are the rows that passed the file checks (`domain/client_import.py`), each with its
    `line`; `problems` are the rows that did not. With problems and not `good_rows_only`,
    nothing is written. `dry_run` reports what would happen and writes nothing.
    """

    source: str
    rows: list[dict[str, Any]]
    problems: list[dict[str, Any]] = field(default_factory=list)
    good_rows_only: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class ImportClientFile(Command):
    """`upgradecamp clients import FILE`: read a CRM export (CSV or XLSX), check every row and
    import as `ImportClients` does; the handler reads the file, so the permission is checked
    before anything of it is read."""

    path: str
    good_rows_only: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class AssignClients(Command):
    """Give clients to a relationship manager: named ones, or a branch's book filtered by
    segment and/or to those without a manager (`clients assign`, the Books screen)."""

    rm: str
    client_ids: tuple[str, ...] = ()
    branch: str | None = None
    segment: str | None = None
    unassigned: bool = False


@dataclass(frozen=True)
class ForgetClient(Command):
    """`upgradecamp clients forget CLIENT_ID --reason R` (admin): destroy the client's data key
    and record why; their amounts and points stay (domain/privacy.py)."""

    client_id: str
    reason: str
    pin: str | None = None  # the TUI's signature: checked like a sign-in (the CLI signed in)


@dataclass(frozen=True)
class PurgeProspects(Command):
    """`upgradecamp privacy purge --prospects-older-than DAYS` (admin): forget the walk-in
    prospects the CRM never matched, registered more than `older_than_days` ago."""

    older_than_days: int
    dry_run: bool = False
