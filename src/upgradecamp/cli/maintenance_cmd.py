"""`upgradecamp maintenance run|export`: the tier service plans (贵宾客户服务方案)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, say
from upgradecamp.i18n import localized

app = typer.Typer(
    help="Tier service plans: the day's maintenance calls, a tier's SMS list.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.command("run")
@handles_errors
def run(
    on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (default today)")] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Create the calls the plans owe that day (daily; running it twice changes nothing)."""
    from upgradecamp.domain.commands import RunMaintenance

    services = open_services(db)
    result = services.execute(RunMaintenance(on=on), sign_in(services, acting))
    if json_out:
        emit_json(result)
        return
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(result["by_kind"].items())) or "none"
    say(
        f"{result['on']}: {result['created']} call(s) created ({kinds}); "
        f"{result['already_there']} already there; {result['without_rm']} owed to clients "
        f"without an RM, {result['without_consent']} left out without marketing consent"
    )
    for push in result["pushes"]:
        say(push_line(push))


def push_line(push: dict[str, Any]) -> str:
    """`silver 银卡贵宾月度权益 (monthly): due for 2026-11; next 2026-12-01`."""
    state = f"due for {push['period']}" if push["due"] else f"not due in {push['period']}"
    return (
        f"  SMS push {push['tier']} {localized(push['theme'], push.get('theme_en'))} "
        f"({push['frequency']}): {state}; "
        f"next {push['next_due']}"
    )


@app.command("export")
@handles_errors
def export(
    tier: Annotated[str, typer.Option("--tier", help="tier code, e.g. silver")],
    out: Annotated[str, typer.Option("--out", help="the CSV to write")],
    kind: Annotated[str, typer.Option("--kind", help="sms")] = "sms",
    on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (default today)")] = None,
    again: Annotated[
        bool, typer.Option("--again", help="a second list in the same month or quarter")
    ] = False,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """A tier's push list, like the invitation SMS file (consenting, reachable clients), once
    a month or, for a quarterly theme, in the first month of each quarter."""
    from upgradecamp.domain.commands import ExportTierSms

    services = open_services(db)
    result = services.execute(
        ExportTierSms(tier=tier, out=out, kind=kind, on=on, again=again),
        sign_in(services, acting),
    )
    if json_out:
        emit_json(result)
    else:
        say(
            f"{result['rows']} SMS for {tier} "
            f"({localized(result['theme'], result.get('theme_en'))}, {result['frequency']}, "
            f"{result['period']}) written to {out}; the next is due on {result['next_due']}"
        )
