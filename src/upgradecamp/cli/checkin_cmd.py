"""`upgradecamp checkin SESSION (--code C | --client ID | --walk-in --name N --mobile M)`,
`checkin annul CHECKIN --reason R`, `checkin board SESSION`, `checkin search SESSION TEXT`,
`checkin recent SESSION` (SPEC §6).

`checkin SESSION …` is a command and `checkin annul …` a subcommand of the same group: the
group runs its hidden `in` command when the first word is not one of its subcommands (a
session id never is).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, read_pin, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, headers, print_table, say, text

CHECK_IN = "in"
OVERRIDE_PIN_ENV = "UPGRADECAMP_OVERRIDE_PIN"


class SessionFirstGroup(TyperGroup):
    """Reads `checkin SESSION …` as `checkin in SESSION …`; subcommands and --help as usual."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = [CHECK_IN, *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=SessionFirstGroup,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Check clients in at the door (签到): `checkin SESSION --code C`, `--client ID`, or "
    "`--walk-in --name N --mobile M`; annul, board, search and recent below.",
)

SessionArg = Annotated[str, typer.Argument(help="session id, e.g. B02-20261201-1500")]


def _check_in_line(r: dict[str, Any]) -> str:
    kind = "walk-in, new prospect" if r["prospect"] else "walk-in" if r["walk_in"] else "invited"
    extra = "".join(
        [
            f"; referred by {r['referred_by']}" if r["referred_by"] else "",
            f"; override by {r['override_by']}" if r["override_by"] else "",
        ]
    )
    return (
        f"checked in {r['name']} ({r['client_id']}, {kind}) as {r['checkin_id']} at "
        f"{r['at'][11:16]}{extra}"
    )


