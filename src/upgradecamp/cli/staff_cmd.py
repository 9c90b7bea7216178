"""`upgradecamp staff add|list`."""

from __future__ import annotations

from typing import Annotated

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, read_pin, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, say

app = typer.Typer(help="Staff accounts, roles and PINs.", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)


@app.command("add")
@handles_errors
def add(
    code: Annotated[str, typer.Argument(help="staff code, e.g. B02-MK1")],
    name: Annotated[str, typer.Option("--name", help="full name")],
    role: Annotated[str, typer.Option("--role",
                                      help="organizer|checkin|marketer|branch_head|admin")],
    branch: Annotated[str, typer.Option("--branch", help="branch code, e.g. B01")],
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add a staff member; their PIN comes from UPGRADECAMP_NEW_PIN or a prompt."""
    from upgradecamp.domain.commands import AddStaff

    services = open_services(db)
    actor = sign_in(services, acting)
    pin = read_pin("UPGRADECAMP_NEW_PIN", f"new PIN for {code}", confirm=True)
    result = services.execute(AddStaff(code=code, name=name, role=role, branch=branch, pin=pin),
                              actor)
    if json_out:
        emit_json(result)
    else:
        say(f"added {result['code']} {result['name']} ({result['role']}, {result['branch']})")


@app.command("list")
@handles_errors
def list_staff(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Staff codes, names, roles and branches (no PINs, no personal client data)."""
    from upgradecamp.queries import staff_directory

    services = open_services(db)
    rows = staff_directory(services.engine)
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        lock = "  (locked)" if r["locked"] else ""
        say(f"{r['code']:<12} {r['branch']:<4} {r['role']:<12} {r['name']}{lock}")
