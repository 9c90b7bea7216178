"""Options shared by every command (--db, --as) and the sign-in of the acting staff member."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from upgradecamp.cli.output import Exit, fail, stdin_is_tty

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

DbOption = Annotated[str | None, typer.Option(
    "--db", envvar="UPGRADECAMP_DB",
    help="SQLite file path or database URL (default ./upgradecamp.db)")]
AsOption = Annotated[str | None, typer.Option(
    "--as", envvar="UPGRADECAMP_AS",
    help="acting staff code; PIN from UPGRADECAMP_PIN or a prompt")]
JsonOption = Annotated[bool, typer.Option("--json", help="print one JSON document")]


def open_services(db: str | None, *, must_exist: bool = True) -> Services:
    from upgradecamp.config import db_url
    from upgradecamp.service.bus import bootstrap
    from upgradecamp.store.schema import has_schema

    services = bootstrap(db)
    if must_exist and not has_schema(services.engine):
        fail(f"{db_url(db)} holds no upgradecamp database; run `upgradecamp init --admin CODE` "
             "first or pass --db", Exit.BAD_INPUT)
    if must_exist:
        from upgradecamp.service.setup import bring_read_model_up_to_date

        bring_read_model_up_to_date(services)
    return services


def read_pin(env_name: str, prompt: str, *, confirm: bool = False) -> str:
    pin = os.environ.get(env_name)
    if pin:
        return pin
    if not stdin_is_tty():
        fail(f"no PIN given: set {env_name} or run in a terminal to be asked", Exit.BAD_INPUT)
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)


def sign_in(services: Services, staff_code: str | None) -> Actor:
    """Check the acting staff member's PIN through the same handler the TUI login uses."""
    from upgradecamp.domain.commands import VerifyPin
    from upgradecamp.domain.staff import Actor

    if not staff_code:
        fail("this command needs the acting staff member: pass --as CODE or set UPGRADECAMP_AS",
             Exit.BAD_INPUT)
    pin = read_pin("UPGRADECAMP_PIN", f"PIN for {staff_code}")
    anonymous = Actor(code=staff_code, role="unverified")
    found = services.execute(VerifyPin(code=staff_code, pin=pin), anonymous)
    return Actor(code=found["code"], role=found["role"], branch=found["branch"],
                 name=found["name"])
