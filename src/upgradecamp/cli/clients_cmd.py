"""`upgradecamp clients import|show|assign|book|holdings|forget` (SPEC §6)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import (
    Exit,
    coded,
    emit_json,
    handles_errors,
    headers,
    print_table,
    say,
    text,
)

app = typer.Typer(
    help="The client register: import the CRM export, look a client up.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _warn(message: str) -> None:
    typer.echo(message, err=True)


def summary(result: dict[str, Any]) -> str:
    """`registered 120, updated 3, unchanged 5,000` (or what a dry run would do)."""
    if result.get("dry_run"):
        return (
            f"would register {result['registered']:,}, update {result['updated']:,}, "
            f"leave {result['unchanged']:,} unchanged"
        )
    gone = len(result.get("left_out", ()))
    return (
        f"registered {result['registered']:,}, updated {result['updated']:,}, "
        f"unchanged {result['unchanged']:,}"
        + (f", left out {gone:,} forgotten client(s)" if gone else "")
    )


def left_out(result: dict[str, Any]) -> None:
    """The rows of forgotten clients an import left out, each by line (stderr, as notes)."""
    for row in result.get("left_out", ()):
        _warn(text("cli_say.note", note=row["text"]))


def line_list(lines: list[int], limit: int = 50) -> str:
    """Line numbers for one line of output; stderr lists every bad row anyway."""
    text = ", ".join(str(n) for n in lines[:limit])
    return text + (f" … and {len(lines) - limit} more" if len(lines) > limit else "")


@app.command("import")
@handles_errors
def import_clients(
    file: Annotated[
        Path,
        typer.Argument(
            help="CRM export: FILE.csv (UTF-8 or GB18030) or FILE.xlsx, English or Chinese headers"
        ),
    ],
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="check the file and say what would change; write nothing"),
    ] = False,
    good_rows_only: Annotated[
        bool,
        typer.Option(
            "--good-rows-only", help="import the good rows and skip the bad ones (listed)"
        ),
    ] = False,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Register new clients and update changed ones; any bad row stops the whole import.

    The first 50 problems are listed (line, column, value, reason) with a count, and every
    one goes to FILE.problems.csv beside the file (owner-only); nothing is imported (exit 2).

    With --good-rows-only the good rows are imported and the bad ones skipped (exit 0).

    Re-importing writes only what changed.
    """
    from upgradecamp.domain.client_import import problem_text
    from upgradecamp.domain.commands.clients import ImportClientFile
    from upgradecamp.domain.errors import BadInput

    services = open_services(db)
    actor = sign_in(services, acting)
    try:
        result = services.execute(
            ImportClientFile(path=str(file), good_rows_only=good_rows_only, dry_run=dry_run), actor
        )
    except BadInput as err:
        if json_out and err.code == "import_bad_rows":
            emit_json(
                {
                    "imported": False,
                    "error": err.code,
                    "bad_rows": err.params["count"],
                    "problems": err.params["problems"],
                    "problem_count": err.params["problem_count"],
                    "report": err.params.get("report"),
                }
            )
        raise
    problems: list[dict[str, Any]] = result["problems"]
    refused = bool(problems) and not good_rows_only
    if json_out:
        emit_json({"imported": not dry_run and not refused, **result})
    else:
        say(
            summary(result)
            + (
                f"; kept {result['kept_withdrawn']:,} withdrawn consent(s)"
                if result["kept_withdrawn"]
                else ""
            )
        )
        if problems and good_rows_only:
            skipped = result["skipped"]
            say(text("cli_say.client_skipped", count=len(skipped), lines=line_list(skipped)))
    left_out(result)
    for note in result["notes"]:
        _warn(text("cli_say.note", note=note))
    prefix = "skipped: " if good_rows_only else ""
    for p in problems:
        _warn(prefix + problem_text(p))
    more = result.get("problem_count", len(problems)) - len(problems)
    if more > 0:
        _warn(text("cli_say.client_more_problems", count=more))
    if result.get("report"):
        _warn(text("cli_say.client_problems_report", file=result["report"]))
    if refused:
        # Only a dry run gets here with bad rows: a real import raised before writing.
        lines = len(result["skipped"])
        _warn(
            f"error: {lines} bad row(s); fix them in the CRM export and check again, or "
            "import only the good rows with --good-rows-only"
        )
        raise typer.Exit(int(Exit.BAD_INPUT))


