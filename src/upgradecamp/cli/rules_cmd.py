"""`upgradecamp rules list|publish`: the versioned rule sets of a database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, say

app = typer.Typer(help="Points and conversion rule sets.", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)


@app.command("list")
@handles_errors
def list_rules(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Published rule set versions with their effective dates."""
    from upgradecamp.queries import rule_set_history

    rows = rule_set_history(open_services(db).engine)
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        say(f"{r['version']:<10} {r['effective_from']} → {r['effective_to']}  "
            f"published {r['published_at'][:10]} by {r['published_by']}")


@app.command("publish")
@handles_errors
def publish(path: Annotated[Path, typer.Argument(help="rule set TOML file")],
            db: DbOption = None, acting: AsOption = None, json_out: JsonOption = False) -> None:
    """Publish a new rule set version (organizer, branch head); published ones never change."""
    from upgradecamp.domain.commands import PublishRuleSet
    from upgradecamp.domain.rules import load_rule_set

    rule_set = load_rule_set(path)
    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(PublishRuleSet(
        version=rule_set.version, effective_from=rule_set.effective_from.isoformat(),
        effective_to=rule_set.effective_to.isoformat(), rules=rule_set.to_payload()), actor)
    if json_out:
        emit_json(result)
    else:
        say(f"published {result['version']} ({result['effective_from']} → "
            f"{result['effective_to']})")
