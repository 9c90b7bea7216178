"""`upgradecamp sessions create|list|show|open|close|cancel|edit` (SPEC §6)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import (
    coded,
    emit_json,
    handles_errors,
    headers,
    print_table,
    say,
    text,
    warn,
)
from upgradecamp.i18n import label, theme_of

app = typer.Typer(
    help="Wealth upgrade sessions (财富升级会): plan, list, open, close, cancel.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

SessionArg = Annotated[str, typer.Argument(help="session id, e.g. B02-20261201-1500")]
StartOption = Annotated[
    str | None, typer.Option("--start", help='local start (Beijing time) "YYYY-MM-DD HH:MM"')
]
DurationOption = Annotated[int | None, typer.Option("--duration", help="minutes, 10-60")]
CapacityOption = Annotated[int | None, typer.Option("--capacity", help="seats, 1-20")]
VenueOption = Annotated[
    str | None, typer.Option("--venue", help="room, e.g. 贵宾室 (VIP room, the default) or 会议室")
]
ThemeOption = Annotated[str | None, typer.Option("--theme", help="default: the branch's theme")]
HostOption = Annotated[
    str | None,
    typer.Option("--host", help="staff code of the host (default: the branch's lobby manager)"),
]
PresenterOption = Annotated[
    str | None,
    typer.Option("--presenter", help="staff code of the presenter (default: a wealth manager)"),
]


def _line(s: dict[str, Any]) -> str:
    """One session on one line: id, local date and time, venue, theme, host and presenter."""
    from datetime import datetime, timedelta

    starts = datetime.fromisoformat(s["starts_at"])
    ends = starts + timedelta(minutes=s["duration_minutes"])
    return (
        f"{s['session_id']:<22} {starts:%Y-%m-%d %a %H:%M}–{ends:%H:%M}  {s['venue']}  "
        f"{s['theme']}  cap {s['capacity']}  host {s['host']}  presenter {s['presenter']}  "
        f"{s['status']}"
    )


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        warn(warning)


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


@app.command("create")
@handles_errors
def create(
    branch: Annotated[str, typer.Option("--branch", help="branch code, e.g. B02")],
    start: Annotated[
        str, typer.Option("--start", help='local start (Beijing time) "YYYY-MM-DD HH:MM"')
    ],
    duration: Annotated[int, typer.Option("--duration", help="minutes, 10-60")] = 40,
    capacity: Annotated[int, typer.Option("--capacity", help="seats, 1-20")] = 10,
    venue: VenueOption = None,
    theme: ThemeOption = None,
    host: HostOption = None,
    presenter: PresenterOption = None,
    weekly_on: Annotated[
        str | None, typer.Option("--weekly-on", help="weekdays of a weekly series, e.g. tue,thu")
    ] = None,
    weeks: Annotated[
        int,
        typer.Option(
            "--weeks",
            help="weeks the series runs, counting the week of --start (without --weekly-on: "
            "on the weekday of --start)",
        ),
    ] = 1,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Plan one session, or a weekly series (all or nothing); warns under 30 days' notice."""
    from upgradecamp.domain.commands import PlanSessions

    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(
        PlanSessions(
            branch=branch,
            start=start,
            duration_minutes=duration,
            capacity=capacity,
            venue=venue,
            theme=theme,
            host=host,
            presenter=presenter,
            weekly_on=(weekly_on,) if weekly_on else (),
            weeks=weeks,
        ),
        actor,
    )
    _warn(result["warnings"])
    if json_out:
        emit_json(result)
        return
    for s in result["sessions"]:
        say(_line(s))


