"""The `upgradecamp` command line (SPEC §6): one Typer sub-app per command group.

Kept light at import: every command imports the database, domain or UI code it needs itself,
so `calc` at a marketer's desk answers without loading SQLAlchemy or Textual.
"""

from __future__ import annotations

import typer

from upgradecamp.cli import (
    calc_cmd,
    events_cmd,
    log_cmd,
    points_cmd,
    rules_cmd,
    setup_cmd,
    staff_cmd,
)

app = typer.Typer(
    name="upgradecamp",
    help="Run wealth upgrade sessions (财富升级会) for a branch cluster.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
setup_cmd.register(app)
app.command("calc")(calc_cmd.calc)
app.add_typer(staff_cmd.app, name="staff")
app.add_typer(log_cmd.app, name="log")
app.add_typer(events_cmd.app, name="events")
app.add_typer(points_cmd.app, name="points")
app.add_typer(rules_cmd.app, name="rules")


def main() -> None:
    app()
