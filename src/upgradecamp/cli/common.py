"""Options shared by every command (--db, --as) and the sign-in of the acting staff member."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from upgradecamp.cli.output import Exit, error_message, fail, stdin_is_tty, text, warn

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="UPGRADECAMP_DB",
        help="SQLite file path or database URL (default ./upgradecamp.db)",
    ),
]
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        envvar="UPGRADECAMP_AS",
        help="acting staff code; PIN from UPGRADECAMP_PIN or a prompt",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="print one JSON document")]


def open_services(db: str | None) -> Services:
    """The services on an existing upgradecamp database, or one line saying why not (exit 2).

    Never creates a file: only `init` and `demo` make databases.
    """
    from upgradecamp.service.bus import bootstrap
    from upgradecamp.service.setup import prepare_opened

    services = bootstrap(engine=open_engine_or_fail(db))
    services.on_refused = say_refused
    for warning in prepare_opened(services):
        warn(warning)
    return services


def say_refused(refused: list[dict]) -> None:
    """A follow-on refused after a command committed: the command is done, its follow-on is not."""
    for r in refused:
        warn(
            text(
                "cli.follow_on_refused",
                event=r["event"],
                position=r["position"],
                message=r["message"],
            )
        )


def check_database_or_fail(db: str | None, *, create: bool = False) -> str:
    """`store.opening.check_database` (no connection, no SQLAlchemy), refused as one line."""
    from upgradecamp.store.opening import DatabaseUnusable, check_database

    try:
        return check_database(db, create=create)
    except DatabaseUnusable as exc:
        fail(error_message(exc), Exit.BAD_INPUT)


def open_engine_or_fail(db: str | None, *, create: bool = False) -> Engine:
    """`store.opening.open_engine`, its refusal printed as one line with exit 2."""
    from upgradecamp.store.opening import DatabaseUnusable, open_engine

    try:
        return open_engine(db, create=create)
    except DatabaseUnusable as exc:
        fail(error_message(exc), Exit.BAD_INPUT)


def read_pin(env_name: str, prompt: str, *, confirm: bool = False) -> str:
    pin = os.environ.get(env_name)
    if pin:
        return pin
    if not stdin_is_tty():
        fail(text("cli.no_pin", env=env_name), Exit.BAD_INPUT)
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)


def sign_in(services: Services, staff_code: str | None) -> Actor:
    """Check the acting staff member's PIN through the same handler the TUI login uses."""
    from upgradecamp.domain.commands import VerifyPin
    from upgradecamp.domain.staff import Actor

    if not staff_code:
        fail(text("cli.no_actor"), Exit.BAD_INPUT)
    pin = read_pin("UPGRADECAMP_PIN", text("cli.pin_for", staff=staff_code))
    anonymous = Actor(code=staff_code, role="unverified")
    found = services.execute(VerifyPin(code=staff_code, pin=pin), anonymous)
    return Actor(code=found["code"], role=found["role"], branch=found["branch"], name=found["name"])
