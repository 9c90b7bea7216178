"""`upgradecamp forms submit|approve|reject|return|cancel|photo|list|queue|show|attendees`.

SPEC §6: `forms submit SESSION --client CLIENT_ID [--line PRODUCT:VALUE[:SOURCE]]...
[--action CODE]... [--appointment YYYY-MM-DD]` and `forms approve FORM | reject FORM --reason R
| return FORM --reason R | cancel FORM --reason R`. `approve` is signed with the PIN again:
from UPGRADECAMP_PIN (the signer's), or asked for a second time after signing in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from upgradecamp.cli.common import (
    AsOption,
    DbOption,
    JsonOption,
    open_services,
    read_pin,
    sign_in,
)
from upgradecamp.cli.output import (
    coded,
    emit_json,
    handles_errors,
    headers,
    print_table,
    say,
    text,
)
from upgradecamp.i18n import label

if TYPE_CHECKING:
    from upgradecamp.queries.forms import FormSummary

app = typer.Typer(
    help="Registration forms (升级确认单): submit, approve, reject, return, cancel.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

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
    line: Annotated[
        list[str] | None,
        typer.Option("--line", help="PRODUCT:VALUE[:SOURCE], e.g. fund:10000:new (repeat)"),
    ] = None,
    action: Annotated[
        list[str] | None,
        typer.Option("--action", help="fixed action code, e.g. mobile_banking (repeat)"),
    ] = None,
    appointment: Annotated[
        str | None, typer.Option("--appointment", help="YYYY-MM-DD the client booked to come back")
    ] = None,
    form: Annotated[
        str | None, typer.Option("--form", help="resubmit this returned form with the corrections")
    ] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Put a form in the branch head's queue; suitability is checked first."""
    from upgradecamp.domain.commands import SubmitForm
    from upgradecamp.domain.form_content import split_line_spec

    lines = tuple(split_line_spec(spec) for spec in line or ())
    result = _run(
        db,
        acting,
        lambda _actor: SubmitForm(
            session_id=session_id,
            client_id=client,
            lines=lines,
            actions=tuple(action or ()),
            appointment=appointment,
            form_id=form,
        ),
        json_out,
    )
    if json_out:
        return
    calc = result["calculation"]
    resubmitted = (
        text("cli_say.form_revision", revision=result["revision"]) if result["revision"] else ""
    )
    say(
        text(
            "cli_say.form_submitted",
            form=result["form_id"],
            resubmitted=resubmitted,
            points=result["points"],
            delta=result["converted_delta"],
            before=result["tier_before"],
            after=result["tier_after"],
            on_site=text("cli_say.form_on_site") if result["on_site"] else "",
            rule_set=result["rule_set"],
        )
    )
    for x in calc["lines"]:
        say(
            f"  {x['product']:<15} {x['source']:<10} {x['value']:>12}  "
            f"+{x['converted_delta']:>11}  {x['points']:>6}  {x['formula']}"
        )
    for a in calc["actions"]:
        say(text("cli_say.form_submit_action", code=a["code"], blank="", points=a["points"]))
    if result["appointment"]:
        say(text("cli_say.form_submit_appointment", date=result["appointment"]))
    if calc["next_tier"]:
        say(text("cli_say.form_gap", gap=calc["gap"], tier=calc["next_tier"]))


@app.command("approve")
@handles_errors
def approve(
    form_id: FormArg, db: DbOption = None, acting: AsOption = None, json_out: JsonOption = False
) -> None:
    """Approve (sign) a submitted form: credits its points, may start an experience period."""
    from upgradecamp.domain.commands import ApproveForm

    def command(_actor):
        pin = read_pin("UPGRADECAMP_PIN", f"PIN again to sign form {form_id}")
        return ApproveForm(form_id=form_id, pin=pin)

    result = _run(db, acting, command, json_out)
    if json_out:
        return
    say(
        text(
            "cli_say.form_approved",
            form=form_id,
            points=result["points"],
            client=result["client_id"],
            before=result["tier_before"],
            after=result["tier_after"],
        )
    )
    if result["experience"]:
        say(text("cli_say.form_experience", experience=result["experience"]))
    for b in result["bonuses"]:
        say(text("cli_say.form_bonus", kind=b["kind"], points=b["points"], client=b["client_id"]))


def _decision(verb: str, command_class: str):
    def run(
        form_id: FormArg,
        reason: ReasonOption,
        db: DbOption = None,
        acting: AsOption = None,
        json_out: JsonOption = False,
    ) -> None:
        from upgradecamp.domain import commands

        cls = getattr(commands, command_class)
        result = _run(db, acting, lambda _a: cls(form_id=form_id, reason=reason), json_out)
        if json_out:
            return
        say(
            text(
                "cli_say.form_decided",
                form=form_id,
                status=coded("form_status", result["status"]),
                reason=result["reason"],
            )
        )
        if result.get("was_approved"):
            say(text("cli_say.form_points_reversed", points=result["points_reversed"]))

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
def photo(
    form_id: FormArg, db: DbOption = None, acting: AsOption = None, json_out: JsonOption = False
) -> None:
    """Mark the photo (合影) of an approved form as taken."""
    from upgradecamp.domain.commands import MarkPhotoTaken

    result = _run(db, acting, lambda _a: MarkPhotoTaken(form_id=form_id), json_out)
    if not json_out:
        say(text("cli_say.form_photo_taken", form=form_id, at=result["photo_at"]))


