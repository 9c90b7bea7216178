"""`upgradecamp invites build|export|outcome|list` (SPEC §6): invite lists and their waves."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, headers, print_table, say, text, warn

app = typer.Typer(
    help="Invite lists (邀约) and their waves: SMS file, call list, outcomes.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

SessionArg = Annotated[str, typer.Argument(help="session id, e.g. B02-20261201-1500")]


def _warn(lines: list[str]) -> None:
    for line in lines:
        warn(line)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


@app.command("build")
@handles_errors
def build(
    session_id: SessionArg,
    ratio: Annotated[
        str | None,
        typer.Argument(
            metavar="[RATIO]",
            show_default=False,
            help="after --mix: POTENTIAL:MID_HIGH weights, e.g. 3:1 (default 2:1)",
        ),
    ] = None,
    aum_min: Annotated[
        str | None, typer.Option("--aum-min", help="lowest AUM, CNY, included (default 50000)")
    ] = None,
    aum_max: Annotated[
        str | None,
        typer.Option("--aum-max", help="AUM from here on is left out, CNY (default 200000)"),
    ] = None,
    per_seat: Annotated[str, typer.Option("--per-seat", help="invitations per seat")] = "1.5",
    mix: Annotated[
        bool,
        typer.Option(
            "--mix",
            help="draw by segment instead of the AUM range: 2 potential : 1 mid-high "
            "unless a RATIO follows (e.g. --mix 3:1)",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="show the counts and who would be left out and why; record nothing"
        ),
    ] = False,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Choose clients by AUM (and segment mix) and issue invitations with check-in codes.

    With --mix each segment is drawn from its own clients instead of the AUM range.
    Left out: no marketing consent, unreachable, invited to another upcoming session, attended
    in the last 30 days, already on this list. A second build tops the list up.
    """
    from upgradecamp.domain.commands.invitations import BuildInviteList
    from upgradecamp.domain.errors import BadInput
    from upgradecamp.domain.invitations import DEFAULT_MIX, parse_mix

    if ratio is not None and not mix:
        raise BadInput(
            f"unexpected argument {ratio!r}; a ratio goes after --mix, e.g. --mix 2:1",
            "invite_bad_mix",
            mix=ratio,
        )
    if mix and (aum_min is not None or aum_max is not None):
        raise BadInput(
            "with --mix the segments decide who is drawn (potential 50,000 to "
            "199,999.99, mid-high 200,000 to 7,999,999.99); leave out --aum-min "
            "and --aum-max, or leave out --mix",
            "invite_bad_mix",
            mix=ratio or "2:1",
        )
    weights = (parse_mix(ratio) if ratio else dict(DEFAULT_MIX)) if mix else None
    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(
        BuildInviteList(
            session_id=session_id,
            aum_min=aum_min or "50000",
            aum_max=aum_max or "200000",
            per_seat=per_seat,
            mix=weights,
            dry_run=dry_run,
        ),
        actor,
    )
    _warn(result["warnings"])
    if json_out:
        emit_json(result)
        return
    _print_build(result)


def _print_build(result: dict[str, Any]) -> None:
    head = "dry run, nothing recorded: would issue" if result["dry_run"] else "issued"
    say(
        f"{result['session_id']}: {head} {result['issued']} of target {result['target']} "
        f"({result['already_invited']} already invited; {result['candidates']} client(s) in "
        f"range, {result['eligible']} eligible)"
    )
    if result["by_segment"]:
        say(text("cli_say.by_segment", counts=_counts(result["by_segment"])))
    say(text("cli_say.left_out", counts=_counts(result["excluded"])))
    for note in result["notes"]:
        say(text("cli_say.note", note=note))
    if result["dry_run"]:
        for c in result.get("excluded_clients", []):
            say(
                f"  {c['reason']:<18} {c['client_id']:<12} {c['name']}  {c['mobile']}  "
                f"{c['branch']}  {c['aum']}"
            )
        return
    for inv in result["invitations"]:
        say(f"  {inv['invitation_id']}  {inv['client_id']:<12} {inv['code']}  {inv['segment']}")


