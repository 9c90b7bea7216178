"""`upgradecamp log tail|verify|replay`: look at, check and rebuild from the event log."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import Exit, emit_json, fail, handles_errors, say, text

app = typer.Typer(
    help="The event log: tail, verify, checkpoint, replay.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


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
        say(
            f"{ev['position']:>8}  {ev['recorded_at'][:19]}  {ev['actor'] or '-':<10} "
            f"{ev['type']:<22} {ev['stream_id']}"
        )


@app.command("verify")
@handles_errors
def verify(
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoint",
            help="a file from `log checkpoint`: prove the log still holds that head (repeatable)",
        ),
    ] = None,
    tables: Annotated[
        bool,
        typer.Option(
            "--tables",
            help="also rebuild the read tables in a scratch database and name every "
            "table and row that differs from the live ones",
        ),
    ] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Walk the hash chain; exit 1 naming the first bad position (also a truncated tail).

    Keyed rows are checked with the database's key file; without it, only the structure.
    """
    from upgradecamp.service.integrity import verify_all
    from upgradecamp.service.setup import KEY_ENV, key_file_of

    services = open_services(db)
    report, checks, drift = verify_all(services, checkpoint or [], tables)
    key_file = key_file_of(services)
    held = all(c.ok for c in checks) and not drift
    if json_out:
        emit_json(
            {
                "ok": report.ok and held,
                "checked": report.checked,
                "head_position": report.head_position,
                "first_bad_position": report.first_bad_position,
                "problem": report.problem,
                "keyed_from": report.keyed_from,
                "unchecked_from": report.unchecked_from,
                "key_file": str(key_file) if key_file else None,
                "checkpoints": [asdict(c) for c in checks],
                "tables": [asdict(d) for d in drift] if tables else None,
            }
        )
    else:
        _say_verified(report, checks)
        if tables and not drift:
            say(text("cli_say.tables_ok"))
    if report.unchecked_from is not None:
        typer.echo(
            f"note: the key file {key_file} was not found, so the hashes from position "
            f"{report.unchecked_from} on could not be checked (nor checkpoint "
            f"signatures); put the database's key file there or point {KEY_ENV} at it",
            err=True,
        )
    if not report.ok:
        typer.echo(
            f"error: log verification failed at position {report.first_bad_position}: "
            f"{report.problem}. Restore the database from a backup.",
            err=True,
        )
    for failed in (c for c in checks if not c.ok):
        typer.echo(
            f"error: checkpoint {failed.path} failed at position {failed.position}: "
            f"{failed.problem}. Restore the database from a backup.",
            err=True,
        )
    for diff in drift:
        typer.echo(
            f"error: read table {diff.table}: {diff.count} row(s) differ from what the "
            "log rebuilds; run `upgradecamp log replay` (admin) to rebuild it",
            err=True,
        )
        for row in diff.rows:
            typer.echo(f"  {diff.table} {row}", err=True)
        if diff.count > len(diff.rows):
            typer.echo(f"  … and {diff.count - len(diff.rows)} more", err=True)
    if not report.ok or not held:
        raise typer.Exit(int(Exit.REFUSED))


def _say_verified(report, checks) -> None:
    if report.ok and report.unchecked_from is not None:
        say(
            f"ok (structure only): {report.checked} events, no gaps, head in place; hashes "
            f"checked up to position {report.unchecked_from - 1}"
        )
    elif report.ok:
        keyed = f", keyed from position {report.keyed_from}" if report.keyed_from else ""
        say(text("cli_say.chain_ok", count=report.checked, keyed=keyed))
    for c in checks:
        if c.ok:
            signed = "" if c.signature_checked else " (signature not checked: no key file)"
            say(
                f"ok: the log still holds position {c.position} as checkpointed at "
                f"{c.checkpointed_at} ({c.path}){signed}"
            )


@app.command("checkpoint")
@handles_errors
def checkpoint(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="where to write the signed receipt (default: "
            "./upgradecamp-checkpoint-POSITION.json); keep it away from the database",
        ),
    ] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Write a signed receipt of the log's head (admin): `log verify --checkpoint FILE` later
    proves that nothing up to it was cut or rewritten."""
    from upgradecamp.domain.commands import RecordCheckpoint
    from upgradecamp.service.integrity import write_receipt

    if out is not None and not out.parent.is_dir():
        fail(
            text("cli.folder_missing", folder=out.parent),
            Exit.BAD_INPUT,
        )
    services = open_services(db)
    actor = sign_in(services, acting)
    receipt = services.execute(RecordCheckpoint(), actor)
    path = out or Path(f"upgradecamp-checkpoint-{receipt['position']}.json")
    write_receipt(receipt, path)
    if json_out:
        emit_json({**receipt, "file": str(path)})
    else:
        say(
            f"checkpoint of position {receipt['position']} written to {path}; keep it away "
            "from the database (print it, or mail it to your audit office)"
        )


@app.command("replay")
@handles_errors
def replay(db: DbOption = None, acting: AsOption = None, json_out: JsonOption = False) -> None:
    """Rebuild every read table from the log (admin)."""
    from upgradecamp.service.setup import rebuild_read_model

    services = open_services(db)
    sign_in(services, acting).require("log.replay", "rebuild the read tables")
    report = rebuild_read_model(services)
    if json_out:
        emit_json({"events": report.events, "position": report.position})
    else:
        say(text("cli_say.rebuilt", count=report.events, head=report.position))