def _reader(db: str | None, acting: str | None):
    services = open_services(db)
    actor = sign_in(services, acting)
    actor.require("clients.read", "read registration forms")
    return services, actor


def _print_forms(rows: list[FormSummary], empty: str) -> None:
    if not rows:
        typer.echo(text(empty), err=True)
        return
    print_table(
        headers(
            "form",
            "status",
            "submitted",
            "client",
            "name",
            "mobile",
            "points",
            "tiers",
            "marketer",
            "reason",
        ),
        [
            [
                f.form_id,
                label("form_status", f.status),
                (f.submitted_at or "")[:16].replace("T", " "),
                f.client_id,
                f.client_name or "",
                f.mobile,
                str(f.points),
                f"{f.tier_before} → {f.tier_after}",
                f.marketer,
                f.reason or "",
            ]
            for f in rows
        ],
        [False] * 6 + [True] + [False] * 3,
    )


@app.command("list")
@handles_errors
def list_cmd(
    status: Annotated[
        str | None,
        typer.Option("--status", help="submitted, returned, approved, rejected or cancelled"),
    ] = None,
    session: Annotated[str | None, typer.Option("--session", help="session id")] = None,
    mine: Annotated[
        bool, typer.Option("--mine", help="only my forms, returned ones first")
    ] = False,
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
        raise BadInput(
            f"unknown status {status!r}; use one of {', '.join(STATUSES)}",
            "forms_bad_status",
            status=str(status),
            known=", ".join(STATUSES),
        )
    services, actor = _reader(db, acting)
    if mine:
        rows = [
            r
            for r in my_forms(services.engine, actor.code, status)
            if session is None or r.session_id == session
        ]
        rows = [r for r in rows if branch is None or r.branch == branch]
    else:
        rows = list_forms(services.engine, status=status, session_id=session, branch=branch)
    if json_out:
        emit_json(rows)
        return
    _print_forms(rows, "cli_summary.no_forms")


@app.command("queue")
@handles_errors
def queue(
    branch: Annotated[
        str | None, typer.Option("--branch", help="sessions of this branch (default: every branch)")
    ] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """The approval queue: submitted forms, first come first served."""
    from upgradecamp.queries.forms import approval_queue

    services, _actor = _reader(db, acting)
    rows = approval_queue(services.engine, branch=branch)
    if json_out:
        emit_json(rows)
        return
    _print_forms(rows, "cli_summary.queue_empty")


@app.command("show")
@handles_errors
def show(
    form_id: FormArg, db: DbOption = None, acting: AsOption = None, json_out: JsonOption = False
) -> None:
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
    say(
        text(
            "cli_say.form_head",
            form=data.form_id,
            status=coded("form_status", data.status),
            revision=data.revision,
            session=data.session_id,
        )
    )
    say(
        text(
            "cli_say.form_client",
            client=data.client_id,
            name=data.client_name,
            mobile=data.mobile,
            aum=data.aum,
            risk=data.risk_grade or "-",
        )
    )
    say(text("cli_say.form_marketer", marketer=data.marketer, name=data.marketer_name))
    say(
        text(
            "cli_say.form_tiers",
            before=data.tier_before,
            before_name=data.tier_before_name,
            after=data.tier_after,
            after_name=data.tier_after_name,
        )
    )
    on_site = text("cli_say.form_show_on_site") if data.on_site else ""
    say(
        text(
            "cli_say.form_points",
            points=data.points,
            delta=data.converted_delta,
            on_site=on_site,
        )
    )
    calc = data.calculation
    if calc:
        for x in calc["lines"]:
            say(
                f"  {x['product']:<15} {x['source']:<10} {x['value']:>12}  ×{x['coefficient']}"
                f"  ×{x['multiplier']}  +{x['converted_delta']:>11}  {x['points']:>6}"
            )
        for a in calc["actions"]:
            say(text("cli_say.form_show_action", code=a["code"], points=a["points"]))
    if data.appointment:
        say(text("cli_say.form_appointment", date=data.appointment))
    if data.reason:
        say(text("cli_say.form_reason", reason=data.reason))
    if data.photo_taken:
        say(text("cli_say.form_photo", at=data.photo_at))
    for h in data.history:
        why = f": {h['reason']}" if h["reason"] else ""
        say(f"  {h['at'][:16].replace('T', ' ')}  {h['type']:<13} {h['by']} @{h['terminal']}{why}")


@app.command("attendees")
@handles_errors
def attendees_cmd(
    session_id: Annotated[str, typer.Argument(help="session id")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
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
        say(
            f"{a['client_id']} {a['name']} {a['mobile']}  {a['tier']}  AUM {a['aum']}  "
            f"risk {a['risk_grade'] or '-'}  {forms}"
        )