@app.command("export")
@handles_errors
def export(
    session_id: SessionArg,
    kind: Annotated[str, typer.Option("--kind", help="sms (bulk-SMS file) or calls (call list)")],
    out: Annotated[str, typer.Option("--out", help="CSV file to write (UTF-8 with BOM)")],
    masked: Annotated[
        bool,
        typer.Option("--masked", help="calls only: a printable list with mobiles as 138****5678"),
    ] = False,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Write the SMS file or the call list; the export is recorded (who, what, how many rows).

    Invitees without marketing consent, unreachable, or who declined are left out.
    """
    from upgradecamp.domain.commands.exports import ExportWaveFile

    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(
        ExportWaveFile(session_id=session_id, kind=kind, out=out, masked=masked), actor
    )
    if json_out:
        emit_json(result)
        return
    say(
        f"{result['rows']} row(s) written to {result['file']}"
        f"{' (mobiles masked)' if masked else ''}"
    )
    if result["left_out"]:
        typer.echo(f"left out: {_counts(result['left_out'])}", err=True)


@app.command("outcome")
@handles_errors
def outcome(
    invitation: Annotated[str, typer.Argument(help="invitation id, or its check-in code")],
    channel: Annotated[str, typer.Option("--channel", help="sms, call or wechat")],
    result: Annotated[
        str,
        typer.Option(
            "--result",
            help="sms: sent, opted_out · call: confirmed, declined, no_answer, "
            "wrong_number, call_back, opted_out, informed · wechat: added, "
            "opted_out",
        ),
    ],
    note: Annotated[str, typer.Option("--note", help="what the client said")] = "",
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Record one wave's result; a wrong number marks the client unreachable, an opt-out
    withdraws their marketing consent."""
    from upgradecamp.domain.commands.invitations import RecordInvitationOutcome

    services = open_services(db)
    actor = sign_in(services, acting)
    done = services.execute(
        RecordInvitationOutcome(invitation=invitation, channel=channel, result=result, note=note),
        actor,
    )
    if json_out:
        emit_json(done)
        return
    say(
        f"{done['invitation_id']}: {done['channel']} {done['result']} recorded; "
        f"state {done['state']}"
    )
    if done["client_marked_unreachable"]:
        say(text("cli_say.marked_unreachable", client=done["client_id"]))
    if done["consent_withdrawn"]:
        say(text("cli_say.consent_withdrawn", client=done["client_id"]))


@app.command("list")
@handles_errors
def list_cmd(
    session_id: SessionArg,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """A session's call list (mobiles masked): code, name, state, calls, last result."""
    from upgradecamp.domain.errors import NotFound
    from upgradecamp.queries.invitations import call_list, session_status

    services = open_services(db)
    actor = sign_in(services, acting)
    if not actor.may("followups.work"):
        actor.require("invites.manage", "read call lists")
    if session_status(services.engine, session_id) is None:
        raise NotFound(
            f"no session '{session_id}'; pick one from `upgradecamp sessions list`",
            "invite_unknown_session",
            session=session_id,
        )
    rows = call_list(services.engine, session_id)
    if json_out:
        emit_json(rows)
        return
    if not rows:
        typer.echo(
            f"no invitations yet; build the list with `upgradecamp invites build {session_id}`",
            err=True,
        )
        return
    # Aligned by cell width: a two-character Chinese name takes four cells, not two.
    header = headers(
        "invitation",
        "code",
        "client",
        "name",
        "mobile",
        "segment",
        "aum",
        "state",
        "calls",
        "last_result",
        "flags",
    )
    body = []
    for r in rows:
        flags = " ".join(
            f for f, on in (("wechat", r["wechat_added"]), ("to-tell", r["to_tell"])) if on
        )
        state = r["state"]
        if r.get("offer_seat"):
            state = f"offer seat (waiting #{r['waitlist_place']})"
        elif r.get("waitlist_place"):
            state = f"waiting #{r['waitlist_place']}"
        body.append(
            [
                r["invitation_id"],
                r["code"],
                r["client_id"],
                r["name"],
                r["mobile_masked"],
                r["segment"],
                r["aum"],
                state,
                str(r["calls"]),
                r["last_result"] or "-",
                flags,
            ]
        )
    right = [False] * 6 + [True, False, True, False, False]
    print_table(header, body, right)


def _paper_commands() -> None:
    from upgradecamp.cli.paper_cmd import cards

    app.command("cards")(cards)


_paper_commands()
