"""The check-in desk (签到台): pick today's session, then sign a queue of clients in at the door.

`CheckInDeskScreen` (what the home menu opens) lists today's sessions of the desk's branch (b:
the whole cluster); Enter takes the highlighted one, and a planned one is opened first (with a
yes/no). The desk itself, one session's door with its search field, board and recent
check-ins, is `DeskScreen` in `checkin_door.py` (what it does once a person is chosen is
`checkin_actions.py`, the text its tables show `checkin_cells.py`, its small windows
`checkin_dialogs.py`). The list reloads whenever any terminal writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from upgradecamp.tui.errors import describe_error
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
from upgradecamp.tui.screens.live import RETRY_SECONDS, LiveScreen
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.keys_line import KeysLine
from upgradecamp.tui.widgets.message_line import MessageLine
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import fill_table, table_key
from upgradecamp.tui.workers import Failure, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.sessions import SessionView
    from upgradecamp.service.bus import Services

__all__ = ["CheckInDeskScreen", "DeskScreen", "Picked"]


@dataclass(frozen=True)
class Picked:
    """Today's sessions as read, and what the desk does next."""

    rows: list[SessionView]
    today: str
    opened: SessionView | None = None  # the session just opened: the desk goes there
    failure: str | None = None  # opening the session was refused (the list did load)


class CheckInDeskScreen(LiveScreen):
    """Today's sessions: Enter starts checking in at the highlighted one."""

    AUTO_FOCUS = "#ckp-table"
    BINDINGS = [
        Binding("b", "toggle_cluster", show=False, id="checkin_desk.cluster"),
        Binding("o", "choose", show=False, id="checkin_desk.open"),
        Binding("r", "reload", show=False, id="checkin_desk.reload"),
        Binding("escape", "back", show=False, id="checkin_desk.back"),
    ]
    DEFAULT_CSS = stylesheet("check_in_desk_screen")

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.cluster = False
        self.sessions: dict[str, SessionView] = {}
        self.today = ""
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static(t("checkin_desk.picker_title"), classes="screen-title", markup=False)
        yield Static("", id="ckp-filter", markup=False)
        yield DataTable(id="ckp-table", cursor_type="row", zebra_stripes=True)
        yield MessageLine(t("home.loading"), id="ckp-message")
        yield KeysLine(
            t("checkin_desk.picker_keys"), t("checkin_desk.picker_keys_short"), id="ckp-keys"
        )
        yield StatusBar()

    def on_mount(self) -> None:
        fill_table(self.query_one("#ckp-table", DataTable), picker_columns(), [])
        self._show_filter()
        self.action_reload()

    def _show_filter(self) -> None:
        where = t("checkin_desk.whole_cluster") if self.cluster else self.actor.branch
        self.query_one("#ckp-filter", Static).update(
            t("checkin_desk.picker_filter", date=self.today, where=where)
        )

    def action_reload(self) -> None:
        self._load(None if self.cluster else self.actor.branch)

    def action_toggle_cluster(self) -> None:
        self.cluster = not self.cluster
        self._show_filter()
        self.action_reload()

    def _load(self, branch: str | None) -> None:
        run_in_thread(
            self,
            lambda services: self._read(services, branch),
            self._picked,
            self._pick_failed,
            group="ckp-load",
        )

    def _open(self, branch: str | None, session_id: str) -> None:
        """Open a planned session, then list again and go to its desk (not cancelled by a
        reload, as the exclusive load is)."""

        def open_then_read(services: Services) -> Picked:
            from upgradecamp.domain.commands.sessions import OpenSession

            try:
                services.execute(OpenSession(session_id=session_id), self.actor)
            except Exception as exc:  # said with the list; opened at another desk is fine
                if error_code(exc) != "session_already_open":
                    return self._read(services, branch, failure=describe_error(exc))
            return self._read(services, branch, session_id)

        run_in_thread(
            self, open_then_read, self._picked, self._pick_failed, group="ckp-open", exclusive=False
        )

    def _read(
        self,
        services: Services,
        branch: str | None,
        open_id: str | None = None,
        failure: str | None = None,
    ) -> Picked:
        from upgradecamp.domain.clock import business_date
        from upgradecamp.queries.checkins import todays_sessions

        today = business_date(services.clock())
        rows = todays_sessions(services.engine, branch=branch, on=today)
        opened = next((r for r in rows if r["session_id"] == open_id), None)
        return Picked(rows, today.isoformat(), opened, failure)

    def _pick_failed(self, failure: Failure) -> None:
        self._say(failure.text, error=True)
        if not self.loaded:
            self.set_timer(RETRY_SECONDS, self.action_reload)

    def _picked(self, picked: Picked) -> None:
        self.loaded = True
        self.today = picked.today
        self._show_filter()
        table = self.query_one("#ckp-table", DataTable)
        keep = table_key(table)
        self.sessions = {row["session_id"]: row for row in picked.rows}
        fill_table(
            table, picker_columns(), [(row["session_id"], picker_cells(row)) for row in picked.rows]
        )
        if keep in self.sessions:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        else:
            first_open = next(
                (i for i, row in enumerate(picked.rows) if row.get("status") == "open"), None
            )
            if first_open is not None:
                table.move_cursor(row=first_open, animate=False)
        if not picked.rows:
            self._say(
                t(
                    "checkin_desk.no_sessions_cluster"
                    if self.cluster
                    else "checkin_desk.no_sessions",
                    branch=self.actor.branch,
                )
            )
        elif picked.failure:
            self._say(picked.failure, error=True)
        elif picked.opened is None:
            self._say(t("checkin_desk.picker_hint"))
        if picked.opened is not None:
            self._say(t("checkin_desk.opened", session=session_label(picked.opened)))
            self._enter(picked.opened)

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

            self.app.push_screen(
                ConfirmOpenScreen(t("checkin_desk.confirm_open", session=session_label(row))),
                answered,
            )
        else:
            self._say(t("checkin_desk.not_open", status=status_name(status)), error=True)

    def _enter(self, row: SessionView) -> None:
        self.app.push_screen(DeskScreen(self.actor, row))
