"""`upgradecamp rules list|draft|publish`: the versioned rule sets of a database.

Crossing the quarter: `rules draft` copies a set under the next quarter's name and dates into a
TOML file to edit, `rules publish` publishes it, and `rules list` warns from two weeks before
the set in force ends with nothing published after it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import Exit, emit_json, fail, handles_errors, say, text, warn

if TYPE_CHECKING:
    from upgradecamp.domain.rule_quarters import RulesEnding

app = typer.Typer(
    help="Points and conversion rule sets.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.command("list")
@handles_errors
def list_rules(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Published rule set versions with their effective dates."""
    from upgradecamp.queries import rule_set_history, rules_ending_on

    services = open_services(db)
    rows = rule_set_history(services.engine)
    if json_out:
        emit_json(rows)
    else:
        for r in rows:
            say(
                f"{r['version']:<10} {r['effective_from']} → {r['effective_to']}  "
                f"published {r['published_at'][:10]} by {r['published_by']}"
            )
    ending = rules_ending_on(services.engine, services.clock())
    if ending is not None:
        warn(ending_warning(ending))


def ending_warning(ending: RulesEnding) -> str:
    """Which set ends when, that forms are refused after it, and how to publish the next."""
    if ending.lapsed:
        head = (
            f"rule set {ending.version} ended on {ending.ends} and no rule set follows it: "
            f"registration forms are refused since {ending.refused_from}."
        )
    else:
        left = (
            "today is its last day"
            if ending.days_left == 0
            else f"{ending.days_left} day{'s' if ending.days_left > 1 else ''} left"
        )
        head = (
            f"rule set {ending.version} ends on {ending.ends} ({left}) and no rule set "
            f"follows it: registration forms will be refused from {ending.refused_from}."
        )
    following = ending.next_version or "NEXT"
    return (
        f"{head} Publish the next one: `upgradecamp rules draft {following} --from "
        f"{ending.version} --out {following}.toml`, edit the file, then `upgradecamp rules "
        f"publish {following}.toml` (or draft it on the TUI's rules screen)."
    )


@app.command("draft")
@handles_errors
def draft(
    next_quarter: Annotated[
        str, typer.Argument(metavar="NEXT", help="the new version, e.g. 2027Q1")
    ],
    source_version: Annotated[str, typer.Option("--from", help="the version to copy")],
    out: Annotated[Path, typer.Option("--out", help="the TOML file to write")],
    force: Annotated[bool, typer.Option("--force", help="overwrite --out if it exists")] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Copy a rule set under the next quarter's name and dates into a TOML file to edit and
    publish (from the database; from the fixture files where no database exists)."""
    from upgradecamp.cli.rule_source import find_version, load_rule_source
    from upgradecamp.domain.rule_quarters import draft_next
    from upgradecamp.io.rule_toml import rule_set_toml

    source = load_rule_source(db)
    copied = find_version(source, source_version)
    drafted = draft_next(copied, next_quarter, [r.version for r in source.rule_sets])
    if out.exists() and not force:
        fail(
            text("cli.file_exists", path=out),
            Exit.BAD_INPUT,
        )
    try:
        out.write_text(rule_set_toml(drafted, copied.version), encoding="utf-8")
    except OSError as exc:
        fail(text("cli.cannot_write", path=out, reason=exc.strerror), Exit.BAD_INPUT)
    doc = {
        "version": drafted.version,
        "effective_from": drafted.effective_from.isoformat(),
        "effective_to": drafted.effective_to.isoformat(),
        "from": copied.version,
        "out": str(out),
    }
    if json_out:
        emit_json(doc)
        return
    say(
        f"wrote {out}: {drafted.version} ({drafted.effective_from} → {drafted.effective_to}), "
        f"a copy of {copied.version}. Edit it, then: upgradecamp rules publish {out}"
    )


@app.command("publish")
@handles_errors
def publish(
    path: Annotated[Path, typer.Argument(help="rule set TOML file")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Publish a new rule set version (organizer, branch head); published ones never change."""
    from upgradecamp.domain.commands import PublishRuleSet
    from upgradecamp.domain.rules import load_rule_set

    rule_set = load_rule_set(path)
    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(
        PublishRuleSet(
            version=rule_set.version,
            effective_from=rule_set.effective_from.isoformat(),
            effective_to=rule_set.effective_to.isoformat(),
            rules=rule_set.to_payload(),
        ),
        actor,
    )
    if json_out:
        emit_json(result)
    else:
        say(
            f"published {result['version']} ({result['effective_from']} → {result['effective_to']})"
        )
