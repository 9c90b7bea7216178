"""`upgradecamp events export DIR`: the event catalogue as JSON Schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from upgradecamp.cli.output import handles_errors, say, text

app = typer.Typer(
    help="The event catalogue.", no_args_is_help=True, pretty_exceptions_show_locals=False
)


@app.command("export")
@handles_errors
def export(directory: Annotated[Path, typer.Argument(help="folder to write into")]) -> None:
    """Write one JSON Schema per event type and version into DIR."""
    from upgradecamp.catalogue import write_catalogue

    written = write_catalogue(directory)
    say(text("cli_say.schemas_written", count=len(written), folder=directory))
