"""`upgradecamp forms submit|approve|reject|return|cancel|photo|list|queue|show|attendees`.

SPEC §6: `forms submit SESSION --client CLIENT_ID [--line PRODUCT:VALUE[:SOURCE]]...
[--action CODE]... [--appointment YYYY-MM-DD]` and `forms approve FORM | reject FORM --reason R
| return FORM --reason R | cancel FORM --reason R`. `approve` is signed with the PIN again:
from UPGRADECAMP_PIN (the signer's), or asked for a second time after signing in.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from upgradecamp.cli.common import (
    AsOption,
    DbOption,
    JsonOption,
    open_services,
    read_pin,
    sign_in,
)
from upgradecamp.cli.output import emit_json, handles_errors, say

app = typer.Typer(help="Registration forms (升级确认单): submit, approve, reject, return, cancel.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)

FormArg = Annotated[str, typer.Argument(help="form id, e.g. B02-20261120-1500-F01")]
ReasonOption = Annotated[str, typer.Option("--reason", help="why; its marketer reads it")]


def _run(db: str | None, acting: str | None, command_for, json_out: bool) -> dict[str, Any]:
    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(command_for(actor), actor)
    if json_out:
        emit_json(result)
    return result


@app.command("submit")
@handles_errors
def submit(
    session_id: Annotated[str, typer.Argument(help="session id, e.g. B02-20261120-1500")],
    client: Annotated[str, typer.Option("--client", help="client number (客户号)")],
    line: Annotated[list[str] | None, typer.Option(
        "--line", help="PRODUCT:VALUE[:SOURCE], e.g. fund:10000:new (repeat)")] = None,
    action: Annotated[list[str] | None, typer.Option(
        "--action", help="fixed action code, e.g. mobile_banking (repeat)")] = None,
    appointment: Annotated[str | None, typer.Option(
        "--appointment", help="YYYY-MM-DD the client booked to come back")] = None,
    form: Annotated[str | None, typer.Option(
        "--form", help="resubmit this returned form with the corrections")] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Put a form in the branch head's queue; suitability is checked first."""
    from upgradecamp.domain.commands import SubmitForm
    from upgradecamp.domain.forms import split_line_spec

    lines = tuple(split_line_spec(spec) for spec in line or ())
    result = _run(db, acting, lambda _actor: SubmitForm(
        session_id=session_id, client_id=client, lines=lines, actions=tuple(action or ()),
        appointment=appointment, form_id=form), json_out)
    if json_out:
        return
    calc = result["calculation"]
    resubmitted = f" (revision {result['revision']})" if result["revision"] else ""
    say(f"{result['form_id']} submitted{resubmitted}: {result['points']} points, converted "
        f"+{result['converted_delta']}, tier {result['tier_before']} → {result['tier_after']}"
        f"{', on site' if result['on_site'] else ''}; rule set {result['rule_set']}")
    for x in calc["lines"]:
        say(f"  {x['product']:<15} {x['source']:<10} {x['value']:>12}  "
            f"+{x['converted_delta']:>11}  {x['points']:>6}  {x['formula']}")
    for a in calc["actions"]:
        say(f"  {a['code']:<15} {'':<10} {'':>12}  {'':>12}  {a['points']:>6}  fixed action")
    if result["appointment"]:
        say(f"  appointment {result['appointment']}")
    if calc["next_tier"]:
        say(f"  {calc['gap']} short of {calc['next_tier']}")


@app.command("approve")
@handles_errors
def approve(form_id: FormArg, db: DbOption = None, acting: AsOption = None,
            json_out: JsonOption = False) -> None:
    """Approve (sign) a submitted form: credits its points, may start an experience period."""
    from upgradecamp.domain.commands import ApproveForm

    def command(_actor):
        pin = read_pin("UPGRADECAMP_PIN", f"PIN again to sign form {form_id}")
        return ApproveForm(form_id=form_id, pin=pin)

    result = _run(db, acting, command, json_out)
    if json_out:
        return
    say(f"{form_id} approved: {result['points']} points credited to {result['client_id']}, "
        f"tier {result['tier_before']} → {result['tier_after']}")
    if result["experience"]:
        say(f"  experience period started: {result['experience']}")
    for b in result["bonuses"]:
        say(f"  {b['kind']}: {b['points']} points to {b['client_id']}")


def _decision(verb: str, command_class: str):
    def run(form_id: FormArg, reason: ReasonOption, db: DbOption = None,
            acting: AsOption = None, json_out: JsonOption = False) -> None:
        from upgradecamp.domain import commands

        cls = getattr(commands, command_class)
        result = _run(db, acting, lambda _a: cls(form_id=form_id, reason=reason), json_out)
        if json_out:
            return
        say(f"{form_id} {result['status']}: {result['reason']}")
        if result.get("was_approved"):
            say(f"  {result['points_reversed']} points reversed")

    run.__doc__ = {
        "reject": "Reject a submitted form, with a reason; it stays rejected.",
        "return": "Return a submitted form to its marketer, with a reason, to fix and resubmit.",
        "cancel": "Withdraw a pending form (its marketer) or cancel an approved one (a branch "
                  "head; its points are reversed).",
    }[verb]
    return handles_errors(run)


app.command("reject")(_decision("reject", "RejectForm"))
app.command("return")(_decision("return", "ReturnForm"))
app.command("cancel")(_decision("cancel", "CancelForm"))


