"""`upgradecamp calc`: the points/upgrade calculator on the command line.

Pure arithmetic over the rule sets the database published (`--db`), or over the fixture files
where no database exists: then no SQLAlchemy, no UI, so a marketer's answer comes back at the
speed of Python start-up.
"""

# No `from __future__ import annotations` here: Typer would then eval every annotation string
# on each call, and `calc` is the command whose start-up time is measured.
from pathlib import Path
from typing import Annotated

import typer

from upgradecamp.cli.common import DbOption, JsonOption
from upgradecamp.cli.output import emit_json, handles_errors, say, text
from upgradecamp.i18n import name_of


@handles_errors
def calc(
    aum: Annotated[
        str, typer.Option("--aum", help="the client's current AUM in CNY (12万 is 120000)")
    ],
    line: Annotated[
        list[str] | None,
        typer.Option(
            "--line",
            help="PRODUCT:VALUE[:SOURCE], SOURCE existing|new|other_bank (default new); "
            "VALUE in CNY, e.g. 15000 or 1.5万",
        ),
    ] = None,
    action: Annotated[
        list[str] | None, typer.Option("--action", help="fixed-point action, e.g. mobile_banking")
    ] = None,
    on_site: Annotated[
        bool, typer.Option("--on-site", help="submitted during its session")
    ] = False,
    rules: Annotated[
        str | None,
        typer.Option(
            "--rules", help="rule set version (default: the one in force today, Asia/Shanghai)"
        ),
    ] = None,
    rules_dir: Annotated[
        Path | None,
        typer.Option(
            "--rules-dir", help="folder of rule files instead of the database's rule sets"
        ),
    ] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Converted AUM, points, tier, gap to the next tier and what would close it."""
    from decimal import Decimal, InvalidOperation

    from upgradecamp.cli.rule_source import find_version, load_rule_source
    from upgradecamp.domain.calculator import calculate
    from upgradecamp.domain.errors import BadInput
    from upgradecamp.domain.points import in_yuan, parse_line_spec
    from upgradecamp.domain.rules import rule_set_for

    source = load_rule_source(db, rules_dir)
    ladder = source.ladder
    chosen = find_version(source, rules) if rules else rule_set_for(source.rule_sets, source.now)
    try:
        client_aum = Decimal(in_yuan(aum.replace(",", "").strip()))
    except InvalidOperation:
        raise BadInput(
            f"--aum {aum!r} is not a number; give the AUM in CNY, e.g. 120000",
            "calc_bad_aum",
            value=aum,
        ) from None
    lines = [parse_line_spec(spec, chosen) for spec in line or []]
    result = calculate(chosen, ladder, client_aum, lines, list(action or []), on_site)
    if json_out:
        emit_json(result.to_json())
        return
    say(
        text("cli_calc.on_site", version=result.rule_set_version, x=chosen.on_site_multiplier)
        if on_site
        else text("cli_calc.rule_set", version=result.rule_set_version)
    )
    for ln in result.lines:
        say(f"  {ln.product:<16} {ln.converted_delta:>14,.2f}  {ln.points:>7} pts   {ln.formula}")
    for code, pts in result.actions:
        say(f"  {code:<16} {'':>14}  {pts:>7} pts")
    say(
        text(
            "cli_calc.result",
            converted=f"{result.converted_aum:,.2f}",
            delta=f"{result.converted_delta:,.2f}",
            code=result.tier.code,
            tier=name_of(result.tier),
            points=result.points,
        )
    )
    if result.next_tier is None:
        say(text("cli_calc.top"))
        return
    say(
        text(
            "cli_calc.gap",
            code=result.next_tier.code,
            tier=name_of(result.next_tier),
            gap=f"{result.gap:,.2f}",
        )
    )
    for code, amount in result.proposals.items():
        say(
            text(
                "cli_calc.proposal",
                amount=f"{amount:>14,.2f}",
                code=code,
                product=name_of(chosen.products[code]),
            )
        )
