"""The terminal UI: staff sign in, then see their role's home screen; all terminals follow the log.

Start-up is kept close to a bare Textual app: at import this module loads only Textual and the
text catalogue. The database services (SQLAlchemy, SQLModel, the pydantic event models) are
opened on first use inside thread workers, after the login screen has painted and accepts keys;
each screen imports the queries it needs inside its own workers.

Every terminal polls the log head about once a second (a cheap one-row read) and, when it moves,
posts `LogAdvanced` to the active screen, which reloads what it shows. That is how a check-in desk
sees what another desk recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from upgradecamp.domain.errors import DomainError
from upgradecamp.tui import i18n
from upgradecamp.tui.i18n import t

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

POLL_SECONDS = 1.0
ServicesOpener = Callable[[], "Services"]


class ServicesUnavailable(DomainError):
    """The database cannot be used from this terminal (not initialised, unreadable URL)."""


class LogAdvanced(Message):
    """The event log's head moved: some terminal recorded events; the screen should reload."""

    def __init__(self, position: int) -> None:
        super().__init__()
        self.position = position


class LogUnavailable(Message):
    """The log cannot be read (busy, unreachable, not a database); `text` says what to do."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class HeadPolled(Message):
    """A poll of the log head finished (posted from the polling thread)."""

    def __init__(self, position: int | None, problem: str | None = None,
                 explanation: str | None = None, lasting: bool = False) -> None:
        super().__init__()
        self.position = position
        self.problem = problem
        self.explanation = explanation
        self.lasting = lasting  # retrying will not help: the database itself must change


def error_detail(exc: BaseException) -> str:
    """A short, personal-data-free description of an unexpected error.

    Database errors carry the SQL and its parameters (names, mobiles) in `str()`; only the
    driver's own first line is shown.
    """
    if isinstance(exc, DomainError):
        return exc.message
    source = getattr(exc, "orig", None) or exc
    first_line = (str(source).strip().splitlines() or [""])[0]
    return f"{type(source).__name__}: {first_line}"[:200]


def is_busy(exc: BaseException) -> bool:
    """SQLite's 'database is locked' / 'busy': another terminal holds the write lock."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "database is locked" in text or "database is busy" in text or "sqlite_busy" in text


def describe_error(exc: BaseException) -> str:
    """What to show a person for an error raised while working for them."""
    if isinstance(exc, DomainError):
        if exc.code and i18n.has(f"error.{exc.code}"):
            params = dict(exc.params)
            status = params.get("status")
            if isinstance(status, str) and i18n.has(f"session_status.{status}"):
                params["status"] = t(f"session_status.{status}")  # "planned" → 计划中
            return t(f"error.{exc.code}", **params)
        return exc.message
    if is_busy(exc):
        return t("error.busy")
    return t("error.unexpected", detail=error_detail(exc))


class UpgradeCampApp(App[None]):
    """Sign-in, the role's home screen, and the log-head poll that keeps screens live."""

    CSS_PATH = "styles/app.tcss"
    TITLE = "upgradecamp"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", show=False, priority=True, id="app.quit")]

    actor: reactive[Actor | None] = reactive(None, init=False)
    head_position: reactive[int] = reactive(-1, init=False)
    log_unavailable: reactive[bool] = reactive(False, init=False)

    def __init__(self, services: Services | None = None, *,
                 open_services: ServicesOpener | None = None, lang: str = "en",
                 db_label: str = "", terminal_label: str = "",
                 poll_seconds: float = POLL_SECONDS) -> None:
        if services is None and open_services is None:
            raise ValueError("give either services or open_services")
        super().__init__()
        self.lang = lang
        self.db_label = db_label
        self.terminal_label = terminal_label
        self.poll_seconds = poll_seconds
        self._services = services
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
            return self._services

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
            self.post_message(HeadPolled(None, error_detail(exc), describe_error(exc),
                                         lasting=isinstance(exc, ServicesUnavailable)))
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
                    self.notify(t("error.log_unavailable", detail=message.problem or "?"),
                                severity="warning", timeout=8)
                self.screen.post_message(LogUnavailable(message.explanation or ""))
            return
        if self.log_unavailable:
            self.log_unavailable = False
            self.notify(t("error.log_back"))
        if message.position != self.head_position:
            self.head_position = message.position
            self.screen.post_message(LogAdvanced(message.position))


def create_app(services: Services | ServicesOpener, lang: str | None = None, *,
               db_label: str | None = None, terminal: str | None = None,
               poll_seconds: float = POLL_SECONDS) -> UpgradeCampApp:
    """The app for `upgradecamp tui`, `demo` and the tests.

    `services` is either wired services or a function that opens them (called once, in a
    worker, so the login screen paints before the database code is imported).
    """
    from upgradecamp.config import terminal_id, ui_language
    from upgradecamp.tui.widgets.status_bar import short_db_label

    chosen = i18n.set_language(ui_language(lang))
    if callable(services):
        return UpgradeCampApp(open_services=services, lang=chosen,
                              db_label=db_label or "", terminal_label=terminal or terminal_id(),
                              poll_seconds=poll_seconds)
    url = services.engine.url.render_as_string(hide_password=True)
    return UpgradeCampApp(services, lang=chosen, db_label=db_label or short_db_label(url),
                          terminal_label=terminal or services.terminal,
                          poll_seconds=poll_seconds)


def run_tui(db: str | None, lang: str | None = None) -> None:
    """Open the TUI on a database path or URL (`upgradecamp tui`, and `demo` when built)."""
    from upgradecamp.config import db_url, terminal_id
    from upgradecamp.tui.widgets.status_bar import short_db_label

    url = db_url(db)
    shown = _display_url(url)

    def open_services() -> Services:
        if url.startswith("sqlite:///") and ":memory:" not in url:
            if not Path(url.removeprefix("sqlite:///")).is_file():
                raise ServicesUnavailable(t("error.no_database", db=shown))
        from sqlalchemy.exc import OperationalError

        from upgradecamp.service.bus import bootstrap
        from upgradecamp.store.schema import has_schema

        try:
            services = bootstrap(db, terminal=terminal_id())
            ready = has_schema(services.engine)
        except OperationalError:
            raise  # busy or briefly unreachable: the next use tries again
        except Exception as exc:
            raise ServicesUnavailable(
                t("error.cannot_open", db=shown, detail=error_detail(exc))) from exc
        if not ready:
            raise ServicesUnavailable(t("error.no_database", db=shown))
        from upgradecamp.service.setup import bring_read_model_up_to_date

        bring_read_model_up_to_date(services)
        return services

    create_app(open_services, lang, db_label=short_db_label(url), terminal=terminal_id()).run()


def _display_url(url: str) -> str:
    """The database as named in messages: a file path, or a URL without its credentials."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rsplit('@', 1)[-1]}"
