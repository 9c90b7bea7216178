"""`upgradecamp log tail|verify|replay`: look at, check and rebuild from the event log."""

from __future__ import annotations

from typing import Annotated

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import Exit, emit_json, handles_errors, say

app = typer.Typer(help="The event log: tail, verify, replay.", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)


@app.command("tail")
@handles_errors
def tail(
    n: Annotated[int, typer.Option("-n", min=1, help="how many recent events")] = 20,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Show the most recent events (mobile numbers masked, PIN hashes hidden)."""
    from upgradecamp.queries import recent_events

    services = open_services(db)
    sign_in(services, acting).require("log.read", "read the event log")
    events = recent_events(services.engine, services.log, n)
    if json_out:
        emit_json(events)
        return
    for ev in events:
        say(f"{ev['position']:>8}  {ev['recorded_at'][:19]}  {ev['actor'] or '-':<10} "
            f"{ev['type']:<22} {ev['stream_id']}")


@app.command("verify")
@handles_errors
def verify(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Walk the hash chain; exit 1 naming the first bad position (also a truncated tail)."""
    from upgradecamp.store.db import read_transaction

    services = open_services(db)
    with read_transaction(services.engine) as conn:
        report = services.log.verify(conn)
    if json_out:
        emit_json({"ok": report.ok, "checked": report.checked,
                   "head_position": report.head_position,
                   "first_bad_position": report.first_bad_position, "problem": report.problem})
    elif report.ok:
        say(f"ok: {report.checked} events, hash chain intact up to the head")
    if not report.ok:
        typer.echo(f"error: log verification failed at position {report.first_bad_position}: "
                   f"{report.problem}. Restore the database from a backup.", err=True)
        raise typer.Exit(int(Exit.REFUSED))


@app.command("replay")
@handles_errors
def replay(db: DbOption = None, acting: AsOption = None, json_out: JsonOption = False) -> None:
    """Rebuild every read table from the log (admin)."""
    from upgradecamp.projections.rebuild import rebuild

    services = open_services(db)
    sign_in(services, acting).require("log.replay", "rebuild the read tables")
    report = rebuild(services.engine, services.log)
    if json_out:
        emit_json({"events": report.events, "position": report.position})
    else:
        say(f"rebuilt read tables from {report.events} events (head {report.position})")