@app.command("edit")
@handles_errors
def edit(
    session_id: SessionArg,
    start: StartOption = None,
    duration: DurationOption = None,
    capacity: CapacityOption = None,
    venue: VenueOption = None,
    theme: ThemeOption = None,
    host: HostOption = None,
    presenter: PresenterOption = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Change a planned session; options left out stay as they are."""
    from upgradecamp.domain.commands import ChangeSession

    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(
        ChangeSession(
            session_id=session_id,
            start=start,
            duration_minutes=duration,
            capacity=capacity,
            venue=venue,
            theme=theme,
            host=host,
            presenter=presenter,
        ),
        actor,
    )
    _warn(result["warnings"])
    if json_out:
        emit_json(result)
        return
    say(_line(result["session"]))
    changed = ", ".join(result["changed"])
    typer.echo(f"changed: {changed}" if changed else "nothing changed", err=True)


@app.command("list")
@handles_errors
def list_cmd(
    from_: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD (default today)")] = None,
    to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD, inclusive")] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="branch code")] = None,
    all_: Annotated[bool, typer.Option("--all", help="include cancelled sessions")] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Sessions from today on (or --from/--to), with their counts; no client data."""
    from upgradecamp.domain.clock import business_date
    from upgradecamp.queries.sessions import list_sessions

    services = open_services(db)
    start = _date(from_, "--from") or business_date(services.clock())
    rows = list_sessions(
        services.engine, start=start, end=_date(to, "--to"), branch=branch, include_cancelled=all_
    )
    if json_out:
        emit_json(rows)
        return
    if not rows:
        typer.echo(text("cli_summary.no_sessions"), err=True)
        return
    print_table(
        headers(
            "session",
            "date",
            "time",
            "venue",
            "theme",
            "status",
            "invited",
            "confirmed",
            "attended",
            "host",
            "presenter",
        ),
        [
            [
                s["session_id"],
                s["date"],
                f"{s['time']}–{s['end_time']}",
                s["venue"],
                theme_of(s),
                label("session_status", s["status"]),
                str(s["invited"]),
                str(s["confirmed"]),
                f"{s['attended']}/{s['capacity']}",
                s["host_name"] or "",
                s["presenter_name"] or "",
            ]
            for s in rows
        ],
        [False] * 6 + [True] * 3 + [False] * 2,
    )


@app.command("show")
@handles_errors
def show(
    session_id: SessionArg,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """One session: plan, counts, invitations by state, and invitees still to be told."""
    from upgradecamp.domain.errors import NotFound
    from upgradecamp.queries.sessions import session_detail

    services = open_services(db)
    sign_in(services, acting).require("clients.read", "see a session's invitees")
    data = session_detail(services.engine, session_id)
    if data is None:
        raise NotFound(
            f"no session has the id '{session_id}'; see `upgradecamp sessions list`",
            "session_not_found",
            session=session_id,
        )
    if json_out:
        emit_json(data)
        return
    status = coded("session_status", data["status"])
    say(
        text(
            "cli_say.session_head",
            session=data["session_id"],
            branch=data["branch"],
            branch_name=data["branch_name"],
            status=status,
        )
    )
    if data["cancel_reason"]:
        say(text("cli_say.session_cancelled_because", reason=data["cancel_reason"]))
    say(
        text(
            "cli_say.session_when",
            date=data["date"],
            time=data["time"],
            end=data["end_time"],
            minutes=data["duration_minutes"],
        )
    )
    say(text("cli_say.session_venue", venue=data["venue"], capacity=data["capacity"]))
    say(text("cli_say.session_theme", theme=data["theme"]))
    say(text("cli_say.session_host", host=data["host"], name=data["host_name"]))
    say(text("cli_say.session_presenter", presenter=data["presenter"], name=data["presenter_name"]))
    if data["series_id"]:
        say(text("cli_say.session_series", series=data["series_id"]))
    say(
        text(
            "cli_say.session_counts",
            invited=data["invited"],
            confirmed=data["confirmed"],
            attended=data["attended"],
            walk_ins=data["walk_ins"],
        )
    )
    states = ", ".join(
        f"{coded('call_list.state', k)} {v}" for k, v in data["invitations"].items()
    ) or text("cli_say.session_no_invitations")
    say(text("cli_say.session_invitations", states=states))
    if data["to_tell"]:
        say(text("cli_say.session_to_tell", count=len(data["to_tell"])))
        for p in data["to_tell"]:
            say(f"  {p['invitation_id']}  {p['client_id']}  {p['name']}  {p['mobile']}")


@app.command("open")
@handles_errors
def open_cmd(
    session_id: SessionArg,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Start check-in (on the session's day)."""
    from upgradecamp.domain.commands import OpenSession

    services = open_services(db)
    result = services.execute(OpenSession(session_id=session_id), sign_in(services, acting))
    if json_out:
        emit_json(result)
    else:
        say(text("cli_say.session_opened", session=result["session_id"]))


@app.command("close")
@handles_errors
def close_cmd(
    session_id: SessionArg,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """End an open session; follow-ups are created from here."""
    from upgradecamp.domain.commands import CloseSession

    services = open_services(db)
    result = services.execute(CloseSession(session_id=session_id), sign_in(services, acting))
    if json_out:
        emit_json(result)
    else:
        say(text("cli_say.session_closed", session=result["session_id"]))


@app.command("cancel")
@handles_errors
def cancel_cmd(
    session_id: SessionArg,
    reason: Annotated[str, typer.Option("--reason", help="why; invitees are told")],
    sms_out: Annotated[
        str | None,
        typer.Option(
            "--sms-out",
            help="also write the cancellation SMS file (CSV) for the "
            "invitees to tell; recorded as an export",
        ),
    ] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Cancel a planned or open session; lists the invitations whose clients must be told.

    Each confirmed invitee gets a call on the follow-up list, offering the branch's next
    planned session; --sms-out writes the SMS file for every invitee to tell.
    """
    from upgradecamp.cli.paper_cmd import cancellation_calls, check_sms_out, print_sms
    from upgradecamp.domain.commands import CancelSession

    check_sms_out(sms_out)
    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(CancelSession(session_id=session_id, reason=reason), actor)
    result = {**result, "calls": cancellation_calls(services, session_id)}
    if sms_out is not None:
        from upgradecamp.domain.commands.exports import ExportCancellationSms

        result["sms"] = services.execute(
            ExportCancellationSms(session_id=session_id, out=sms_out), actor
        )
    if json_out:
        emit_json(result)
        return
    say(text("cli_say.session_cancelled", session=result["session_id"], reason=result["reason"]))
    n = len(result["to_tell"])
    see = text("cli_say.session_see", session=result["session_id"]) if n else ""
    say(text("cli_say.session_invitees_to_tell", count=n, see=see))
    if result["calls"]:
        say(text("cli_say.session_calls", count=len(result["calls"])))
    if sms_out is not None:
        print_sms(result["sms"])


def _paper_commands() -> None:
    from upgradecamp.cli.paper_cmd import brief

    app.command("brief")(brief)


_paper_commands()