@app.command(CHECK_IN, hidden=True)
@handles_errors
def check_in(
    session_id: SessionArg,
    code: Annotated[
        str | None, typer.Option("--code", help="the invitation's check-in code")
    ] = None,
    client: Annotated[str | None, typer.Option("--client", help="client id (客户号)")] = None,
    walk_in: Annotated[
        bool,
        typer.Option(
            "--walk-in", help="a new prospect, not in the client register: give --name and --mobile"
        ),
    ] = False,
    name: Annotated[str | None, typer.Option("--name", help="the walk-in's name")] = None,
    mobile: Annotated[str | None, typer.Option("--mobile", help="the walk-in's mobile")] = None,
    referred_by: Annotated[
        str | None,
        typer.Option("--referred-by", help="client id of the client who brought them (referral)"),
    ] = None,
    override: Annotated[
        str | None,
        typer.Option(
            "--override",
            help="staff code of the organizer letting a walk-in in beyond capacity; "
            f"their PIN from {OVERRIDE_PIN_ENV} or a prompt",
        ),
    ] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Check a client in by code, client id, or as a walk-in prospect."""
    from upgradecamp.domain.commands import CheckIn
    from upgradecamp.domain.errors import BadInput

    prospect = bool(name or mobile)
    if prospect != walk_in and not (walk_in and client):
        raise BadInput(
            "a walk-in prospect needs --walk-in with --name and --mobile; a client "
            "already in the register is checked in with --client",
            "checkin_needs_one",
        )
    services = open_services(db)
    actor = sign_in(services, acting)
    pin = read_pin(OVERRIDE_PIN_ENV, f"PIN of {override} for the override") if override else None
    result = services.execute(
        CheckIn(
            session_id=session_id,
            code=code,
            client_id=client,
            prospect_name=name,
            prospect_mobile=mobile,
            referred_by=referred_by,
            override_code=override,
            override_pin=pin,
        ),
        actor,
    )
    if json_out:
        emit_json(result)
    else:
        say(_check_in_line(result))


@app.command("annul")
@handles_errors
def annul(
    checkin_id: Annotated[str, typer.Argument(help="check-in id, e.g. B02-20261201-1500-C003")],
    reason: Annotated[str, typer.Option("--reason", help="why it was made in error")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Annul a check-in made in error; it stays in the log with the reason."""
    from upgradecamp.domain.commands import AnnulCheckIn

    services = open_services(db)
    result = services.execute(
        AnnulCheckIn(checkin_id=checkin_id, reason=reason), sign_in(services, acting)
    )
    if json_out:
        emit_json(result)
    else:
        say(
            text(
                "cli_say.checkin_annulled",
                checkin=result["checkin_id"],
                client=result["client_id"],
                reason=result["reason"],
            )
        )


@app.command("board")
@handles_errors
def board_cmd(session_id: SessionArg, db: DbOption = None, json_out: JsonOption = False) -> None:
    """Expected, arrived, walk-ins and free seats of a session (counts only, no client data)."""
    from dataclasses import asdict

    from upgradecamp.domain.errors import NotFound
    from upgradecamp.queries.checkins import board

    services = open_services(db)
    data = board(services.engine, session_id)
    if data is None:
        raise NotFound(
            f"no session has the id '{session_id}'; see `upgradecamp sessions list`",
            "session_not_found",
            session=session_id,
        )
    # Counts only: the board needs no sign-in, so the waiting list's names stay out of it.
    counts = {k: v for k, v in asdict(data).items() if k != "waiting_list"}
    counts["waiting"] = len(data.waiting_list)
    if json_out:
        emit_json(counts)
        return
    say(f"{data.session_id}  {data.time}  {data.venue}  {data.theme}  {data.status}")
    say(
        f"expected {data.expected}  arrived {data.arrived} "
        f"(invited {data.invitees_arrived}, walk-ins {data.walk_ins})  still expected "
        f"{data.still_expected}  free seats {data.free_seats} of {data.capacity}"
        + (f"  waiting {counts['waiting']}" if counts["waiting"] else "")
    )
    if data.overrides or data.annulled:
        say(text("cli_say.board_overrides", overrides=data.overrides, annulled=data.annulled))


@app.command("search")
@handles_errors
def search_cmd(
    session_id: SessionArg,
    query: Annotated[
        str,
        typer.Argument(
            metavar="TEXT",
            help="check-in code, Chinese name, pinyin (zs, zhangs) or the mobile's last 4 digits",
        ),
    ],
    limit: Annotated[int, typer.Option("--limit", help="at most this many clients")] = 20,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Find clients as the desk's search field does; invitees of the session first."""
    from upgradecamp.domain.clock import today
    from upgradecamp.queries.search import search_clients

    services = open_services(db)
    sign_in(services, acting).require("clients.read", "search clients")
    rows = search_clients(
        services.engine, query, session_id=session_id, limit=limit, on=today(services.clock)
    )
    if json_out:
        emit_json(rows)
        return
    if not rows:
        typer.echo(text("cli_summary.nobody_matches", text=query), err=True)
        return
    print_table(
        headers("client", "name", "mobile", "tier", "invitation", "checked_in", "by"),
        [
            [
                r.client_id,
                r.name,
                r.mobile,
                r.tier_name or r.tier or "",
                r.invitation_state or text("cli_value.not_invited"),
                (r.checked_in_at or "")[11:16] if r.checked_in else "",
                (r.checked_in_by or "") if r.checked_in else "",
            ]
            for r in rows
        ],
    )


@app.command("recent")
@handles_errors
def recent_cmd(
    session_id: SessionArg,
    n: Annotated[int, typer.Option("-n", help="how many, newest first")] = 20,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """The session's latest check-ins (annulled ones with their reason)."""
    from upgradecamp.queries.checkins import recent_checkins

    services = open_services(db)
    sign_in(services, acting).require("clients.read", "see who checked in")
    rows = recent_checkins(services.engine, session_id, n)
    if json_out:
        emit_json(rows)
        return
    print_table(
        headers("checkin", "time", "client", "name", "mobile", "kind", "by", "terminal", "note"),
        [
            [
                r.checkin_id,
                r.time,
                r.client_id,
                r.name,
                r.mobile,
                text("cli_value.walk_in" if r.walk_in else "cli_value.invited"),
                r.by,
                r.terminal,
                text("cli_value.annulled", reason=r.annul_reason) if r.annulled else "",
            ]
            for r in rows
        ],
    )
