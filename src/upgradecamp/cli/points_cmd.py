"""`upgradecamp points explain|accrue|close-experience|rewards|redeem|unredeem`."""

from __future__ import annotations

from typing import Annotated

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, headers, print_table, say, text
from upgradecamp.i18n import localized

app = typer.Typer(
    help="Points ledger, holding points, experience periods and rewards.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.command("explain")
@handles_errors
def explain(
    client_id: Annotated[str, typer.Argument(help="client number (客户号)")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Every credited or reversed line with its rule set, coefficient, multiplier and formula."""
    from upgradecamp.domain.errors import NotFound
    from upgradecamp.queries import points_explanation

    services = open_services(db)
    actor = sign_in(services, acting)
    actor.require("points.read", "read a client's points")
    data = points_explanation(services.engine, client_id, viewer=actor)
    if data is None:
        raise NotFound(
            f"no client has the id '{client_id}'; check the client number (客户号)",
            "points_unknown_client",
            client_id=client_id,
        )
    if json_out:
        emit_json(data)
        return
    if data["restricted"]:
        say(f"{data['client_id']} {data['name']} {data['mobile']}")
        say(text("cli_summary.points_restricted"))
        return
    say(
        text(
            "cli_summary.points_client",
            client=data["client_id"],
            name=data["name"],
            mobile=data["mobile"],
            aum=data["aum"],
        )
    )
    std = data["standard_tier"]
    say(text("cli_summary.standard_tier", code=std["code"], name=std["name_zh"]))
    exp = data["experience"]
    say(
        text(
            "cli_summary.experience_tier", tier=exp["tier"], starts=exp["starts"], ends=exp["ends"]
        )
        if exp
        else text("cli_summary.no_experience")
    )
    if data["ledger"]:
        say(text("cli_summary.ledger"))
        print_table(
            headers("date", "kind", "reference", "rule_set", "item", "points", "formula"),
            [
                [
                    e["business_date"],
                    e["kind"],
                    e["reference"],
                    e["rule_set"],
                    e["item"],
                    str(e["points"]),
                    e["formula"],
                ]
                for e in data["ledger"]
            ],
            [False] * 5 + [True, False],
        )
    if data["redemptions"]:
        say(text("cli_summary.redemptions"))
        print_table(
            headers("redemption", "date", "quantity", "reward", "points", "state"),
            [
                [
                    r["redemption_id"],
                    r["business_date"],
                    str(r["quantity"]),
                    localized(r["reward_name"], r.get("reward_name_en")),
                    str(r["points"]),
                    text("cli_value.redeemed_standing")
                    if r["status"] == "standing"
                    else text("cli_value.redeemed_reversed", reason=r["reason"]),
                ]
                for r in data["redemptions"]
            ],
            [False, False, True, False, True, False],
        )
    say(text("cli_summary.balance", balance=data["balance"]))


@app.command("accrue")
@handles_errors
def accrue(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM, a finished month")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Credit monthly holding points (1 per full 1,000 CNY); a second run adds nothing."""
    from upgradecamp.domain.commands import AccrueHoldingPoints

    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(
        AccrueHoldingPoints(month=month), actor, idempotency_key=f"accrue:{month}:{actor.code}"
    )
    if json_out:
        emit_json(result)
    else:
        say(
            f"{month}: {result['points']} holding points to {result['clients']} clients "
            f"({result['already_credited']} already credited)"
        )


@app.command("close-experience")
@handles_errors
def close_experience(
    on: Annotated[str, typer.Option("--on", help="YYYY-MM-DD")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """End experience periods past their last day: lapsed, or sustained by imported AUM."""
    from upgradecamp.domain.commands import CloseExperiencePeriods

    services = open_services(db)
    result = services.execute(CloseExperiencePeriods(on=on), sign_in(services, acting))
    if json_out:
        emit_json(result)
    else:
        say(
            f"experience periods ended before {on}: {result['lapsed']} lapsed, "
            f"{result['sustained']} sustained"
        )


@app.command("rewards")
@handles_errors
def rewards(db: DbOption = None, acting: AsOption = None, json_out: JsonOption = False) -> None:
    """The rewards catalogue (积分兑换): activities and gifts, their cost and stock left."""
    from upgradecamp.queries.rewards import reward_catalogue

    services = open_services(db)
    sign_in(services, acting).require("points.read", "read the rewards catalogue")
    lines = reward_catalogue(services.engine)
    if json_out:
        emit_json([r.to_json() for r in lines])
        return
    print_table(
        headers("reward", "kind", "points", "left", "name"),
        [
            [r.code, r.kind, str(r.cost), f"{r.left}/{r.stock}", localized(r.name, r.name_en)]
            for r in lines
        ],
        [False, False, True, True, False],
    )


@app.command("redeem")
@handles_errors
def redeem(
    client_id: Annotated[str, typer.Argument(help="client number (客户号)")],
    reward: Annotated[str, typer.Option("--reward", help="reward code, see `points rewards`")],
    quantity: Annotated[int, typer.Option("--quantity", help="how many")] = 1,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Spend a client's points on a reward, with the client present (a marketer)."""
    from upgradecamp.domain.commands import RedeemPoints

    services = open_services(db)
    result = services.execute(
        RedeemPoints(client_id=client_id, reward=reward, quantity=quantity),
        sign_in(services, acting),
    )
    if json_out:
        emit_json(result)
    else:
        say(text("cli_say.points_redeemed", **{**result, "reward": result["reward_name"]}))


@app.command("unredeem")
@handles_errors
def unredeem(
    redemption_id: Annotated[str, typer.Argument(help="e.g. C000001-R01")],
    reason: Annotated[str, typer.Option("--reason", help="why it is reversed")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Reverse a redemption made in error: the points and the stock come back."""
    from upgradecamp.domain.commands import ReverseRedemption

    services = open_services(db)
    result = services.execute(
        ReverseRedemption(redemption_id=redemption_id, reason=reason), sign_in(services, acting)
    )
    if json_out:
        emit_json(result)
    else:
        say(text("cli_say.points_unredeemed", **result))
