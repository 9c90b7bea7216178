"""`upgradecamp calc`: the points/upgrade calculator on the command line.

Pure arithmetic over the rule files: no database, no UI, so a marketer's answer comes back at
the speed of Python start-up.
"""

# No `from __future__ import annotations` here: Typer would then eval every annotation string
# on each call, and `calc` is the command whose start-up time is measured.
from pathlib import Path
from typing import Annotated

import typer

from upgradecamp.cli.common import JsonOption
from upgradecamp.cli.output import emit_json, handles_errors, say


@handles_errors
def calc(
    aum: Annotated[str, typer.Option("--aum", help="the client's current AUM in CNY")],
    line: Annotated[list[str] | None, typer.Option(
        "--line", help="PRODUCT:VALUE[:SOURCE], source existing|new|other_bank (default new)")]
    = None,
    action: Annotated[list[str] | None, typer.Option(
        "--action", help="fixed-point action, e.g. mobile_banking")] = None,
    on_site: Annotated[bool, typer.Option("--on-site", help="submitted during its session")]
    = False,
    rules: Annotated[str | None, typer.Option(
        "--rules", help="rule set version (default: the one in force today, Asia/Shanghai)")]
    = None,
    rules_dir: Annotated[Path | None, typer.Option(
        "--rules-dir", help="folder of rule files (default fixtures/rules)")] = None,
    json_out: JsonOption = False,
) -> None:
    """Converted AUM, points, tier, gap to the next tier and what would close it."""
    from datetime import UTC, datetime
    from decimal import Decimal, InvalidOperation

    from upgradecamp.config import fixtures_dir
    from upgradecamp.domain.calculator import calculate
    from upgradecamp.domain.errors import BadInput
    from upgradecamp.domain.points import parse_line_spec
    from upgradecamp.domain.rules import rule_set_for
    from upgradecamp.io.rule_files import load_rules

    folder = rules_dir or fixtures_dir() / "rules"
    rule_sets, ladder = load_rules(folder)
    if rules:
        chosen = next((r for r in rule_sets if r.version == rules), None)
        if chosen is None:
            raise BadInput(f"no rule set {rules!r}; known: "
                           f"{', '.join(r.version for r in rule_sets)}")
    else:
        chosen = rule_set_for(rule_sets, datetime.now(UTC))
    try:
        client_aum = Decimal(aum.replace(",", ""))
    except InvalidOperation:
        raise BadInput(f"--aum {aum!r} is not a number; give the AUM in CNY, e.g. 120000") from None
    lines = [parse_line_spec(spec, chosen) for spec in line or []]
    result = calculate(chosen, ladder, client_aum, lines, list(action or []), on_site)
    if json_out:
        emit_json(result.to_json())
        return
    say(f"rule set {result.rule_set_version}{'  (on site ×' if on_site else ''}"
        f"{str(chosen.on_site_multiplier) + ')' if on_site else ''}")
    for ln in result.lines:
        say(f"  {ln.product:<16} {ln.converted_delta:>14,.2f}  {ln.points:>7} pts   "
            f"{ln.formula}")
    for code, pts in result.actions:
        say(f"  {code:<16} {'':>14}  {pts:>7} pts")
    say(f"converted AUM {result.converted_aum:,.2f} (+{result.converted_delta:,.2f})  "
        f"tier {result.tier.code} {result.tier.name_zh}  points {result.points}")
    if result.next_tier is None:
        say("top tier reached")
        return
    say(f"gap to {result.next_tier.code} {result.next_tier.name_zh}: {result.gap:,.2f}")
    for code, amount in result.proposals.items():
        say(f"  or {amount:>14,.2f} of new {code}")
