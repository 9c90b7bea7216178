"""`upgradecamp feedback add|report|complaints`: attendees' feedback forms (满意度反馈)."""

from __future__ import annotations

from typing import Annotated

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, say, text

app = typer.Typer(
    help="Feedback forms: satisfaction scores, comments and complaints.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.command("add")
@handles_errors
def add(
    session_id: Annotated[str, typer.Argument(help="session id, e.g. B02-20261120-1500")],
    client: Annotated[str, typer.Option("--client", help="client number (客户号)")],
    score: Annotated[int, typer.Option("--score", help="1 (poor) to 5 (excellent)")],
    comment: Annotated[str, typer.Option("--comment", help="what the client said")] = "",
    complaint: Annotated[
        str, typer.Option("--complaint", help="a complaint: the branch head follows it up urgently")
    ] = "",
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Record one attendee's feedback; a complaint creates the branch head's follow-up."""
    from upgradecamp.domain.commands import GiveFeedback

    services = open_services(db)
    result = services.execute(
        GiveFeedback(
            session_id=session_id,
            client_id=client,
            score=score,
            comment=comment,
            complaint=complaint,
        ),
        sign_in(services, acting),
    )
    if json_out:
        emit_json(result)
        return
    say(text("cli_say.feedback_given", client=client, session=session_id, score=score))
    if result["followup"]:
        f = result["followup"]
        say(
            text(
                "cli_say.complaint_followup",
                followup=f["followup_id"],
                assignee=f["assignee"],
                due=f["due"],
            )
        )


@app.command("report")
@handles_errors
def report(
    by: Annotated[str, typer.Option("--by", help="session, branch or presenter")] = "session",
    start: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
    branch: Annotated[str | None, typer.Option("--branch")] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Satisfaction per session, branch or presenter, with complaints open and closed."""
    from datetime import date

    from upgradecamp.domain.errors import BadInput
    from upgradecamp.queries.feedback import GROUPS, satisfaction

    if by not in GROUPS:
        raise BadInput(
            f"--by {by!r}: use session, branch or presenter", "feedback_bad_by", by=str(by)
        )
    try:
        first = date.fromisoformat(start) if start else None
        last = date.fromisoformat(end) if end else None
    except ValueError:
        raise BadInput("--from and --to are dates, YYYY-MM-DD", "feedback_bad_dates") from None
    services = open_services(db)
    sign_in(services, acting).require("reports.read", "read reports")
    lines = satisfaction(services.engine, by, first, last, branch)
    if json_out:
        emit_json([x.to_json() for x in lines])
        return
    for x in lines:
        say(
            f"{x.key:<20} {x.forms:>4} forms  average {x.average}  complaints {x.complaints} "
            f"({x.complaints_open} open, {x.complaints_closed} closed)"
        )


@app.command("complaints")
@handles_errors
def complaints_list(
    status: Annotated[str | None, typer.Option("--status", help="open or done")] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Every complaint with the follow-up that answers it."""
    from upgradecamp.queries.feedback import complaints

    services = open_services(db)
    sign_in(services, acting).require("reports.read", "read complaints")
    lines = complaints(services.engine, status)
    if json_out:
        emit_json([x.to_json() for x in lines])
        return
    for x in lines:
        say(f"{x.due} {x.status:<5} {x.followup_id} {x.assignee}  {x.complaint}")
