"""`upgradecamp init`, `demo` and `tui`: create a database, build the demo cluster, open the TUI."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from upgradecamp.cli.common import (
    DbOption,
    JsonOption,
    check_database_or_fail,
    open_engine_or_fail,
    read_pin,
)
from upgradecamp.cli.output import Exit, emit_json, fail, handles_errors, say, text


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)
    app.command("tui")(tui)


@handles_errors
def init(
    admin: Annotated[str, typer.Option("--admin", help="staff code of the first admin")],
    name: Annotated[str, typer.Option("--name", help="the admin's name")] = "管理员",
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """New database with the fixtures/ defaults and its first admin (PIN: UPGRADECAMP_PIN)."""
    from upgradecamp.config import db_url
    from upgradecamp.service.bus import bootstrap
    from upgradecamp.service.setup import initialise

    engine = open_engine_or_fail(db, create=True)  # before the PIN prompt: a bad --db says so
    pin = read_pin("UPGRADECAMP_PIN", text("cli.pin_for", staff=admin), confirm=True)
    services = bootstrap(engine=engine)
    result = initialise(services, admin_code=admin, admin_name=name, admin_pin=pin)
    if json_out:
        emit_json(result)
    else:
        say(
            f"initialised {db_url(db)}: branches {', '.join(result['branches'])}; "
            f"rule sets {', '.join(result['rule_sets'])}; admin {admin}"
        )


@handles_errors
def demo(
    customers: Annotated[
        int, typer.Option("--customers", min=0, max=1_000_000, help="how many clients")
    ] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="same seed, same database")] = 2026,
    no_tui: Annotated[
        bool, typer.Option("--no-tui", help="build only; do not open the TUI")
    ] = False,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="SQLite file to build (default upgradecamp-demo.db); never a real one"
        ),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="zh_CN or en")] = None,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            help="the demo's today, YYYY-MM-DD (default: today in Asia/Shanghai); "
            "same seed and today, same database",
        ),
    ] = None,
) -> None:
    """Build a realistic demo branch cluster (Faker zh_CN) through the handlers, then open it."""
    from upgradecamp.config import db_url
    from upgradecamp.demo import build_demo
    from upgradecamp.demo_progress import BuildProgress
    from upgradecamp.demo_staff import write_staff_file

    target = db or "upgradecamp-demo.db"
    if "://" in target:
        fail(text("cli.demo_needs_sqlite"), Exit.BAD_INPUT)
    check_database_or_fail(target, create=True)
    _clear_old_demo(Path(target))
    try:
        anchor = date.fromisoformat(today) if today else None
    except ValueError:
        fail(text("cli.bad_today", today=today), Exit.BAD_INPUT)
    progress = BuildProgress(lambda line: typer.echo(line, err=True))
    say(text("cli_say.demo_building", target=target, clients=f"{customers:,}", seed=seed))
    report = build_demo(
        target, customers=customers, seed=seed, today=anchor, echo=say, progress=progress
    )
    say(
        f"demo cluster ready in {db_url(target)} ({report.clients} clients, "
        f"{report.events} events, {report.seconds:.1f} s)"
    )
    say(text("cli_say.demo_staff"))
    for row in report.staff:
        say(
            f"  {row['code']:<10} PIN {row['pin']}  {row['role']:<12} {row['branch']}  "
            f"{row['name']}"
        )
    written = write_staff_file(target, report.staff)
    say(
        f"the codes and PINs are also in {written} (readable by you only); the demo's "
        "sign-in screen shows them too"
    )
    if not no_tui:
        from upgradecamp.tui.app import run_tui

        run_tui(target, lang=lang)


@handles_errors
def tui(
    db: DbOption = None,
    lang: Annotated[str | None, typer.Option("--lang", help="zh_CN or en")] = None,
    terminal: Annotated[
        str | None,
        typer.Option(
            "--terminal",
            help="the terminal id its events record (default: env "
            "UPGRADECAMP_TERMINAL, else host:process); `serve` gives each tab web:<address>",
        ),
    ] = None,
) -> None:
    """Open the terminal UI: sign in, then your role's home screen."""
    from upgradecamp.tui.app import run_tui

    # What a file tells is checked here, without the database code the TUI loads after its
    # first paint; a server is asked here too, as it cannot be judged without connecting.
    url = check_database_or_fail(db)
    if not url.startswith("sqlite"):
        open_engine_or_fail(db).dispose()
    run_tui(db, lang=lang, terminal=terminal)


def _clear_old_demo(path: Path) -> None:
    """Remove an earlier demo build at `path`; refuse to touch any other file."""
    import sqlite3

    from upgradecamp.demo_staff import STAFF_FILE_SUFFIX
    from upgradecamp.service.setup import KEY_SUFFIX

    if not path.exists():
        return
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT meta FROM event_log ORDER BY position LIMIT 1").fetchone()
    except sqlite3.Error:
        row = None
    if row is None or '"terminal":"demo"' not in row[0]:
        fail(
            f"{path} exists and is not a demo database; it was left as it is. Pass another "
            "--db path for the demo",
            Exit.REFUSED,
        )
    for suffix in ("", "-wal", "-shm", "-lock", STAFF_FILE_SUFFIX, KEY_SUFFIX):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
