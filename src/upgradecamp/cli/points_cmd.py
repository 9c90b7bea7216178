"""`upgradecamp points explain|accrue|close-experience`."""

from __future__ import annotations

from typing import Annotated

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, say

app = typer.Typer(help="Points ledger, holding points and experience periods.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)


@app.command("explain")
@handles_errors
def explain(client_id: Annotated[str, typer.Argument(help="client number (客户号)")],
            db: DbOption = None, acting: AsOption = None, json_out: JsonOption = False) -> None:
    """Every credited or reversed line with its rule set, coefficient, multiplier and formula."""
    from upgradecamp.domain.errors import NotFound
    from upgradecamp.queries import points_explanation

    services = open_services(db)
    sign_in(services, acting).require("points.read", "read a client's points")
    data = points_explanation(services.engine, client_id)
    if data is None:
        raise NotFound(f"no client has the id '{client_id}'; check the client number (客户号)")
    if json_out:
        emit_json(data)
        return
    say(f"{data['client_id']} {data['name']} {data['mobile']}  AUM {data['aum']}")
    std = data["standard_tier"]
    say(f"standard tier: {std['code']} {std['name_zh']} (from AUM)")
    exp = data["experience"]
    say(f"experience tier: {exp['tier']} {exp['starts']} → {exp['ends']}" if exp
        else "experience tier: none")
    for e in data["ledger"]:
        say(f"  {e['business_date']} {e['kind']:<9} {e['reference']:<10} {e['rule_set']:<7} "
            f"{e['item']:<15} {e['points']:>7}  {e['formula']}")
    say(f"balance: {data['balance']} points")


@app.command("accrue")
@handles_errors
def accrue(month: Annotated[str, typer.Option("--month", help="YYYY-MM, a finished month")],
           db: DbOption = None, acting: AsOption = None, json_out: JsonOption = False) -> None:
    """Credit monthly holding points (1 per full 1,000 CNY); a second run adds nothing."""
    from upgradecamp.domain.commands import AccrueHoldingPoints

    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(AccrueHoldingPoints(month=month), actor,
                              idempotency_key=f"accrue:{month}:{actor.code}")
    if json_out:
        emit_json(result)
    else:
        say(f"{month}: {result['points']} holding points to {result['clients']} clients "
            f"({result['already_credited']} already credited)")


@app.command("close-experience")
@handles_errors
def close_experience(on: Annotated[str, typer.Option("--on", help="YYYY-MM-DD")],
                     db: DbOption = None, acting: AsOption = None,
                     json_out: JsonOption = False) -> None:
    """End experience periods past their last day: lapsed, or sustained by imported AUM."""
    from upgradecamp.domain.commands import CloseExperiencePeriods

    services = open_services(db)
    result = services.execute(CloseExperiencePeriods(on=on), sign_in(services, acting))
    if json_out:
        emit_json(result)
    else:
        say(f"experience periods ended before {on}: {result['lapsed']} lapsed, "
            f"{result['sustained']} sustained")
