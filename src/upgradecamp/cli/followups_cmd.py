"""`upgradecamp followups list|done|reschedule|assign|create` (SPEC §6).

SPEC §6: `followups list [--assignee STAFF] [--session SESSION] [--status open|done] | done
FOLLOWUP --outcome O`. Follow-ups are created when a session closes; `create SESSION` makes
any still missing (e.g. for a session closed before follow-ups existed) and creates nothing
twice. Due dates are Shanghai business dates (YYYY-MM-DD).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import coded, emit_json, handles_errors, headers, print_table, say, text

if TYPE_CHECKING:
    from upgradecamp.queries.followups import FollowUpLine

app = typer.Typer(
    help="Follow-ups after a session (事后跟进): list, record outcomes, reschedule, reassign.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

FollowUpArg = Annotated[str, typer.Argument(help="follow-up id, e.g. B02-20261120-1500-IC-C000001")]
STATUSES = ("open", "done")


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
            "followup_bad_date",
            option=option,
            value=value,
        ) from None


def _cells(f: FollowUpLine) -> list[str]:
    note = " ".join(f.note.split()) if f.note else ""
    return [
        f.due or "",
        f.followup_id,
        f.kind,
        f.client_id,
        f.client_name,
        f.mobile,
        f.assignee,
        f.status if f.status == "open" else text("cli_value.done", outcome=f.outcome),
        str(f.attempts) if f.attempts else "",
        text("cli_value.overdue_days", days=f.days_overdue) if f.overdue else "",
        f.next_session_id or "",
        note,
    ]


def _emit_stream(items) -> int:
    """One JSON array, written as it is read (json.dumps(list, indent=2) would hold it all)."""
    count = 0
    for item in items:
        doc = json.dumps(item, ensure_ascii=False, indent=2)
        typer.echo(
            ("[\n" if count == 0 else ",\n") + "\n".join("  " + line for line in doc.splitlines()),
            nl=False,
        )
        count += 1
    typer.echo("\n]" if count else "[]")
    return count


@app.command("list")
@handles_errors
def list_(
    assignee: Annotated[str | None, typer.Option("--assignee", help="staff code")] = None,
    session: Annotated[str | None, typer.Option("--session", help="session id")] = None,
    status: Annotated[str | None, typer.Option("--status", help="open or done")] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="branch code, e.g. B02")] = None,
    due_from: Annotated[str | None, typer.Option("--due-from", help="YYYY-MM-DD")] = None,
    due_to: Annotated[str | None, typer.Option("--due-to", help="YYYY-MM-DD")] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Follow-ups by due date (overdue ones marked); masked mobiles."""
    from upgradecamp.domain.clock import business_date
    from upgradecamp.domain.errors import BadInput, PermissionDenied
    from upgradecamp.queries.followups import list_followups

    if status is not None and status not in STATUSES:
        raise BadInput(
            f"--status '{status}' is not a status; use open or done",
            "followup_bad_status",
            status=status,
        )
    start, end = _date(due_from, "--due-from"), _date(due_to, "--due-to")
    services = open_services(db)
    actor = sign_in(services, acting)
    if not (actor.may("followups.work") or actor.may("followups.manage")):
        raise PermissionDenied(
            f"{actor.code} ({actor.role}) may not read follow-ups; ask a "
            "marketer, an organizer or a branch head",
            "followup_may_not_read",
            staff=actor.code,
        )
    rows = list_followups(
        services.engine,
        session=session,
        branch=branch,
        assignee=assignee,
        status=status,
        due_from=start,
        due_to=end,
        today=business_date(services.clock()),
        viewer=actor,
    )
    if json_out:
        _emit_stream(asdict(row) for row in rows)
        return
    shown = list(rows)
    if not shown:
        say(text("cli_summary.no_followups"))
        return
    print_table(
        headers(
            "due",
            "followup",
            "kind",
            "client",
            "name",
            "mobile",
            "assignee",
            "state",
            "tries",
            "overdue",
            "next_session",
            "note",
        ),
        [_cells(row) for row in shown],
        [False] * 8 + [True, True, False, False],
    )
    overdue = sum(1 for row in shown if row.overdue)
    say(text("cli_summary.followups", count=len(shown), overdue=overdue))


def _run(db: str | None, acting: str | None, command_for, json_out: bool) -> dict[str, Any]:
    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(command_for(actor), actor)
    if json_out:
        emit_json(result)
    return result


@app.command("done")
@handles_errors
def done(
    followup_id: FollowUpArg,
    outcome: Annotated[
        str, typer.Option("--outcome", help="reached, not_reached, converted or declined")
    ],
    note: Annotated[str, typer.Option("--note", help="what was said or agreed")] = "",
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Record an outcome; not_reached keeps the follow-up open and counts a try."""
    from upgradecamp.domain.commands import RecordFollowUpOutcome

    result = _run(
        db,
        acting,
        lambda _a: RecordFollowUpOutcome(followup_id=followup_id, outcome=outcome, note=note),
        json_out,
    )
    if json_out:
        return
    if result["status"] == "open":
        say(
            text(
                "cli_say.followup_still_open",
                followup=followup_id,
                outcome=coded("followup_outcome", result["outcome"]),
                attempts=result["attempts"],
                due=result["due"],
            )
        )
    else:
        outcome = coded("followup_outcome", result["outcome"])
        say(text("cli_say.followup_closed", followup=followup_id, outcome=outcome))


@app.command("reschedule")
@handles_errors
def reschedule(
    followup_id: FollowUpArg,
    due: Annotated[str, typer.Option("--due", help="new due date YYYY-MM-DD, today or later")],
    reason: Annotated[str, typer.Option("--reason", help="why, e.g. asked for next week")] = "",
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Move a follow-up's due date."""
    from upgradecamp.domain.commands import RescheduleFollowUp

    result = _run(
        db,
        acting,
        lambda _a: RescheduleFollowUp(followup_id=followup_id, due=due, reason=reason),
        json_out,
    )
    if not json_out:
        unchanged = "" if result["changed"] else text("cli_say.followup_unchanged")
        say(
            text(
                "cli_say.followup_due", followup=followup_id, due=result["due"], unchanged=unchanged
            )
        )


@app.command("assign")
@handles_errors
def assign(
    followup_id: FollowUpArg,
    to: Annotated[str, typer.Option("--to", help="staff code of the new assignee")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Give a follow-up to another member of staff (organizers, branch heads, admins)."""
    from upgradecamp.domain.commands import ReassignFollowUp

    result = _run(
        db, acting, lambda _a: ReassignFollowUp(followup_id=followup_id, assignee=to), json_out
    )
    if not json_out:
        say(
            f"{followup_id}: assigned to {result['assignee']}"
            + ("" if result["changed"] else " (unchanged)")
        )


@app.command("create")
@handles_errors
def create(
    session_id: Annotated[str, typer.Argument(help="a closed session's id")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Create the follow-ups a closed session owes that are still missing."""
    from upgradecamp.domain.commands import CreateFollowUps

    result = _run(db, acting, lambda _a: CreateFollowUps(session_id=session_id), json_out)
    if json_out:
        return
    say(
        f"{session_id}: {result['created']} follow-up(s) created, "
        f"{result['already_there']} already there"
    )
    for f in result["followups"]:
        say(
            text(
                "cli_say.followup_created_line",
                followup=f["followup_id"],
                kind=coded("followup_kind", f["kind"]),
                assignee=f["assignee"],
                due=f["due"],
            )
        )
