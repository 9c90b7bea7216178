"""`upgradecamp clients import|show` (SPEC §6)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import Exit, emit_json, handles_errors, say

app = typer.Typer(help="The client register: import the CRM export, look a client up.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)


def _warn(text: str) -> None:
    typer.echo(text, err=True)


def summary(result: dict[str, Any]) -> str:
    """`registered 120, updated 3, unchanged 5,000` (or what a dry run would do)."""
    if result.get("dry_run"):
        return (f"would register {result['registered']:,}, update {result['updated']:,}, "
                f"leave {result['unchanged']:,} unchanged")
    return (f"registered {result['registered']:,}, updated {result['updated']:,}, "
            f"unchanged {result['unchanged']:,}")


def line_list(lines: list[int], limit: int = 50) -> str:
    """Line numbers for one line of output; stderr lists every bad row anyway."""
    text = ", ".join(str(n) for n in lines[:limit])
    return text + (f" … and {len(lines) - limit} more" if len(lines) > limit else "")


@app.command("import")
@handles_errors
def import_clients(
    file: Annotated[Path, typer.Argument(help="CRM export: FILE.csv (UTF-8 or GB18030) or "
                                              "FILE.xlsx, English or Chinese headers")],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="check the file and say what would change; write nothing")] = False,
    good_rows_only: Annotated[bool, typer.Option(
        "--good-rows-only", help="import the good rows and skip the bad ones (listed)")] = False,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Register new clients and update changed ones; any bad row stops the whole import.

    Every bad row is listed (line, column, value, reason); nothing is imported (exit 2).

    With --good-rows-only the good rows are imported and the bad ones skipped (exit 0).

    Re-importing writes only what changed.
    """
    from upgradecamp.domain.client_import import problem_text
    from upgradecamp.domain.errors import BadInput
    from upgradecamp.service.clients import import_client_file

    services = open_services(db)
    actor = sign_in(services, acting)
    try:
        result = import_client_file(services, actor, file, good_rows_only=good_rows_only,
                                    dry_run=dry_run)
    except BadInput as err:
        if json_out and err.code == "import_bad_rows":
            emit_json({"imported": False, "error": err.code, "bad_rows": err.params["count"],
                       "problems": err.params["problems"]})
        raise
    problems: list[dict[str, Any]] = result["problems"]
    refused = bool(problems) and not good_rows_only
    if json_out:
        emit_json({"imported": not dry_run and not refused, **result})
    else:
        say(summary(result) + (f"; kept {result['kept_withdrawn']:,} withdrawn consent(s)"
                               if result["kept_withdrawn"] else ""))
        if problems and good_rows_only:
            skipped = result["skipped"]
            say(f"skipped {len(skipped):,} bad row(s): line(s) {line_list(skipped)}")
    for note in result["notes"]:
        _warn(f"note: {note}")
    prefix = "skipped: " if good_rows_only else ""
    for p in problems:
        _warn(prefix + problem_text(p))
    if refused:
        # Only a dry run gets here with bad rows: a real import raised before writing.
        lines = len(result["skipped"])
        _warn(f"error: {lines} bad row(s); fix them in the CRM export and check again, or "
              "import only the good rows with --good-rows-only")
        raise typer.Exit(int(Exit.BAD_INPUT))


@app.command("show")
@handles_errors
def show(client_id: Annotated[str, typer.Argument(help="client number (客户号)")],
         db: DbOption = None, acting: AsOption = None, json_out: JsonOption = False) -> None:
    """One client: masked mobile, ID last 4, branch, RM, AUM, segment, consent, contact."""
    from upgradecamp.domain.errors import NotFound
    from upgradecamp.queries.clients import client_card

    services = open_services(db)
    sign_in(services, acting).require("clients.read", "look clients up")
    card = client_card(services.engine, client_id)
    if card is None:
        raise NotFound(f"no client has the id '{client_id}'; check the client number (客户号)",
                       "unknown_client", client=client_id)
    if json_out:
        emit_json(card)
        return
    consent = "yes" if card["marketing_consent"] else (
        "no (withdrawn by the client)" if card["consent_withdrawn"] else "no")
    risk = card["risk_grade"] or "none"
    if card["risk_expires"]:
        risk += f" (assessment valid to {card['risk_expires']})"
    rm = f"{card['rm']} {card['rm_name'] or ''}".rstrip() if card["rm"] else "none"
    say(f"{card['client_id']}  {card['name']}")
    say(f"  mobile        {card['mobile']}")
    say(f"  ID last 4     {card['id_last4']}")
    say(f"  branch        {card['branch']} {card['branch_name'] or ''}".rstrip())
    say(f"  RM            {rm}")
    say(f"  AUM           {_grouped(card['aum'])}  ({card['segment']})")
    say(f"  risk grade    {risk}")
    say(f"  consent       {consent}")
    say(f"  contact       {card['contact_status']}")


def _grouped(amount: str) -> str:
    from decimal import Decimal

    return f"{Decimal(amount):,.2f}"
