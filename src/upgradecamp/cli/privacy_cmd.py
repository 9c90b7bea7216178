"""`upgradecamp privacy purge|report`: what personal data is held, and forgetting the walk-ins
the CRM never matched (admin)."""

from __future__ import annotations

from typing import Annotated

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, say, table, text

app = typer.Typer(
    help="Personal data: what is held (report), forgetting old walk-in prospects (purge).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def warn_unscrubbed(done: bool) -> None:
    """The one line after a forgetting whose WAL checkpoint another terminal held back."""
    if not done:
        typer.echo(
            "warning: another terminal was reading, so old copies of the forgotten data stay "
            "in the database's -wal file until its next checkpoint; run "
            "`upgradecamp privacy report` again when the terminals are idle",
            err=True,
        )


@app.command("purge")
@handles_errors
def purge(
    older_than: Annotated[
        int,
        typer.Option(
            "--prospects-older-than",
            help="forget walk-in prospects never matched to a bank client, older than DAYS",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="say who would be forgotten; change nothing")
    ] = False,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Forget walk-in prospects (admin, PIN) the CRM never matched, registered DAYS ago or more."""
    from upgradecamp.domain.commands import PurgeProspects
    from upgradecamp.service.privacy import scrub

    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(PurgeProspects(older_than_days=older_than, dry_run=dry_run), actor)
    if result["forgotten"] and not dry_run:
        warn_unscrubbed(scrub(services))
    if json_out:
        emit_json(result)
    elif dry_run:
        names = ", ".join(result["clients"])
        say(text("cli_say.purge_dry_run", count=result["forgotten"], names=names))
    else:
        say(text("cli_say.purged", count=result["forgotten"], days=older_than))


@app.command("report")
@handles_errors
def report(db: DbOption = None, acting: AsOption = None, json_out: JsonOption = False) -> None:
    """The personal data held: clients per kind, branch and age band (admin, PIN)."""
    from upgradecamp.domain.privacy import check_may_forget
    from upgradecamp.queries.privacy import personal_data_held
    from upgradecamp.service.privacy import scrub

    services = open_services(db)
    actor = sign_in(services, acting)
    check_may_forget(actor.role, actor.code)
    scrub(services)  # a checkpoint a busy moment held back after a forgetting
    lines = personal_data_held(services.engine, services.clock())
    if json_out:
        emit_json([line.as_json() for line in lines])
        return
    if not lines:
        say(text("cli_say.no_personal_data"))
        return
    rows = [("kind", "branch", "age", "clients", "items")]
    rows += [(x.kind, x.branch, x.age, f"{x.clients:,}", f"{x.items:,}") for x in lines]
    for line in table(rows, (False, False, False, True, True)):
        say(line)
