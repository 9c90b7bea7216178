"""The check-in desk (签到台): pick today's session, then sign a queue of clients in at the door.

`CheckInDeskScreen` (what the home menu opens) lists today's sessions of the desk's branch (b:
the whole cluster); Enter takes the highlighted one, and a planned one is opened first (with a
yes/no). The desk itself, one session's door with its search field, board and recent
check-ins, is `DeskScreen` in `checkin_door.py` (what it does once a person is chosen is
`checkin_actions.py`, the text its tables show `checkin_cells.py`, its small windows
`checkin_dialogs.py`). The list reloads whenever any terminal writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from upgradecamp.tui.app import LogAdvanced, describe_error
from upgradecamp.tui.i18n import t
from upgradecamp.tui.screens.checkin_cells import (
    error_code,
    picker_cells,
    picker_columns,
    session_label,
    status_name,
)
from upgradecamp.tui.screens.checkin_dialogs import ConfirmOpenScreen
from upgradecamp.tui.screens.checkin_door import DeskScreen
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import fill_table, table_key

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor

__all__ = ["CheckInDeskScreen", "DeskScreen", "PickerLoaded"]

RETRY_SECONDS = 2.0


class PickerLoaded(Message):
    def __init__(self, rows: list[dict[str, Any]], today: str, problem: str | None = None,
                 opened: dict[str, Any] | None = None, failure: str | None = None) -> None:
        super().__init__()
        self.rows = rows
        self.today = today
        self.problem = problem  # nothing could be loaded
        self.opened = opened  # the session just opened: the desk goes there
        self.failure = failure  # opening the session was refused (the list did load)


class CheckInDeskScreen(Screen[None]):
    """Today's sessions: Enter starts checking in at the highlighted one."""

    AUTO_FOCUS = "#ckp-table"
    BINDINGS = [
        Binding("b", "toggle_cluster", show=False, id="checkin_desk.cluster"),
        Binding("o", "choose", show=False, id="checkin_desk.open"),
        Binding("r", "reload", show=False, id="checkin_desk.reload"),
        Binding("escape", "back", show=False, id="checkin_desk.back"),
    ]
    DEFAULT_CSS = """
    CheckInDeskScreen #ckp-filter, CheckInDeskScreen #ckp-keys {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    CheckInDeskScreen #ckp-table {
        height: 1fr;
        margin: 0 1;
    }
    CheckInDeskScreen #ckp-message {
        height: auto;
        max-height: 3;
        padding: 0 1;
    }
    """

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.cluster = False
        self.sessions: dict[str, dict[str, Any]] = {}
        self.today = ""
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static(t("checkin_desk.picker_title"), classes="screen-title", markup=False)
        yield Static("", id="ckp-filter", markup=False)
        yield DataTable(id="ckp-table", cursor_type="row", zebra_stripes=True)
        yield Static(t("home.loading"), id="ckp-message", markup=False)
        yield Static(t("checkin_desk.picker_keys"), id="ckp-keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        fill_table(self.query_one("#ckp-table", DataTable), picker_columns(), [])
        self._show_filter()
        self.action_reload()

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.action_reload()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self.action_reload()

    def _show_filter(self) -> None:
        where = t("checkin_desk.whole_cluster") if self.cluster else self.actor.branch
        self.query_one("#ckp-filter", Static).update(
            t("checkin_desk.picker_filter", date=self.today, where=where))

    def action_reload(self) -> None:
        self._load(None if self.cluster else self.actor.branch)

    def action_toggle_cluster(self) -> None:
        self.cluster = not self.cluster
        self._show_filter()
        self.action_reload()

    @work(thread=True, exclusive=True, group="ckp-load", exit_on_error=False)
    def _load(self, branch: str | None) -> None:
        self._read(branch)

    @work(thread=True, group="ckp-open", exit_on_error=False)
    def _open(self, branch: str | None, session_id: str) -> None:
        """Open a planned session, then list again and go to its desk (not cancelled by a
        reload, as the exclusive load is)."""
        try:
            services = self.app.get_services()
            from upgradecamp.domain.commands.sessions import OpenSession

            services.execute(OpenSession(session_id=session_id), self.actor)
        except Exception as exc:  # said on screen; opened at another desk meanwhile is fine
            if error_code(exc) != "session_already_open":
                self._read(branch, failure=describe_error(exc))
                return
        self._read(branch, session_id)

    def _read(self, branch: str | None, open_id: str | None = None,
              failure: str | None = None) -> None:
        try:
            services = self.app.get_services()
            from upgradecamp.domain.rules import business_date
            from upgradecamp.queries.checkins import todays_sessions

            today = business_date(services.clock())
            rows = todays_sessions(services.engine, branch=branch, on=today)
        except Exception as exc:  # shown on screen; the next log change retries
            self.post_message(PickerLoaded([], self.today, failure or describe_error(exc)))
            return
        opened = next((r for r in rows if r["session_id"] == open_id), None)
        self.post_message(PickerLoaded(rows, today.isoformat(), opened=opened,
                                       failure=failure))

    def on_picker_loaded(self, message: PickerLoaded) -> None:
        if message.problem:
            self._say(message.problem, error=True)
            if not self.loaded:
                self.set_timer(RETRY_SECONDS, self.action_reload)
            return
        self.loaded = True
        self.today = message.today
        self._show_filter()
        table = self.query_one("#ckp-table", DataTable)
        keep = table_key(table)
        self.sessions = {row["session_id"]: row for row in message.rows}
        fill_table(table, picker_columns(), [(row["session_id"], picker_cells(row))
                                             for row in message.rows])
        if keep in self.sessions:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        else:
            first_open = next((i for i, row in enumerate(message.rows)
                               if row.get("status") == "open"), None)
            if first_open is not None:
                table.move_cursor(row=first_open, animate=False)
        if not message.rows:
            self._say(t("checkin_desk.no_sessions_cluster" if self.cluster
                        else "checkin_desk.no_sessions", branch=self.actor.branch))
        elif message.failure:
            self._say(message.failure, error=True)
        elif message.opened is None:
            self._say(t("checkin_desk.picker_hint"))
        if message.opened is not None:
            self._say(t("checkin_desk.opened", session=session_label(message.opened)))
            self._enter(message.opened)

    def _say(self, text: str, *, error: bool = False) -> None:
        view = self.query_one("#ckp-message", Static)
        view.update(text)
        view.set_class(error, "-error")

    @on(DataTable.RowSelected, "#ckp-table")
    def _selected(self, _event: DataTable.RowSelected) -> None:
        self.action_choose()

    def action_choose(self) -> None:
        row = self.sessions.get(table_key(self.query_one("#ckp-table", DataTable)) or "")
        if row is None:
            self._say(t("checkin_desk.choose_session"), error=True)
            return
        status = row.get("status")
        if status == "open":
            self._enter(row)
        elif status == "planned":
            def answered(yes: bool | None) -> None:
                if yes:
                    self._say(t("checkin_desk.opening"))
                    self._open(None if self.cluster else self.actor.branch, row["session_id"])

            self.app.push_screen(ConfirmOpenScreen(
                t("checkin_desk.confirm_open", session=session_label(row))), answered)
        else:
            self._say(t("checkin_desk.not_open", status=status_name(status)), error=True)

    def _enter(self, row: dict[str, Any]) -> None:
        self.app.push_screen(DeskScreen(self.actor, row))

    def action_back(self) -> None:
        self.app.pop_screen()
