"""`upgradecamp wall SESSION` (SPEC §6): the room's screen in this terminal.

The wall shows who arrives (by surname and title), so it signs in like every command that
reads personal data: `--as` an organizer or a branch head (or admin), PIN from
UPGRADECAMP_PIN or a prompt. Then the TUI opens straight on the wall; Esc closes it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from upgradecamp.cli.common import AsOption, DbOption, open_services, sign_in
from upgradecamp.cli.output import handles_errors


@handles_errors
def wall(
    session_id: Annotated[str, typer.Argument(help="session id, e.g. B02-20261201-1500")],
    lang: Annotated[str | None, typer.Option("--lang", help="zh_CN or en")] = None,
    db: DbOption = None,
    acting: AsOption = None,
) -> None:
    """The room's screen (大屏): arrivals against the expected, welcomes and upgrades by
    surname and title, the agenda's step and minutes left, forms and the amount subscribed.
    Read-only; follows the log within seconds. Open it in a browser through `upgradecamp
    serve`, or full screen in a terminal."""
    from upgradecamp.domain.errors import NotFound
    from upgradecamp.queries.invitations import session_status
    from upgradecamp.queries.wall import check_watcher

    services = open_services(db)
    actor = sign_in(services, acting)
    check_watcher(actor)
    if session_status(services.engine, session_id) is None:
        raise NotFound(
            f"no session has the id '{session_id}'; see `upgradecamp sessions list`",
            "session_not_found",
            session=session_id,
        )
    from upgradecamp.tui.wall_app import run_wall

    run_wall(services, actor, session_id, lang)
