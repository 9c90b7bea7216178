"""`upgradecamp targets set|review`: marketers' monthly targets and results (EPE)."""

from __future__ import annotations

from typing import Annotated

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, say

app = typer.Typer(
    help="Marketers' monthly targets, and results against them (EPE).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
MonthOption = Annotated[str, typer.Option("--month", help="YYYY-MM")]


@app.command("set")
@handles_errors
def set_target(
    staff: Annotated[str, typer.Option("--staff", help="the marketer's code")],
    month: MonthOption,
    forms: Annotated[int | None, typer.Option("--forms")] = None,
    upgrades: Annotated[int | None, typer.Option("--upgrades")] = None,
    converted_aum: Annotated[
        str | None, typer.Option("--converted-aum", help="CNY of converted AUM to add")
    ] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Set (or change) a marketer's targets for a month."""
    from upgradecamp.domain.commands import SetTarget

    services = open_services(db)
    result = services.execute(
        SetTarget(
            staff=staff, month=month, forms=forms, upgrades=upgrades, converted_aum=converted_aum
        ),
        sign_in(services, acting),
    )
    if json_out:
        emit_json(result)
    else:
        say(
            f"{staff} {month}: forms {result['forms']}, upgrades {result['upgrades']}, "
            f"converted AUM {result['converted_aum']}"
        )


@app.command("review")
@handles_errors
def review(
    month: MonthOption,
    branch: Annotated[str | None, typer.Option("--branch")] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Results against targets, conversion (attended → form → approved) and follow-ups on
    time, ranked by conversion and follow-through."""
    from upgradecamp.queries.targets import marketer_review, review_json

    services = open_services(db)
    sign_in(services, acting).require("reports.read", "read the marketers' review")
    results = marketer_review(services.engine, month, services.clock(), branch)
    docs = [review_json(r, n) for n, r in enumerate(results, 1)]
    if json_out:
        emit_json(docs)
        return
    for d in docs:
        t, r, x = d["targets"], d["results"], d["rates"]
        say(
            f"{d['rank']:>2}. {d['staff']:<8} {d['name']:<6} forms {r['forms']}/{t['forms']} "
            f"upgrades {r['upgrades']}/{t['upgrades']} converted {r['converted_aum']}/"
            f"{t['converted_aum']}  attended→form {x['form']} form→approved {x['approval']} "
            f"conversion {x['conversion']} on time {x['on_time']}"
        )
