"""The `upgradecamp` command line (SPEC §6): one Typer sub-app per command group.

Kept light at import: every command imports the database, domain or UI code it needs itself,
so `calc` at a marketer's desk answers without loading SQLAlchemy or Textual. `main` builds
only the group named on the command line, since Typer inspects every command it is given.
"""

from __future__ import annotations

import sys

import typer

from upgradecamp.cli import (
    calc_cmd,
    checkin_cmd,
    clients_cmd,
    events_cmd,
    export_cmd,
    followups_cmd,
    forms_cmd,
    invites_cmd,
    log_cmd,
    points_cmd,
    report_cmd,
    rules_cmd,
    sessions_cmd,
    setup_cmd,
    staff_cmd,
)

HELP = "Run wealth upgrade sessions (财富升级会) for a branch cluster."
GROUPS: dict[str, typer.Typer] = {
    "staff": staff_cmd.app,
    "log": log_cmd.app,
    "events": events_cmd.app,
    "points": points_cmd.app,
    "rules": rules_cmd.app,
    "clients": clients_cmd.app,
    "sessions": sessions_cmd.app,
    "invites": invites_cmd.app,
    "checkin": checkin_cmd.app,
    "forms": forms_cmd.app,
    "followups": followups_cmd.app,
    "report": report_cmd.app,
    "export": export_cmd.app,
}
COMMANDS = {"init": setup_cmd.init, "demo": setup_cmd.demo, "tui": setup_cmd.tui,
            "calc": calc_cmd.calc}


def build_app(only: str | None = None) -> typer.Typer:
    """The whole CLI, or just the one command or group `only` names."""
    cli = typer.Typer(name="upgradecamp", help=HELP, no_args_is_help=True,
                      pretty_exceptions_show_locals=False, add_completion=False)
    if only is not None:
        # A lone command would become the app itself; a callback keeps the `NAME ...` syntax.
        cli.callback()(lambda: None)
    for name, fn in COMMANDS.items():
        if only in (None, name):
            cli.command(name)(fn)
    for name, group in GROUPS.items():
        if only in (None, name):
            cli.add_typer(group, name=name)
    return cli


app = build_app()


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else None
    build_app(name if name in COMMANDS or name in GROUPS else None)()
