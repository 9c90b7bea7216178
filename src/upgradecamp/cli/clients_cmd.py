"""`upgradecamp clients ...` (SPEC §6)."""

from __future__ import annotations

import typer

app = typer.Typer(help="clients", no_args_is_help=True, pretty_exceptions_show_locals=False)
