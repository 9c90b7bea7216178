"""The check-in desk's door (签到台): one open session, a queue of clients signed in at the door.

`DeskScreen` is one search field that keeps the focus. It takes a check-in code (typed, or a
scanner's keystrokes and Enter: a code goes straight to the check-in), Chinese characters,
pinyin (`zs`, `zhangs`) or a mobile's last 4 digits; results follow the typing (invitees
still expected first, then those already in, then everyone else), ↑/↓ move in them and Enter
takes the highlighted client: an invitee goes in, someone already in is answered (who, where,
when) and someone not invited is asked about once before a walk-in. The field clears at once
for the next person, so a family takes one Enter each. The board at the top (expected,
arrived, walk-ins, free seats, the waiting list) and the recent list reload whenever any
terminal writes. What happens once a person is
chosen (the check-in, overrides, walk-ins, referrers, annulments) is `checkin_actions.py`; the
session picker that opens this screen is `checkin_desk.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from upgradecamp.tui.i18n import t
from upgradecamp.tui.messages import LogAdvanced
from upgradecamp.tui.screens.checkin_actions import DeskActions
from upgradecamp.tui.screens.checkin_cells import (
    recent_cells,
    recent_columns,
    session_label,
    status_name,
)
from upgradecamp.tui.screens.checkin_dialogs import (
    SEARCH_DELAY,
    ResultsTable,
    SearchDone,
    result_cells,
    result_columns,
    search_in_thread,
)
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.ordered_fields import ENTER, OrderedFields, OrderedInput
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import fill_table, table_key
from upgradecamp.tui.workers import Failure, in_place, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.checkins import RecentCheckIn, SessionBoard
    from upgradecamp.queries.search import SearchResult
    from upgradecamp.queries.sessions import SessionView
    from upgradecamp.service.bus import Services

RECENT_ROWS = 8


class DeskScreen(OrderedFields, DeskActions):
    """One session's door: the search field, results, the live board and recent check-ins."""

    AUTO_FOCUS = "#ck-search"
    HELP_EXTRA = (("enter", "help.extra.desk_enter"), ("tab", "help.extra.desk_tab"))
    BINDINGS = [
        Binding("up", "move(-1)", show=False, id="checkin_desk.up"),
        Binding("down", "move(1)", show=False, id="checkin_desk.down"),
        Binding("f2", "prospect", show=False, id="checkin_desk.prospect"),
        Binding("f3", "referrer", show=False, id="checkin_desk.referrer"),
        Binding("f4", "room", show=False, id="checkin_desk.room"),
        Binding("f8", "annul", show=False, id="checkin_desk.annul"),
        Binding("escape", "escape", show=False, id="checkin_desk.escape"),
        ENTER,
    ]
    FIELD_ORDER = ("ck-search",)
    DEFAULT_CSS = stylesheet("desk_screen")

    def __init__(self, actor: Actor, session: SessionView) -> None:
        super().__init__()
        self.actor = actor
        self.session = session
        self.session_id: str = session["session_id"]
        self.board: SessionBoard | None = None
        self.results: dict[str, SearchResult] = {}
        self.results_for = ""
        self.recent: dict[str, RecentCheckIn] = {}
        self.referrer: SearchResult | None = None
        self.code_failed = ""  # a code the desk refused: Enter on it again takes the results
        self.enter_waiting = ""  # Enter came before the results of this text
        self.refused_for: str | None = None  # the text a refusal shown is about
        self.last_prospect: dict[str, str] = {}
        self._seq = 0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            t("checkin_desk.desk_title", session=session_label(self.session)),
            classes="screen-title",
            markup=False,
        )
        yield Static(t("home.loading"), id="ck-board", markup=False)
        yield OrderedInput(
            id="ck-search", max_length=80, segments=True, placeholder=t("checkin_desk.placeholder")
        )
        yield Static("", id="ck-referrer", markup=False)
        yield ResultsTable(id="ck-results", cursor_type="row")
        yield Static("", id="ck-message", markup=False)
        yield Static(t("checkin_desk.recent_title"), id="ck-recent-title", markup=False)
        yield DataTable(id="ck-recent", cursor_type="row", zebra_stripes=True)
        yield Static(t("checkin_desk.keys"), id="ck-keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        fill_table(self.query_one("#ck-results", ResultsTable), result_columns(), [])
        fill_table(self.query_one("#ck-recent", DataTable), recent_columns(), [])
        self.query_one("#ck-referrer", Static).display = False
        self._fit_height()
        self.reload()

    def on_resize(self) -> None:
        if not in_place(self):
            return
        self._fit_height()

    def _fit_height(self) -> None:
        self.query_one("#ck-recent", DataTable).styles.height = (
            RECENT_ROWS + 1 if self.size.height >= 34 else 5
        )

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        if in_place(self):  # not on a screen the app is taking down
            self.refresh_all()

    def on_screen_resume(self) -> None:
        # Back from a dialog: what other desks did meanwhile was not seen here.
        self.query_one("#ck-search", Input).focus()
        self.refresh_all()

    def refresh_all(self) -> None:
        """The board, the recent list and the results shown (their already-in markers)."""
        self.reload()
        text = self.query_one("#ck-search", Input).value.strip()
        if text and text == self.results_for:  # else a search of the typed text is on its way
            if self._timer is not None:
                self._timer.stop()
            self._seq += 1
            self._search(self._seq, text)

    # -- the board and the recent check-ins -------------------------------------------------------
    def reload(self) -> None:
        self._load_board()

    def _load_board(self) -> None:
        def load(services: Services) -> tuple[SessionBoard | None, list[RecentCheckIn]]:
            from upgradecamp.queries.checkins import board, recent_checkins

            return (
                board(services.engine, self.session_id),
                recent_checkins(services.engine, self.session_id, RECENT_ROWS),
            )

        run_in_thread(self, load, self._board_loaded, self._board_failed, group="ck-board")

    def _board_failed(self, failure: Failure) -> None:
        view = self.query_one("#ck-board", Static)
        view.update(failure.text)
        view.set_class(True, "-error")

    def _board_loaded(self, loaded: tuple[SessionBoard | None, list[RecentCheckIn]]) -> None:
        board, recent = loaded
        view = self.query_one("#ck-board", Static)
        if board is None:
            view.update(t("checkin_desk.no_session", session=self.session_id))
            view.set_class(True, "-error")
            return
        shown = self.board = board
        view.set_class(False, "-error")
        view.set_class(shown.free_seats <= 0, "-full")
        text = t(
            "checkin_desk.board",
            expected=shown.expected,
            arrived=shown.arrived,
            walk_ins=shown.walk_ins,
            free=shown.free_seats,
            capacity=shown.capacity,
            waiting=shown.still_expected,
        )
        if shown.waiting_list:
            first = shown.waiting_list[0]
            text += t(
                "door.board_waiting",
                count=len(shown.waiting_list),
                name=f"{first.name} ({first.mobile_masked})",
            )
        if shown.status != "open":
            status = status_name(shown.status)
            text = f"{text} · {t('checkin_desk.session_status', status=status)}"
        view.update(text)
        self._show_recent(recent)

    def _show_recent(self, rows: list[RecentCheckIn]) -> None:
        table = self.query_one("#ck-recent", DataTable)
        keep = table_key(table)
        at_top = table.cursor_row == 0
        self.recent = {row.checkin_id: row for row in rows}
        fill_table(table, recent_columns(), [(row.checkin_id, recent_cells(row)) for row in rows])
        if keep in self.recent and not at_top:
            table.move_cursor(row=table.get_row_index(keep), animate=False)

    # -- searching -------------------------------------------------------------------------------
    @on(Input.Changed, "#ck-search")
    def _changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._seq += 1
        text = event.value.strip()
        if text != self.enter_waiting:
            self.enter_waiting = ""
        if self.refused_for is not None and text != self.refused_for:
            self.refused_for = None  # the refusal was about the text just changed: it goes
            self.say("")
        if not text:
            self._show_results([], "")
            return
        seq = self._seq
        self._timer = self.set_timer(SEARCH_DELAY, lambda: self._search(seq, text))

    def _search(self, seq: int, text: str) -> None:
        search_in_thread(self, seq, text, self.session_id, self._found, group="ck-search")

    def _found(self, message: SearchDone) -> None:
        if message.seq != self._seq:
            return  # typing went on: a newer search is coming
        if message.problem:
            self.say(message.problem, error=True)
            return
        self._show_results(message.rows, message.text)
        if self.enter_waiting and self.enter_waiting == message.text:
            self.enter_waiting = ""
            refused_code = message.text == self.code_failed
            if len(message.rows) == 1 and not (refused_code and message.rows[0].match == "code"):
                self._check_in_row(message.rows[0], message.text)
            elif message.rows and not refused_code:
                self.say(t("checkin_desk.choose_one", count=len(message.rows)))
            elif not message.rows and not refused_code:
                self.say(t("checkin_desk.nobody_found", text=message.text), error=True)
            # else the code's refusal stays on the line, the results under it: a code of
            # another session's invitation is not taken as a walk-in without a look.

    def _show_results(self, rows: list[SearchResult], text: str) -> None:
        table = self.query_one("#ck-results", ResultsTable)
        keep = table_key(table) if text == self.results_for else None
        self.results = {row.client_id: row for row in rows}
        self.results_for = text
        fill_table(table, result_columns(), [(row.client_id, result_cells(row)) for row in rows])
        if keep in self.results:
            table.move_cursor(row=table.get_row_index(keep), animate=False)

    def action_move(self, step: int) -> None:
        table = self.query_one("#ck-results", ResultsTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.cursor_row + step, table.row_count - 1)))

    def highlighted(self) -> SearchResult | None:
        return self.results.get(table_key(self.query_one("#ck-results", ResultsTable)) or "")

    # -- Enter: a code, or the highlighted result (sent by DeskActions) --------------------------
    def fields_complete(self, values: dict[str, str]) -> None:
        """Enter: what was typed since the Enter before (a scanner sends code, Enter, code,
        Enter faster than a check-in: each is its own)."""
        from upgradecamp.domain.invitations import looks_like_code

        raw = values["ck-search"]
        self.query_one("#ck-search", OrderedInput).release(raw)
        text = raw.strip()
        if not text:
            self.say(t("checkin_desk.type_first"))
            return
        loaded = self.results_for == text
        if (
            looks_like_code(text)
            and text != self.code_failed
            and not (loaded and all(row.match != "code" for row in self.results.values()))
        ):
            # A code (a scanner is faster than the search): straight to the check-in. Only
            # when the results already say no invitation has this code is it taken as pinyin.
            self._start({"code": text}, text, text)
            return
        if loaded:
            row = self.highlighted()
            if row is None:
                self.say(t("checkin_desk.nobody_found", text=text), error=True)
                return
            self._check_in_row(row, text)
            return
        # Enter came before the results (fast typing): act when they arrive.
        self.enter_waiting = text
        if self._timer is not None:
            self._timer.stop()
        self._seq += 1
        self._search(self._seq, text)

    def say(self, text: str, *, ok: bool = False, error: bool = False) -> None:
        view = self.query_one("#ck-message", Static)
        view.update(text)
        view.set_class(ok, "-ok")
        view.set_class(error, "-error")

    def action_room(self) -> None:
        """Everyone in the room, searchable (F4)."""
        from upgradecamp.tui.screens.checkin_room import RoomScreen

        self.app.push_screen(RoomScreen(self.session_id))

    def action_escape(self) -> None:
        search = self.query_one("#ck-search", Input)
        if not search.has_focus:
            search.focus()
        elif search.value:
            search.value = ""
        elif self.referrer is not None:
            self._set_referrer(None)
            self.say(t("checkin_desk.referrer_cleared"))
        else:
            self.app.pop_screen()
