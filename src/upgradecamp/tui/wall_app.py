"""The app `upgradecamp wall SESSION` opens straight on one session's wall, its staff member
already signed in by the CLI. An app, not a screen: it sits beside `tui/app.py`, above the
screens, so no screen imports the app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from upgradecamp.tui import app as app_module
from upgradecamp.tui.app import UpgradeCampApp
from upgradecamp.tui.screens.wall import WallScreen

if TYPE_CHECKING:
    from textual.screen import Screen as AnyScreen

    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services


class WallApp(UpgradeCampApp):
    """The TUI opened straight on one session's wall for a staff member the CLI signed in."""

    # Textual reads a relative CSS_PATH beside the subclass's module: name the app's own.
    CSS_PATH = str(Path(app_module.__file__).with_name("styles") / "app.tcss")

    def __init__(self, services: Services, actor: Actor, session_id: str, **kwargs: Any) -> None:
        super().__init__(services, **kwargs)
        self.wall_actor = actor
        self.session_id = session_id

    def get_default_screen(self) -> AnyScreen[Any]:
        self.actor = self.wall_actor
        return WallScreen(self.wall_actor, self.session_id, standalone=True)


def run_wall(
    services: Services, actor: Actor, session_id: str, lang: str | None = None, *, run: bool = True
) -> WallApp:
    """`upgradecamp wall SESSION`: the app (run unless `run` is False, for tests)."""
    from upgradecamp.config import ui_language
    from upgradecamp.tui import i18n
    from upgradecamp.tui.widgets.status_bar import short_db_label

    chosen = i18n.set_language(ui_language(lang))
    url = services.engine.url.render_as_string(hide_password=True)
    app = WallApp(
        services,
        actor,
        session_id,
        lang=chosen,
        db_label=short_db_label(url),
        terminal_label=services.terminal,
    )
    if run:
        app.run()
    return app
