"""`upgradecamp report session SESSION | campaign [--from D --to D] [--branch B]` (SPEC §4.6).

Invited, confirmed, attended and the attendance rate, walk-ins, forms, approved, appointments,
amounts subscribed by product, converted AUM added, tier upgrades and points credited, per
branch, per marketer and for the cluster (what each counts: `domain/reports.py`). As aligned
tables, one JSON document (`--json`), or an XLSX workbook with a sheet per view
(`--format xlsx --out FILE`). A report names staff and branches, never a client, so writing it
to a file is not an export of personal data and is not recorded as one.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, say, text
from upgradecamp.cli.report_text import text_report
from upgradecamp.cli.report_xlsx import write_workbook

app = typer.Typer(
    help="Reports (报表) of a session or a campaign: the funnel, amounts, points.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

FORMATS = ("text", "json", "xlsx")
FormatOption = Annotated[str, typer.Option("--format", help="text (default), json or xlsx")]
OutOption = Annotated[str | None, typer.Option("--out", help="the XLSX file to write")]


# -- the commands ----------------------------------------------------------------------------------
@app.command("session")
@handles_errors
def session(
    session_id: Annotated[str, typer.Argument(help="session id, e.g. B02-20261201-1500")],
    fmt: FormatOption = "text",
    out: OutOption = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """One session's figures, per branch, per marketer, and by product."""
    from upgradecamp.queries.reports import session_report

    fmt = _format(fmt, json_out, out)
    services = open_services(db)
    sign_in(services, acting).require("reports.read", "read reports")
    _emit(session_report(services.engine, session_id, services.clock()), fmt, out)


@app.command("campaign")
@handles_errors
def campaign(
    from_: Annotated[
        str | None,
        typer.Option("--from", help="first day YYYY-MM-DD (default: 29 days before --to)"),
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="last day YYYY-MM-DD, included (default: today)")
    ] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="one branch, e.g. B02")] = None,
    fmt: FormatOption = "text",
    out: OutOption = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """The sessions starting within the dates (Beijing time): per session, per branch, per
    marketer, and for the cluster."""
    from upgradecamp.domain.clock import business_date
    from upgradecamp.queries.reports import campaign_report

    fmt = _format(fmt, json_out, out)
    start, end = _date(from_, "--from"), _date(to, "--to")
    services = open_services(db)
    sign_in(services, acting).require("reports.read", "read reports")
    now = services.clock()
    _emit(
        campaign_report(
            services.engine, today=business_date(now), start=start, end=end, branch=branch, now=now
        ),
        fmt,
        out,
    )


def _format(fmt: str, json_out: bool, out: str | None) -> str:
    from upgradecamp.domain.errors import BadInput

    fmt = "json" if json_out else fmt.strip().lower()
    if fmt not in FORMATS:
        raise BadInput(
            f"--format {fmt!r}: use text, json or xlsx", "report_bad_format", fmt=repr(fmt)
        )
    if fmt == "xlsx" and not out:
        raise BadInput(
            "--format xlsx needs --out FILE.xlsx (the workbook to write)", "report_xlsx_needs_out"
        )
    if out and fmt != "xlsx":
        raise BadInput(
            "--out is for --format xlsx; text and --json print to the terminal",
            "report_out_needs_xlsx",
        )
    return fmt


def _date(value: str | None, option: str):
    from datetime import date

    from upgradecamp.domain.errors import BadInput

    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(
            f"{option} '{value}' is not a date; write it as YYYY-MM-DD",
            "option_not_a_date",
            option=option,
            value=value,
        ) from None


def _emit(doc: dict[str, Any], fmt: str, out: str | None) -> None:
    if fmt == "json":
        emit_json(doc)
    elif fmt == "xlsx":
        assert out is not None
        sheets = write_workbook(doc, out)
        typer.echo(f"wrote {out}: sheets {', '.join(sheets)}", err=True)
    else:
        say("\n".join(text_report(doc)))


@app.command("followups")
@handles_errors
def followups(
    from_: Annotated[str | None, typer.Option("--from", help="due from YYYY-MM-DD")] = None,
    to: Annotated[str | None, typer.Option("--to", help="due to YYYY-MM-DD")] = None,
    branch: Annotated[str | None, typer.Option("--branch")] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Follow-ups open and done by kind: session follow-ups, complaints and the tier plans'
    maintenance calls (maturity, experience ending, dormant)."""
    from upgradecamp.domain.rules import business_date
    from upgradecamp.queries.followups import followup_counts

    services = open_services(db)
    sign_in(services, acting).require("reports.read", "read reports")
    counts = followup_counts(
        services.engine,
        today=business_date(services.clock()),
        branch=branch,
        due_from=from_,
        due_to=to,
    )
    if json_out:
        emit_json(counts)
        return
    say(
        f"follow-ups: {counts['total']} ({counts['open']} open, {counts['done']} done, "
        f"{counts['overdue']} overdue)"
    )
    for kind, n in counts["by_kind"].items():
        say(text("cli_say.followups_by_kind", kind=f"{kind:<22}", open=n["open"], done=n["done"]))