@app.command("show")
@handles_errors
def show(
    client_id: Annotated[str, typer.Argument(help="client number (客户号)")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """One client: masked mobile, ID last 4, branch, RM, AUM, segment, consent, contact."""
    from upgradecamp.domain.books import client_view
    from upgradecamp.domain.errors import NotFound
    from upgradecamp.queries.books import works_with
    from upgradecamp.queries.clients import client_card

    services = open_services(db)
    actor = sign_in(services, acting)
    actor.require("clients.read", "look clients up")
    card = client_card(services.engine, client_id)
    if card is None:
        raise NotFound(
            f"no client has the id '{client_id}'; check the client number",
            "unknown_client",
            client=client_id,
        )
    card, restricted = client_view(
        actor,
        card,
        actor.role == "marketer" and works_with(services.engine, actor.code, client_id),
    )
    if restricted:
        card = {k: card[k] for k in ("client_id", "name", "mobile", "branch", "rm")} | {
            "restricted": True
        }
        if json_out:
            emit_json(card)
            return
        say(
            text(
                "cli_say.client_restricted_head",
                client=card["client_id"],
                name=card["name"],
                mobile=card["mobile"],
                branch=card["branch"],
            )
        )
        say(text("cli_say.client_restricted", rm=card["rm"] or text("cli_say.client_none")))
        return
    if json_out:
        emit_json(card)
        return
    none = text("cli_say.client_none")
    consent = text(
        "cli_say.client_consent_yes"
        if card["marketing_consent"]
        else (
            "cli_say.client_consent_withdrawn"
            if card["consent_withdrawn"]
            else "cli_say.client_consent_no"
        )
    )
    risk = card["risk_grade"] or none
    if card["risk_expires"]:
        risk += text("cli_say.client_risk_valid_to", date=card["risk_expires"])
    rm = f"{card['rm']} {card['rm_name'] or ''}".rstrip() if card["rm"] else none
    branch = f"{card['branch']} {card['branch_name'] or ''}".rstrip()
    segment = coded("invite_builder.segment", card["segment"])
    say(f"{card['client_id']}  {card['name']}")
    say(text("cli_say.client_mobile", mobile=card["mobile"]))
    say(text("cli_say.client_id_last4", id_last4=card["id_last4"]))
    say(text("cli_say.client_branch", branch=branch))
    say(text("cli_say.client_rm", rm=rm))
    say(text("cli_say.client_aum", aum=_grouped(card["aum"]), segment=segment))
    say(text("cli_say.client_risk", risk=risk))
    say(text("cli_say.client_consent", consent=consent))
    contact = coded("export_value.contact_status", card["contact_status"])
    say(text("cli_say.client_contact", contact=contact))


def _grouped(amount: str) -> str:
    from decimal import Decimal

    return f"{Decimal(amount):,.2f}"


@app.command("assign")
@handles_errors
def assign(
    rm: Annotated[str, typer.Option("--rm", help="the relationship manager's staff code")],
    client: Annotated[
        list[str] | None, typer.Option("--client", help="client number (repeat)")
    ] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="every client of branch B")] = None,
    segment: Annotated[
        str | None,
        typer.Option("--segment", help="with --branch: long_tail, potential, mid_high or private"),
    ] = None,
    unassigned: Annotated[
        bool, typer.Option("--unassigned", help="with --branch: only clients without a manager")
    ] = False,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Give clients to a relationship manager (分客户); each change is an event."""
    from upgradecamp.domain.commands import AssignClients

    services = open_services(db)
    result = services.execute(
        AssignClients(
            rm=rm,
            client_ids=tuple(client or ()),
            branch=branch,
            segment=segment,
            unassigned=unassigned,
        ),
        sign_in(services, acting),
    )
    if json_out:
        emit_json(result)
    else:
        say(
            f"{result['assigned']} client(s) assigned to {rm}; {result['already']} were "
            "theirs already"
        )


@app.command("book")
@handles_errors
def book(
    rm: Annotated[str | None, typer.Option("--rm", help="whose book (default: yours)")] = None,
    search: Annotated[
        str, typer.Option("--search", help="name, pinyin, initials, mobile last 4")
    ] = "",
    branch: Annotated[
        str | None, typer.Option("--branch", help="counts per RM in branch B instead of one book")
    ] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """A relationship manager's clients (My clients), or counts per RM of a branch."""
    from upgradecamp.domain.errors import PermissionDenied
    from upgradecamp.queries.books import book_counts, my_clients

    services = open_services(db)
    actor = sign_in(services, acting)
    actor.require("clients.read", "look clients up")
    if branch:
        counts = book_counts(services.engine, branch)
        if json_out:
            emit_json([c.to_json() for c in counts])
            return
        print_table(
            headers("rm", "name", "clients", "potential", "aum"),
            [
                [
                    c.rm or text("cli_value.none"),
                    c.rm_name,
                    str(c.clients),
                    str(c.potential),
                    _grouped(c.aum),
                ]
                for c in counts
            ],
            [False, False, True, True, True],
        )
        return
    whose = rm or actor.code
    if whose != actor.code and actor.role == "marketer":
        raise PermissionDenied(
            f"{actor.code} sees their own book only; ask an organizer",
            "book_not_yours",
            staff=actor.code,
        )
    lines = my_clients(services.engine, whose, services.clock(), search, viewer=actor)
    if json_out:
        emit_json([line.to_json() for line in lines])
        return
    expired = text("cli_value.expired")
    print_table(
        headers(
            "client",
            "name",
            "mobile",
            "tier",
            "aum",
            "risk",
            "last_contact",
            "next_followup",
            "sessions",
        ),
        [
            [
                x.client_id,
                x.name,
                x.mobile,
                x.tier,
                _grouped(x.aum),
                f"{x.risk_grade or '-'} {x.risk_expires or ''}"
                + (f" {expired}" if x.risk_expired else ""),
                x.last_contact or "-",
                x.next_followup or "-",
                " ".join(x.upcoming_sessions),
            ]
            for x in lines
        ],
        [False] * 4 + [True] + [False] * 4,
    )
    say(text("cli_summary.clients", count=len(lines)))


@app.command("holdings")
@handles_errors
def holdings(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX: 客户号, 产品, 金额, 到期日")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check only")] = False,
    good_rows_only: Annotated[
        bool, typer.Option("--good-rows-only", help="import the good rows even if some are bad")
    ] = False,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Import holdings with maturity dates (for maturity calls); bad rows by line number."""
    from upgradecamp.domain.commands import ImportHoldings

    services = open_services(db)
    result = services.execute(
        ImportHoldings(path=str(file), dry_run=dry_run, good_rows_only=good_rows_only),
        sign_in(services, acting),
    )
    if json_out:
        emit_json(result)
        return
    for p in result["problems"]:
        _warn(text("cli_say.bad_row", line=p["line"], column=p["column"], reason=p["reason"]))
    left_out(result)
    verb = "would import" if dry_run else "imported"
    say(
        f"{verb} {result['good'] if dry_run else result['imported']} of {result['rows']} holding(s)"
    )


@app.command("forget")
@handles_errors
def forget(
    client_id: Annotated[str, typer.Argument(help="the client to forget (客户号)")],
    reason: Annotated[
        str, typer.Option("--reason", help="why, e.g. the client's written request; kept")
    ],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Forget a client (admin, PIN): their name, mobile, ID digits and notes become unreadable
    for good; their amounts and points stay in every report."""
    from upgradecamp.cli.privacy_cmd import warn_unscrubbed
    from upgradecamp.domain.commands import ForgetClient
    from upgradecamp.service.privacy import scrub

    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(ForgetClient(client_id=client_id, reason=reason), actor)
    warn_unscrubbed(scrub(services))
    if json_out:
        emit_json(result)
    else:
        say(
            f"forgot client {result['client_id']}: their personal data can no longer be read; "
            "their amounts and points stay"
        )
