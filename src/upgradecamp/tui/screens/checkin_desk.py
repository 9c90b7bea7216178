"""The check-in desk (签到台): pick today's session, then sign a queue of clients in at the door.

`CheckInDeskScreen` lists today's sessions of the desk's branch (b: the whole cluster); Enter
takes the highlighted one, and a planned one is opened first (with a yes/no). `DeskScreen` is
the desk itself: one search field that keeps the focus. It takes a check-in code (typed, or a
scanner's keystrokes and Enter: a code goes straight to the check-in), Chinese characters,
pinyin (`zs`, `zhangs`) or a mobile's last 4 digits; results follow the typing, ↑/↓ move in
them and Enter checks the highlighted client in. The field clears at once for the next person,
so a family takes one Enter each. F2 adds a walk-in prospect, F3 records who brought the
client, F8 annuls the check-in highlighted in the recent list (Tab moves there). A walk-in
into a full room asks for an organizer's override. The board at the top (expected, arrived,
walk-ins, free seats) and the recent list reload whenever any terminal writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from upgradecamp.tui.app import LogAdvanced, describe_error
from upgradecamp.tui.i18n import has, t
from upgradecamp.tui.screens.checkin_dialogs import (
    NAME_CELLS,
    SEARCH_DELAY,
    AnnulScreen,
    ConfirmOpenScreen,
    OverrideScreen,
    ProspectScreen,
    ReferrerScreen,
    ResultsTable,
    SearchDone,
    result_cells,
    result_columns,
    run_search,
)
from upgradecamp.tui.widgets import fit
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import fill_table, table_key

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor

RECENT_ROWS = 8
THEME_CELLS = 24
RETRY_SECONDS = 2.0
# Refusals after which the text typed is given back to the field to correct.
KEEP_TEXT_AFTER = frozenset({"checkin_code_unknown", "client_not_found", "checkin_needs_one",
                             "checkin_referrer_unknown", "checkin_referrer_self"})
# Refusals of an override that the organizer can put right by typing again.
OVERRIDE_FAILED = frozenset({"wrong_pin", "checkin_override_needs_pin",
                             "checkin_override_not_organizer",
                             "unknown_staff"})


def status_name(status: str | None) -> str:
    key = f"checkin_desk.status.{status}"
    return t(key) if has(key) else str(status or "")


def session_label(row: dict[str, Any]) -> str:
    return t("checkin_desk.session_label", time=row.get("time", ""), venue=row.get("venue", ""),
             theme=row.get("theme", ""), branch=row.get("branch", ""))


def error_code(exc: BaseException) -> str:
    return str(getattr(exc, "code", "") or "")


def picker_columns() -> list[str]:
    return [t(f"checkin_desk.pcol_{column}") for column in
            ("time", "branch", "venue", "theme", "status", "seats", "invited")]


def picker_cells(row: dict[str, Any]) -> list[Text]:
    return [Text(str(row.get("time") or "")), Text(str(row.get("branch") or "")),
            Text(str(row.get("venue") or "")),
            Text(fit(str(row.get("theme") or ""), THEME_CELLS).rstrip()),
            Text(status_name(row.get("status"))),
            Text(f"{row.get('attended', 0)}/{row.get('capacity', 0)}"),
            Text(str(row.get("invited", 0)))]


def recent_columns() -> list[str]:
    return [t("checkin_desk.rcol_time"), t("checkin_desk.col_name"),
            t("checkin_desk.col_mobile"), t("checkin_desk.rcol_kind"),
            t("checkin_desk.rcol_by"), t("checkin_desk.rcol_terminal"),
            t("checkin_desk.rcol_note")]


def recent_cells(row: dict[str, Any]) -> list[Text]:
    """One recent check-in: time, name, masked mobile, kind, by, terminal, note."""
    if row.get("annulled"):
        note = t("checkin_desk.annulled", reason=str(row.get("annul_reason") or ""))
    else:
        parts = []
        if row.get("override_by"):
            parts.append(t("checkin_desk.override_note", staff=row["override_by"]))
        if row.get("referred_by"):
            parts.append(t("checkin_desk.referral_note", client=row["referred_by"]))
        note = " ".join(parts)
    kind = t("checkin_desk.kind_walk_in" if row.get("walk_in") else "checkin_desk.kind_invited")
    style = "dim strike" if row.get("annulled") else ""
    return [Text(str(row.get("time") or "")),
            Text(fit(str(row.get("name") or ""), NAME_CELLS).rstrip(), style=style),
            Text(str(row.get("mobile") or "")), Text(kind), Text(str(row.get("by") or "")),
            Text(str(row.get("terminal") or "")), Text(note)]


# -- the session picker -------------------------------------------------------------------------
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


# -- the desk -----------------------------------------------------------------------------------
class BoardLoaded(Message):
    def __init__(self, board: dict[str, Any] | None, recent: list[dict[str, Any]],
                 problem: str | None = None) -> None:
        super().__init__()
        self.board = board
        self.recent = recent
        self.problem = problem


class CheckInDone(Message):
    """A check-in (or annulment) finished: `text` for the result line, or a refusal."""

    def __init__(self, text: str, *, ok: bool, typed: str = "", code: str = "",
                 retry: dict[str, Any] | None = None, params: dict[str, Any] | None = None,
                 referrer_used: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.ok = ok
        self.typed = typed
        self.code = code
        self.retry = retry  # the CheckIn fields to send again with an override
        self.params = params or {}
        self.referrer_used = referrer_used


class DeskScreen(Screen[None]):
    """One session's door: the search field, results, the live board and recent check-ins."""

    AUTO_FOCUS = "#ck-search"
    BINDINGS = [
        Binding("up", "move(-1)", show=False, id="checkin_desk.up"),
        Binding("down", "move(1)", show=False, id="checkin_desk.down"),
        Binding("f2", "prospect", show=False, id="checkin_desk.prospect"),
        Binding("f3", "referrer", show=False, id="checkin_desk.referrer"),
        Binding("f8", "annul", show=False, id="checkin_desk.annul"),
        Binding("escape", "escape", show=False, id="checkin_desk.escape"),
    ]
    DEFAULT_CSS = """
    DeskScreen #ck-board {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    DeskScreen #ck-board.-full {
        color: $warning;
    }
    DeskScreen #ck-search {
        margin: 0 1;
    }
    DeskScreen #ck-referrer {
        height: 1;
        padding: 0 1;
        color: $accent;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    DeskScreen #ck-results {
        height: 1fr;
        margin: 0 1;
    }
    DeskScreen #ck-message {
        height: auto;
        min-height: 1;
        max-height: 2;
        padding: 0 1;
        text-style: bold;
    }
    DeskScreen #ck-message.-ok {
        color: $success;
    }
    DeskScreen #ck-recent-title {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    DeskScreen #ck-keys {
        height: auto;
        max-height: 2;
        padding: 0 1;
        color: $text-muted;
    }
    DeskScreen #ck-recent {
        height: 5;
        margin: 0 1;
    }
    """

    def __init__(self, actor: Actor, session: dict[str, Any]) -> None:
        super().__init__()
        self.actor = actor
        self.session = session
        self.session_id: str = session["session_id"]
        self.board: dict[str, Any] | None = None
        self.results: dict[str, dict[str, Any]] = {}
        self.results_for = ""
        self.recent: dict[str, dict[str, Any]] = {}
        self.referrer: dict[str, Any] | None = None
        self.code_failed = ""  # a code the desk refused: Enter on it again takes the results
        self.enter_waiting = ""  # Enter came before the results of this text
        self.last_prospect: dict[str, str] = {}
        self._seq = 0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(t("checkin_desk.desk_title", session=session_label(self.session)),
                     classes="screen-title", markup=False)
        yield Static(t("home.loading"), id="ck-board", markup=False)
        yield Input(id="ck-search", max_length=40, placeholder=t("checkin_desk.placeholder"))
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
        self._fit_height()

    def _fit_height(self) -> None:
        self.query_one("#ck-recent", DataTable).styles.height = (
            RECENT_ROWS + 1 if self.size.height >= 34 else 5)

    def on_log_advanced(self, _message: LogAdvanced) -> None:
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

    @work(thread=True, exclusive=True, group="ck-board", exit_on_error=False)
    def _load_board(self) -> None:
        try:
            services = self.app.get_services()
            from upgradecamp.queries.checkins import board, recent_checkins

            shown = board(services.engine, self.session_id)
            recent = recent_checkins(services.engine, self.session_id, RECENT_ROWS)
        except Exception as exc:  # shown on the board line; the next log change retries
            self.post_message(BoardLoaded(None, [], describe_error(exc)))
            return
        self.post_message(BoardLoaded(shown, recent))

    def on_board_loaded(self, message: BoardLoaded) -> None:
        view = self.query_one("#ck-board", Static)
        if message.problem or message.board is None:
            view.update(message.problem or t("checkin_desk.no_session", session=self.session_id))
            view.set_class(True, "-error")
            return
        shown = self.board = message.board
        view.set_class(False, "-error")
        view.set_class(shown["free_seats"] <= 0, "-full")
        text = t("checkin_desk.board", expected=shown["expected"], arrived=shown["arrived"],
                 walk_ins=shown["walk_ins"], free=shown["free_seats"],
                 capacity=shown["capacity"], waiting=shown["still_expected"])
        if shown.get("status") != "open":
            status = status_name(shown.get("status"))
            text = f"{text} · {t('checkin_desk.session_status', status=status)}"
        view.update(text)
        self._show_recent(message.recent)

    def _show_recent(self, rows: list[dict[str, Any]]) -> None:
        table = self.query_one("#ck-recent", DataTable)
        keep = table_key(table)
        at_top = table.cursor_row == 0
        self.recent = {row["checkin_id"]: row for row in rows}
        fill_table(table, recent_columns(), [(row["checkin_id"], recent_cells(row))
                                             for row in rows])
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
        if not text:
            self._show_results([], "")
            return
        seq = self._seq
        self._timer = self.set_timer(SEARCH_DELAY, lambda: self._search(seq, text))

    @work(thread=True, exclusive=True, group="ck-search", exit_on_error=False)
    def _search(self, seq: int, text: str) -> None:
        try:
            rows = run_search(self.app, text, self.session_id)
        except Exception as exc:  # shown on the result line; typing again retries
            self.post_message(SearchDone(seq, text, [], describe_error(exc)))
            return
        self.post_message(SearchDone(seq, text, rows))

    def on_search_done(self, message: SearchDone) -> None:
        if message.seq != self._seq:
            return  # typing went on: a newer search is coming
        if message.problem:
            self.say(message.problem, error=True)
            return
        self._show_results(message.rows, message.text)
        if self.enter_waiting and self.enter_waiting == message.text:
            self.enter_waiting = ""
            refused_code = message.text == self.code_failed
            if len(message.rows) == 1 and not (refused_code
                                               and message.rows[0].get("match") == "code"):
                self._check_in_row(message.rows[0], message.text)
            elif message.rows and not refused_code:
                self.say(t("checkin_desk.choose_one", count=len(message.rows)))
            elif not message.rows and not refused_code:
                self.say(t("checkin_desk.nobody_found", text=message.text), error=True)
            # else the code's refusal stays on the line, the results under it: a code of
            # another session's invitation is not taken as a walk-in without a look.

    def _show_results(self, rows: list[dict[str, Any]], text: str) -> None:
        table = self.query_one("#ck-results", ResultsTable)
        keep = table_key(table) if text == self.results_for else None
        self.results = {row["client_id"]: row for row in rows}
        self.results_for = text
        fill_table(table, result_columns(), [(row["client_id"], result_cells(row))
                                             for row in rows])
        if keep in self.results:
            table.move_cursor(row=table.get_row_index(keep), animate=False)

    def action_move(self, step: int) -> None:
        table = self.query_one("#ck-results", ResultsTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.cursor_row + step, table.row_count - 1)))

    def highlighted(self) -> dict[str, Any] | None:
        return self.results.get(table_key(self.query_one("#ck-results", ResultsTable)) or "")

    # -- checking in -----------------------------------------------------------------------------
    @on(Input.Submitted, "#ck-search")
    def _submitted(self, event: Input.Submitted) -> None:
        from upgradecamp.domain.invitations import looks_like_code

        text = event.value.strip()
        if not text:
            self.say(t("checkin_desk.type_first"))
            return
        loaded = self.results_for == text
        if looks_like_code(text) and text != self.code_failed and not (
                loaded and all(row.get("match") != "code" for row in self.results.values())):
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

    def _check_in_row(self, row: dict[str, Any], typed: str) -> None:
        self._start({"client_id": row["client_id"]}, str(row.get("name") or ""), typed)

    def _start(self, fields: dict[str, Any], label: str, typed: str) -> None:
        """Send one check-in; the field clears at once for the next person."""
        search = self.query_one("#ck-search", Input)
        if search.value.strip() == typed:
            search.value = ""
        search.focus()
        referrer = self.referrer["client_id"] if self.referrer else None
        self.say(t("checkin_desk.working", name=label))
        self._send({**fields, "referred_by": referrer}, label, typed)

    @work(thread=True, group="ck-checkin", exit_on_error=False)
    def _send(self, fields: dict[str, Any], label: str, typed: str) -> None:
        services = None
        try:
            services = self.app.get_services()
            from upgradecamp.domain.commands.checkins import CheckIn
            from upgradecamp.queries.checkins import board

            result = services.execute(CheckIn(session_id=self.session_id, **fields), self.actor)
            if not result:  # nothing recorded (a wrong override PIN is refused after commit)
                raise RuntimeError("nothing recorded")
            shown = board(services.engine, self.session_id) or {}
        except Exception as exc:  # the refusal, in the user's language
            self.post_message(self._refusal(exc, services, fields, label, typed))
            return
        self.post_message(CheckInDone(self._success(result, shown, label), ok=True,
                                      referrer_used=fields.get("referred_by")))

    def _success(self, result: dict[str, Any], shown: dict[str, Any], label: str) -> str:
        name = str(result.get("name") or label)
        text = t("checkin_desk.checked_in", name=name, seat=shown.get("arrived", "?"),
                 capacity=shown.get("capacity", "?"))
        extras = []
        if result.get("prospect"):
            extras.append(t("checkin_desk.new_prospect", client=result.get("client_id", "")))
        elif result.get("walk_in"):
            extras.append(t("checkin_desk.kind_walk_in"))
        if result.get("override_by"):
            extras.append(t("checkin_desk.override_note", staff=result["override_by"]))
        if result.get("referred_by"):
            extras.append(t("checkin_desk.referral_note", client=result["referred_by"]))
        return " · ".join([text, *extras])

    def _refusal(self, exc: BaseException, services: Any, fields: dict[str, Any], label: str,
                 typed: str) -> CheckInDone:
        code = error_code(exc)
        params = dict(getattr(exc, "params", {}) or {})
        if code == "already_checked_in":
            name = label
            if fields.get("code"):  # the code was all the desk knew: name the client
                name = self._name_of(services, str(params.get("client") or "")) or label
            text = t("checkin_desk.already_in", name=name, by=params.get("by", ""),
                     terminal=params.get("terminal", ""), at=params.get("at", ""))
        elif code == "session_full":
            text = t("checkin_desk.full", name=label, capacity=params.get("capacity", ""))
        else:
            text = t("checkin_desk.refused", name=label, reason=describe_error(exc))
        retry = None
        if code == "session_full" or (fields.get("override_code") and code in OVERRIDE_FAILED):
            retry = {k: v for k, v in fields.items() if not k.startswith("override_")}
            retry["label"] = label
        return CheckInDone(text, ok=False, typed=typed, code=code, retry=retry, params=params)

    def _name_of(self, services: Any, client_id: str) -> str:
        """A client's name for a refusal: from what the desk shows, else looked up."""
        for rows in (list(self.recent.values()), list(self.results.values())):
            for row in rows:
                if row.get("client_id") == client_id and row.get("name"):
                    return str(row["name"])
        if services is None or not client_id:
            return client_id
        try:
            found = run_search(self.app, client_id, self.session_id, limit=1)
        except Exception:  # the name is a nicety: the client id is shown instead
            return client_id
        return str(found[0].get("name") or client_id) if found else client_id

    def on_check_in_done(self, message: CheckInDone) -> None:
        self.say(message.text, ok=message.ok, error=not message.ok)
        search = self.query_one("#ck-search", Input)
        if message.ok:
            if self.referrer and self.referrer["client_id"] == message.referrer_used:
                self._set_referrer(None)
            self.code_failed = ""
            self.last_prospect = {}
        elif message.code in KEEP_TEXT_AFTER and message.typed and not search.value:
            if message.code == "checkin_code_unknown":
                self.code_failed = message.typed
                if message.typed.isalpha():  # `wanghu` may be pinyin: one match is taken
                    self.enter_waiting = message.typed
            search.value = message.typed
            search.cursor_position = len(message.typed)
        elif message.code == "checkin_known_mobile" and message.params.get("client"):
            self.last_prospect = {}
            search.value = str(message.params["client"])  # that client, ready for Enter
        if message.retry is not None:
            self._ask_override(message.text, message.retry)
        search.focus()
        self.reload()

    def _ask_override(self, text: str, fields: dict[str, Any]) -> None:
        def given(answer: dict[str, str] | None) -> None:
            self.query_one("#ck-search", Input).focus()
            if not answer:
                self.say(t("checkin_desk.override_cancelled", name=fields.get("label", "")))
                return
            retry = {k: v for k, v in fields.items() if k != "label"}
            retry.update(override_code=answer["code"], override_pin=answer["pin"])
            self.say(t("checkin_desk.working", name=fields.get("label", "")))
            self._send(retry, str(fields.get("label", "")), "")

        self.app.push_screen(OverrideScreen(text), given)

    def say(self, text: str, *, ok: bool = False, error: bool = False) -> None:
        view = self.query_one("#ck-message", Static)
        view.update(text)
        view.set_class(ok, "-ok")
        view.set_class(error, "-error")

    # -- walk-ins, referrals, annulments ---------------------------------------------------------
    def action_prospect(self) -> None:
        from upgradecamp.domain.names import is_cjk

        typed = self.query_one("#ck-search", Input).value.strip()
        name = self.last_prospect.get("name", "")
        mobile = self.last_prospect.get("mobile", "")
        if not name and any(map(is_cjk, typed)):
            name = typed
        referrer = self._referrer_text()

        def given(answer: dict[str, str] | None) -> None:
            self.query_one("#ck-search", Input).focus()
            if not answer:
                return
            self.last_prospect = answer
            self._start({"prospect_name": answer["name"], "prospect_mobile": answer["mobile"]},
                        answer["name"], typed)

        self.app.push_screen(ProspectScreen(name, mobile, referrer), given)

    def action_referrer(self) -> None:
        def given(row: dict[str, Any] | None) -> None:
            self.query_one("#ck-search", Input).focus()
            if row:
                self._set_referrer(row)

        self.app.push_screen(ReferrerScreen(self.session_id), given)

    def _referrer_text(self) -> str:
        if not self.referrer:
            return ""
        return f"{self.referrer.get('name', '')} ({self.referrer['client_id']})"

    def _set_referrer(self, row: dict[str, Any] | None) -> None:
        self.referrer = row
        line = self.query_one("#ck-referrer", Static)
        line.display = row is not None
        line.update(t("checkin_desk.referrer_set", referrer=self._referrer_text()) if row else "")

    def action_annul(self) -> None:
        row = self.recent.get(table_key(self.query_one("#ck-recent", DataTable)) or "")
        if row is None:
            self.say(t("checkin_desk.nothing_to_annul"), error=True)
            return
        if row.get("annulled"):
            self.say(t("checkin_desk.already_annulled", name=row.get("name", "")), error=True)
            return
        label = t("checkin_desk.annul_which", name=row.get("name", ""), time=row.get("time", ""),
                  by=row.get("by", ""), terminal=row.get("terminal", ""))

        def given(reason: str | None) -> None:
            self.query_one("#ck-search", Input).focus()
            if reason:
                self._annul(row["checkin_id"], str(row.get("name") or ""), reason)

        self.app.push_screen(AnnulScreen(label), given)

    @work(thread=True, group="ck-checkin", exit_on_error=False)
    def _annul(self, checkin_id: str, name: str, reason: str) -> None:
        try:
            from upgradecamp.domain.commands.checkins import AnnulCheckIn

            self.app.get_services().execute(AnnulCheckIn(checkin_id=checkin_id, reason=reason),
                                            self.actor)
        except Exception as exc:  # the refusal, in the user's language
            self.post_message(CheckInDone(t("checkin_desk.refused", name=name,
                                            reason=describe_error(exc)), ok=False))
            return
        self.post_message(CheckInDone(t("checkin_desk.annul_done", name=name, reason=reason),
                                      ok=True))

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
