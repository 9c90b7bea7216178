"""Client register commands: import a CRM file."""

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