@app.command("photo")
@handles_errors
def photo(form_id: FormArg, db: DbOption = None, acting: AsOption = None,
          json_out: JsonOption = False) -> None:
    """Mark the photo (合影) of an approved form as taken."""
    from upgradecamp.domain.commands import MarkPhotoTaken

    result = _run(db, acting, lambda _a: MarkPhotoTaken(form_id=form_id), json_out)
    if not json_out:
        say(f"{form_id}: photo taken at {result['photo_at']}")


def _reader(db: str | None, acting: str | None):
    services = open_services(db)
    actor = sign_in(services, acting)
    actor.require("clients.read", "read registration forms")
    return services, actor


def _row(f: dict[str, Any]) -> str:
    when = (f["submitted_at"] or "")[:16].replace("T", " ")
    reason = f"  reason: {f['reason']}" if f["reason"] else ""
    return (f"{f['form_id']:<26} {f['status']:<9} {when}  {f['client_id']} "
            f"{f['client_name'] or ''} {f['mobile']}  {f['points']:>6} pts  "
            f"{f['tier_before']} → {f['tier_after']}  by {f['marketer']}{reason}")


@app.command("list")
@handles_errors
def list_cmd(
    status: Annotated[str | None, typer.Option(
        "--status", help="submitted, returned, approved, rejected or cancelled")] = None,
    session: Annotated[str | None, typer.Option("--session", help="session id")] = None,
    mine: Annotated[bool, typer.Option(
        "--mine", help="only my forms, returned ones first")] = False,
    branch: Annotated[str | None, typer.Option("--branch", help="sessions of this branch")] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Forms, newest first (with --mine: returned ones first, to fix)."""
    from upgradecamp.domain.errors import BadInput
    from upgradecamp.domain.forms import STATUSES
    from upgradecamp.queries.forms import list_forms, my_forms

    if status is not None and status not in STATUSES:
        raise BadInput(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    services, actor = _reader(db, acting)
    if mine:
        rows = [r for r in my_forms(services.engine, actor.code, status)
                if session is None or r["session_id"] == session]
        rows = [r for r in rows if branch is None or r["branch"] == branch]
    else:
        rows = list_forms(services.engine, status=status, session_id=session, branch=branch)
    if json_out:
        emit_json(rows)
        return
    if not rows:
        typer.echo("no forms match", err=True)
    for f in rows:
        say(_row(f))


@app.command("queue")
@handles_errors
def queue(branch: Annotated[str | None, typer.Option(
              "--branch", help="sessions of this branch (default: every branch)")] = None,
          db: DbOption = None, acting: AsOption = None, json_out: JsonOption = False) -> None:
    """The approval queue: submitted forms, first come first served."""
    from upgradecamp.queries.forms import approval_queue

    services, _actor = _reader(db, acting)
    rows = approval_queue(services.engine, branch=branch)
    if json_out:
        emit_json(rows)
        return
    if not rows:
        typer.echo("the queue is empty", err=True)
    for f in rows:
        say(_row(f))


@app.command("show")
@handles_errors
def show(form_id: FormArg, db: DbOption = None, acting: AsOption = None,
         json_out: JsonOption = False) -> None:
    """One form: lines with the calculation, tiers before and after, and its history."""
    from upgradecamp.domain.forms import not_found
    from upgradecamp.queries.forms import form_detail

    services, _actor = _reader(db, acting)
    data = form_detail(services.engine, form_id)
    if data is None:
        raise not_found(form_id)
    if json_out:
        emit_json(data)
        return
    say(f"{data['form_id']}  {data['status']}  revision {data['revision']}  "
        f"session {data['session_id']}")
    say(f"client:   {data['client_id']} {data['client_name']} {data['mobile']}  AUM {data['aum']}"
        f"  risk {data['risk_grade'] or '-'}")
    say(f"marketer: {data['marketer']} {data['marketer_name']}")
    say(f"tier:     {data['tier_before']} {data['tier_before_name']} → {data['tier_after']} "
        f"{data['tier_after_name']}")
    say(f"points:   {data['points']}  converted +{data['converted_delta']}"
        f"{'  on site' if data['on_site'] else ''}")
    calc = data["calculation"]
    if calc:
        for x in calc["lines"]:
            say(f"  {x['product']:<15} {x['source']:<10} {x['value']:>12}  ×{x['coefficient']}"
                f"  ×{x['multiplier']}  +{x['converted_delta']:>11}  {x['points']:>6}")
        for a in calc["actions"]:
            say(f"  {a['code']:<15} fixed action {a['points']:>6}")
    if data["appointment"]:
        say(f"appointment: {data['appointment']}")
    if data["reason"]:
        say(f"reason:   {data['reason']}")
    if data["photo_taken"]:
        say(f"photo:    taken {data['photo_at']}")
    for h in data["history"]:
        why = f": {h['reason']}" if h["reason"] else ""
        say(f"  {h['at'][:16].replace('T', ' ')}  {h['type']:<13} {h['by']} @{h['terminal']}{why}")


@app.command("attendees")
@handles_errors
def attendees_cmd(session_id: Annotated[str, typer.Argument(help="session id")],
                  db: DbOption = None, acting: AsOption = None,
                  json_out: JsonOption = False) -> None:
    """The clients checked in at a session and their forms there."""
    from upgradecamp.queries.forms import attendees

    services, _actor = _reader(db, acting)
    rows = attendees(services.engine, session_id)
    if json_out:
        emit_json(rows)
        return
    if not rows:
        typer.echo("nobody is checked in at this session", err=True)
    for a in rows:
        forms = ", ".join(f"{f['form_id']} {f['status']}" for f in a["forms"]) or "no form"
        say(f"{a['client_id']} {a['name']} {a['mobile']}  {a['tier']}  AUM {a['aum']}  "
            f"risk {a['risk_grade'] or '-'}  {forms}")
