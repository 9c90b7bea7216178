"""`upgradecamp sessions brief`, `invites cards` and `sessions cancel --sms-out`: the session's
paper (SPEC §6). Registered on the sessions and invites groups; each prints where the file
went, and every file is recorded as an export of personal data."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, say, text

SessionArg = Annotated[str, typer.Argument(help="session id, e.g. B02-20261201-1500")]


@handles_errors
def brief(
    session_id: SessionArg,
    out: Annotated[
        str, typer.Option("--out", help="HTML file to write (A4, print from a browser)")
    ],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """The session briefing (活动简报): host and presenter, the agenda on its clock, the
    benefits package, the confirmed attendees (mobiles masked) and the materials checklist.
    The export is recorded (who, what, how many rows)."""
    from upgradecamp.domain.commands.exports import PrintBrief

    services = open_services(db)
    result = services.execute(PrintBrief(session_id=session_id, out=out), sign_in(services, acting))
    if json_out:
        emit_json(result)
        return
    say(
        f"briefing of {session_id} written to {result['file']} "
        f"({result['attendees']} confirmed attendee(s))"
    )


@handles_errors
def cards(
    session_id: SessionArg,
    out: Annotated[str, typer.Option("--out", help="HTML file to write (four cards per A4)")],
    png: Annotated[
        str | None,
        typer.Option(
            "--png",
            help="folder for one QR-code PNG per invitee (to send through WeChat), "
            "named by invitation id",
        ),
    ] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Invitation cards (邀请函) for the confirmed invitees: surname and title, time, place,
    theme, and the check-in code in large type and as a QR code. The export is recorded."""
    from upgradecamp.domain.commands.exports import PrintCards

    services = open_services(db)
    result = services.execute(
        PrintCards(session_id=session_id, out=out, png_dir=png), sign_in(services, acting)
    )
    if json_out:
        emit_json(result)
        return
    say(
        text(
            "cli_say.cards_written", count=result["cards"], session=session_id, file=result["file"]
        )
    )
    if result["png_dir"]:
        say(text("cli_say.pngs_written", count=len(result["pngs"]), folder=result["png_dir"]))


def cancellation_calls(services: Any, session_id: str) -> list[dict[str, Any]]:
    """The calls cancelling created (followup_id, client_id, assignee, due, next_session_id)."""
    from upgradecamp.domain.followups import CANCEL_CALL
    from upgradecamp.queries.followups import list_followups

    return [
        {
            "followup_id": f.followup_id,
            "client_id": f.client_id,
            "assignee": f.assignee,
            "due": f.due,
            "next_session_id": f.next_session_id,
        }
        for f in list_followups(services.engine, session=session_id)
        if f.kind == CANCEL_CALL
    ]


def print_sms(result: dict[str, Any]) -> None:
    say(text("cli_say.cancel_sms_written", count=result["rows"], file=result["file"]))
    if result["left_out"]:
        left = ", ".join(f"{k} {v}" for k, v in result["left_out"].items())
        typer.echo(f"left out: {left} (their relationship manager calls them)", err=True)


def check_sms_out(sms_out: str | None) -> None:
    """Refuse a --sms-out whose folder is missing before the session is cancelled."""
    if sms_out is None:
        return
    from pathlib import Path

    from upgradecamp.domain.errors import BadInput

    folder = Path(sms_out).parent
    if str(folder) and not folder.is_dir():
        raise BadInput(
            f"--sms-out {sms_out}: the folder {folder} does not exist; create it "
            "or choose another file (nothing was cancelled)",
            "export_no_folder",
            file=sms_out,
        )
