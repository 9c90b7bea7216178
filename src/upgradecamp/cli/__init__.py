"""The `upgradecamp` command line (SPEC §6): one Typer sub-app per command group.

Kept light at import: every command imports the database, domain or UI code it needs itself,
so `calc` at a marketer's desk answers without loading SQLAlchemy or Textual. `main` imports
and builds only the group named on the command line, since Typer inspects every command it is
given.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated, Any

import typer

HELP = "Run wealth upgrade sessions (财富升级会) for a branch cluster."
# Each group's and command's module, imported only when the command line names it (or for
# the full help): a module of ours costs 2-5 ms to import, and a desk's `calc` or `tui` needs one.
GROUPS: dict[str, str] = {
    "staff": "staff_cmd",
    "log": "log_cmd",
    "events": "events_cmd",
    "points": "points_cmd",
    "rules": "rules_cmd",
    "clients": "clients_cmd",
    "sessions": "sessions_cmd",
    "invites": "invites_cmd",
    "checkin": "checkin_cmd",
    "forms": "forms_cmd",
    "followups": "followups_cmd",
    "report": "report_cmd",
    "export": "export_cmd",
    "feedback": "feedback_cmd",
    "targets": "targets_cmd",
    "maintenance": "maintenance_cmd",
    "privacy": "privacy_cmd",
}
COMMANDS: dict[str, str] = {
    "init": "setup_cmd",
    "demo": "setup_cmd",
    "tui": "setup_cmd",
    "calc": "calc_cmd",
    "serve": "serve_cmd",
    "wall": "wall_cmd",
}


def _module(name: str) -> Any:
    return importlib.import_module(f"upgradecamp.cli.{name}")


def choose_language(
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="zh_CN or en (default: UPGRADECAMP_LANG, else LANG)"),
    ] = None,
) -> None:
    """Every message, table and export of this command in one language, as the TUI chooses it:
    --lang, else UPGRADECAMP_LANG, else LANG (zh_* is zh_CN, anything else en)."""
    from upgradecamp import i18n
    from upgradecamp.config import ui_language

    chosen = ui_language(lang)
    if lang:
        os.environ["UPGRADECAMP_LANG"] = chosen  # `tui`, `serve`, `wall` and their children too
    i18n.set_language(chosen, load=False)


def build_app(only: str | None = None) -> typer.Typer:
    """The whole CLI, or just the one command or group `only` names."""
    cli = typer.Typer(
        name="upgradecamp",
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_show_locals=False,
        add_completion=False,
    )
    # Also what keeps a lone command's `NAME ...` syntax (it would otherwise become the app).
    cli.callback()(choose_language)
    for name, module in COMMANDS.items():
        if only in (None, name):
            cli.command(name)(getattr(_module(module), name))
    for name, module in GROUPS.items():
        if only in (None, name):
            cli.add_typer(_module(module).app, name=name)
    return cli


def __getattr__(name: str) -> Any:
    """`app`, the whole CLI (Typer's test runner and the docs use it), built when first asked."""
    if name == "app":
        whole = globals()["app"] = build_app()
        return whole
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def command_name(args: list[str]) -> str | None:
    """The command or group named on the command line, past a leading `--lang X`."""
    if args[:1] == ["--lang"]:
        args = args[2:]
    elif args and args[0].startswith("--lang="):
        args = args[1:]
    return args[0] if args else None


def main() -> None:
    name = command_name(sys.argv[1:])
    build_app(name if name in COMMANDS or name in GROUPS else None)()
