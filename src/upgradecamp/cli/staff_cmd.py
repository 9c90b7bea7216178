"""`upgradecamp staff add|list|unlock|reset-pin|deactivate|edit`: accounts, an admin's work."""

from __future__ import annotations

from typing import Annotated

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, read_pin, sign_in
from upgradecamp.cli.output import (
    Exit,
    coded,
    emit_json,
    fail,
    handles_errors,
    headers,
    print_table,
    say,
    text,
)
from upgradecamp.i18n import label

app = typer.Typer(
    help="Staff accounts, roles and PINs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.command("add")
@handles_errors
def add(
    code: Annotated[str, typer.Argument(help="staff code, e.g. B02-MK1")],
    name: Annotated[str, typer.Option("--name", help="full name")],
    role: Annotated[
        str, typer.Option("--role", help="organizer|checkin|marketer|branch_head|admin")
    ],
    branch: Annotated[str, typer.Option("--branch", help="branch code, e.g. B01")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add a staff member; their PIN comes from UPGRADECAMP_NEW_PIN or a prompt."""
    from upgradecamp.domain.commands import AddStaff

    services = open_services(db)
    actor = sign_in(services, acting)
    pin = read_pin("UPGRADECAMP_NEW_PIN", text("cli.new_pin_for", staff=code), confirm=True)
    result = services.execute(
        AddStaff(code=code, name=name, role=role, branch=branch, pin=pin), actor
    )
    if json_out:
        emit_json(result)
    else:
        say(
            text(
                "cli_say.staff_added",
                code=result["code"],
                name=result["name"],
                role=coded("role", result["role"]),
                branch=result["branch"],
            )
        )


@app.command("list")
@handles_errors
def list_staff(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Everyone with role, branch, lock, last sign-in; deactivated members too (no PINs)."""
    from upgradecamp.queries.staff import staff_accounts

    services = open_services(db)
    rows = staff_accounts(services.engine, services.clock())
    if json_out:
        emit_json([r.as_json() for r in rows])
        return
    print_table(
        headers("code", "branch", "role", "name", "state"),
        [[r.code, r.branch, label("role", r.role), r.name, _account_state(r)] for r in rows],
    )


def _account_state(account) -> str:
    from upgradecamp.domain.clock import local_minute as local

    if not account.active:
        return text(
            "cli_value.deactivated",
            at=local(account.deactivated_at),
            reason=account.deactivated_reason,
        )
    seen = local(account.last_signed_in) if account.last_signed_in else text("cli_value.never")
    lock = (
        text("cli_value.locked_until", until=local(account.locked_until)[-5:])
        if account.locked_until
        else ""
    )
    return lock + text("cli_value.last_sign_in", at=seen)


@app.command("unlock")
@handles_errors
def unlock(
    code: Annotated[str, typer.Argument(help="the locked member's staff code")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Lift a lockout after 5 wrong PINs (admin); the member can sign in at once."""
    from upgradecamp.domain.commands import UnlockStaff

    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(UnlockStaff(code=code), actor)
    if json_out:
        emit_json(result)
    else:
        say(text("cli_say.staff_unlocked", code=code))


@app.command("reset-pin")
@handles_errors
def reset_pin(
    code: Annotated[str, typer.Argument(help="staff code")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Set a new PIN (admin): from UPGRADECAMP_NEW_PIN or asked twice; also ends a lockout."""
    from upgradecamp.domain.commands import ResetStaffPin

    services = open_services(db)
    actor = sign_in(services, acting)
    pin = read_pin("UPGRADECAMP_NEW_PIN", text("cli.new_pin_for", staff=code), confirm=True)
    result = services.execute(ResetStaffPin(code=code, pin=pin), actor)
    if json_out:
        emit_json(result)
    else:
        say(text("cli_say.staff_new_pin", code=code))


@app.command("deactivate")
@handles_errors
def deactivate(
    code: Annotated[str, typer.Argument(help="staff code")],
    reason: Annotated[str, typer.Option("--reason", help="why; kept with the account")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Stop a member from signing in (admin); everything they did stays in the log."""
    from upgradecamp.domain.commands import DeactivateStaff

    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(DeactivateStaff(code=code, reason=reason), actor)
    if json_out:
        emit_json(result)
    else:
        say(text("cli_say.staff_deactivated", code=code))


@app.command("edit")
@handles_errors
def edit(
    code: Annotated[str, typer.Argument(help="staff code")],
    name: Annotated[str | None, typer.Option("--name", help="new full name")] = None,
    role: Annotated[
        str | None, typer.Option("--role", help="organizer|checkin|marketer|branch_head|admin")
    ] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="branch code")] = None,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Change a member's name, role or branch (admin); a new role applies at their next sign-in."""
    from upgradecamp.domain.commands import EditStaff

    if name is None and role is None and branch is None:
        fail("nothing to change: give --name, --role or --branch", Exit.BAD_INPUT)
    services = open_services(db)
    actor = sign_in(services, acting)
    result = services.execute(EditStaff(code=code, name=name, role=role, branch=branch), actor)
    if json_out:
        emit_json(result)
    else:
        say(
            f"{code} is now {result['name']} ({result['role']}, {result['branch']}); "
            f"changed: {', '.join(result['changed'])}"
        )
