"""The terminal UI: staff sign in, then see their role's home screen; all terminals follow the log.

Start-up is kept close to a bare Textual app: at import this module loads only Textual and the
text catalogue. The database services (SQLAlchemy, SQLModel, the pydantic event models) are
opened on first use inside thread workers, after the login screen has painted and accepts keys;
each screen imports the queries it needs inside its own workers. The messages the app posts
and the error text live in `tui/messages.py` and `tui/errors.py`, which screens import at
module top: a screen never imports this module, so there is no import cycle.

Every terminal polls the log head about once a second (a cheap one-row read) and, when it moves,
posts `LogAdvanced` to the active screen, which reloads what it shows. That is how a check-in desk
sees what another desk recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from upgradecamp.domain.clock import system_clock
from upgradecamp.tui import i18n
from upgradecamp.tui.errors import ServicesUnavailable, describe_error, error_detail
from upgradecamp.tui.i18n import event_name, t
from upgradecamp.tui.messages import HeadPolled, LogAdvanced, LogUnavailable

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

POLL_SECONDS = 1.0
ServicesOpener = Callable[[], "Services"]


def _screen_commands() -> Any:
    from upgradecamp.tui.help import ScreenCommands

    return ScreenCommands


class UpgradeCampApp(App[None]):
    """Sign-in, the role's home screen, and the log-head poll that keeps screens live."""

    CSS_PATH = "styles/app.tcss"
    TITLE = "upgradecamp"
    # Ctrl+P: the screen's actions and the role's places (tui/help.py), nothing else.
    COMMANDS = {_screen_commands}
    BINDINGS = [
        Binding("ctrl+q", "quit", show=False, priority=True, id="app.quit"),
        Binding("f1", "help", show=False, priority=True, id="app.help"),
        Binding("question_mark", "help", show=False, id="app.help_question"),
    ]

    actor: reactive[Actor | None] = reactive(None, init=False)
    head_position: reactive[int] = reactive(-1, init=False)
    log_unavailable: reactive[bool] = reactive(False, init=False)

    def __init__(
        self,
        services: Services | None = None,
        *,
        open_services: ServicesOpener | None = None,
        lang: str = "en",
        db_label: str = "",
        terminal_label: str = "",
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        if services is None and open_services is None:
            raise ValueError("give either services or open_services")
        super().__init__()
        self.lang = lang
        self.db_label = db_label
        self.terminal_label = terminal_label
        self.poll_seconds = poll_seconds
        self._services = services
        if services is not None:
            services.on_refused = self.follow_on_refused
        self._open_services = open_services
        self._services_lock = threading.Lock()
        self._open_failure: ServicesUnavailable | None = None
        self._polling = False
        self.following = False

    # -- services ----------------------------------------------------------------------------
    def get_services(self) -> Services:
        """The database services, opened on first use. Blocks: call it from thread workers."""
        with self._services_lock:
            if self._services is None:
                if self._open_failure is not None:
                    raise self._open_failure
                assert self._open_services is not None
                try:
                    self._services = self._open_services()
                except ServicesUnavailable as exc:
                    self._open_failure = exc
                    raise
                self._services.on_refused = self.follow_on_refused
            return self._services

    def clock(self) -> datetime:
        """Now by the services' injected clock, without a database read (screens ask this,
        never the wall clock); the system clock until the services are open."""
        services = self._services
        return services.clock() if services is not None else system_clock()

    def follow_on_refused(self, refused: list[dict[str, Any]]) -> None:
        """A command was done but its follow-on refused: tell whoever is at this terminal
        (every desk runs its commands through these services). Thread-safe, as notify is."""
        for r in refused:
            self.notify(
                t("error.follow_on_refused", event=event_name(r["event"]), message=r["message"]),
                severity="warning",
                timeout=15,
            )

    # -- screens -----------------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        from upgradecamp.tui.screens.login import LoginScreen

        return LoginScreen()

    def on_ready(self) -> None:
        # Only now, with the first screen painted and taking keys, open the database (the
        # slow imports) and start following the log; the first poll tells the screen to load.
        self.following = True
        self.set_interval(self.poll_seconds, self._poll_tick, name="log-head-poll")
        self._poll_tick()

    def action_help(self) -> None:
        """F1: the keys of the screen in front, in the UI language; F1 again closes it."""
        from upgradecamp.tui.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpScreen(self.screen))

    def signed_in(self, actor: Actor) -> None:
        from upgradecamp.tui.screens.home import HomeScreen

        self.actor = actor
        self.push_screen(HomeScreen(actor))

    def sign_out(self) -> None:
        """Back to the login screen, whatever was open on top of it."""
        from upgradecamp.tui.screens.login import LoginScreen

        self.actor = None
        while len(self.screen_stack) > 1:
            self.pop_screen()
        if isinstance(self.screen_stack[0], LoginScreen):
            self.screen_stack[0].reset()
        self.notify(t("home.signed_out"), timeout=3)

    # -- following the log -------------------------------------------------------------------
    def _poll_tick(self) -> None:
        # A slow read (a busy database) must not pile up threads: skip the tick instead.
        if self._polling:
            return
        self._polling = True
        self._poll_head()

    @work(thread=True, group="log-head", exit_on_error=False)
    def _poll_head(self) -> None:
        try:
            services = self.get_services()
            from upgradecamp.queries import head_position

            position = head_position(services.engine)
        except Exception as exc:  # shown as a notice and in the status bar; next tick retries
            self.post_message(
                HeadPolled(
                    None,
                    error_detail(exc),
                    describe_error(exc),
                    lasting=isinstance(exc, ServicesUnavailable),
                )
            )
            return
        self.post_message(HeadPolled(position))

    def on_head_polled(self, message: HeadPolled) -> None:
        self._polling = False
        if not self.screen_stack:
            return  # the app is shutting down; a poll that finished late has nobody to tell
        if message.position is None:
            if not self.log_unavailable:
                self.log_unavailable = True
                if message.lasting:
                    self.notify(message.explanation or "?", severity="error", timeout=30)
                else:
                    self.notify(
                        t("error.log_unavailable", detail=message.problem or "?"),
                        severity="warning",
                        timeout=8,
                    )
                self.screen.post_message(LogUnavailable(message.explanation or ""))
            return
        if self.log_unavailable:
            self.log_unavailable = False
            self.notify(t("error.log_back"))
        if message.position != self.head_position:
            self.head_position = message.position
            self.screen.post_message(LogAdvanced(message.position))


def create_app(
    services: Services | ServicesOpener,
    lang: str | None = None,
    *,
    db_label: str | None = None,
    terminal: str | None = None,
    poll_seconds: float = POLL_SECONDS,
) -> UpgradeCampApp:
    """The app for `upgradecamp tui`, `demo` and the tests.

    `services` is either wired services or a function that opens them (called once, in a
    worker, so the login screen paints before the database code is imported).
    """
    from upgradecamp.config import terminal_id, ui_language
    from upgradecamp.tui.widgets.status_bar import short_db_label

    chosen = i18n.set_language(ui_language(lang))
    if callable(services):
        return UpgradeCampApp(
            open_services=services,
            lang=chosen,
            db_label=db_label or "",
            terminal_label=terminal or terminal_id(),
            poll_seconds=poll_seconds,
        )
    url = services.engine.url.render_as_string(hide_password=True)
    return UpgradeCampApp(
        services,
        lang=chosen,
        db_label=db_label or short_db_label(url),
        terminal_label=terminal or services.terminal,
        poll_seconds=poll_seconds,
    )


def run_tui(db: str | None, lang: str | None = None, terminal: str | None = None) -> None:
    """Open the TUI on a database path or URL (`upgradecamp tui`, and `demo` when built)."""
    from upgradecamp.config import db_url, terminal_id
    from upgradecamp.tui.widgets.status_bar import short_db_label

    terminal = terminal or terminal_id()
    create_app(
        services_opener(db, terminal), lang, db_label=short_db_label(db_url(db)), terminal=terminal
    ).run()


def services_opener(db: str | None, terminal: str | None = None) -> ServicesOpener:
    """What the app calls (in a worker, after the first paint) to open `db`: the services, or
    the one line `store.opening` gives for a database that cannot be used. A server that is
    down is tried again at the next poll; anything else will not mend by waiting."""

    def open_services() -> Services:
        from upgradecamp.config import db_url, terminal_id
        from upgradecamp.service.bus import bootstrap
        from upgradecamp.service.setup import prepare_opened
        from upgradecamp.store.opening import DatabaseUnusable, open_engine, shown

        try:
            engine = open_engine(db)
        except DatabaseUnusable as exc:
            if not exc.lasting:
                raise
            if exc.code == "no_upgradecamp_database":
                raise ServicesUnavailable(t("error.no_database", db=shown(db_url(db)))) from None
            raise ServicesUnavailable(t("error.database_unusable", detail=exc.message)) from None
        services = bootstrap(engine=engine, terminal=terminal or terminal_id())
        prepare_opened(services)
        return services

    return open_services
