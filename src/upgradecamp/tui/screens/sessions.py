"""The sessions view (财富升级会): this week's and upcoming sessions, by branch, with counts.

An organizer plans a session or a weekly series, edits, opens, closes or cancels one, and goes
on to its invite list or call list, all from here. The table follows the log: a session
planned or an invitation confirmed at another terminal shows within a poll, and the cursor
stays on the session it was on. This module holds the screen and its workers; how a session
is shown in the table is `session_rows.py`'s, the confirmation and the cancellation's reason are
`session_dialogs.py`'s (both imported here, so `sessions.ConfirmScreen` still names them).
"""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from upgradecamp.domain.clock import business_date
from upgradecamp.tui.errors import describe_error, error_detail
from upgradecamp.tui.i18n import t
from upgradecamp.tui.screens.live import LiveScreen
from upgradecamp.tui.screens.session_dialogs import CancelReasonScreen, ConfirmScreen
from upgradecamp.tui.screens.session_editor import SessionEditorScreen
from upgradecamp.tui.screens.session_rows import (
    COLUMNS,
    RIGHT_ALIGNED,
    result_message,
    session_cells,
    session_label,
    status_name,
    theme_width,
)
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets import fit
from upgradecamp.tui.widgets.message_line import MessageLine
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import cursor_place, fill_table, table_key
from upgradecamp.tui.workers import Failure, clock_of, in_place, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.commands import Command
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.sessions import SessionView
    from upgradecamp.service.bus import Services

# Where the keys `i` and `c` lead: built by the invitations area, opened only if present.
FOLLOW_ON_SCREENS = {
    "invites": ("upgradecamp.tui.screens.invite_builder", "InviteBuilderScreen"),
    "calls": ("upgradecamp.tui.screens.call_list", "CallListScreen"),
}


# -- the view -------------------------------------------------------------------------------
class SessionsScreen(LiveScreen):
    """This week's and upcoming sessions; keys plan, edit, open, close, cancel and invite."""

    AUTO_FOCUS = "#sessions-table"
    BINDINGS = [
        Binding("n", "new('new')", show=False, id="planning.new"),
        Binding("s", "new('series')", show=False, id="planning.series"),
        Binding("e", "edit", show=False, id="planning.edit"),
        Binding("o", "open_session", show=False, id="planning.open"),
        Binding("x", "close_session", show=False, id="planning.close"),
        Binding("d", "cancel_session", show=False, id="planning.cancel"),
        Binding("i", "follow_on('invites')", show=False, id="planning.invites"),
        Binding("c", "follow_on('calls')", show=False, id="planning.calls"),
        Binding("p", "paper('brief')", show=False, id="planning.brief"),
        Binding("k", "paper('cards')", show=False, id="planning.cards"),
        Binding("b", "next_branch", show=False, id="planning.branch"),
        Binding("v", "toggle_cancelled", show=False, id="planning.show_cancelled"),
        Binding("r", "reload", show=False, id="planning.reload"),
        Binding("escape", "back", show=False, id="planning.back"),
    ]
    DEFAULT_CSS = stylesheet("sessions_screen")

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.branch: str | None = None  # None: every branch
        self.branches: list[dict[str, Any]] = []
        self.show_cancelled = False
        self.sessions: dict[str, SessionView] = {}
        self.current_id: str | None = None
        self.today: date | None = None
        self.loaded = False
        self.load_failed = False

    def compose(self) -> ComposeResult:
        yield Static(t("planning.title"), id="sessions-title", classes="screen-title", markup=False)
        yield Static(self._filter_text(), id="sessions-filter", markup=False)
        yield DataTable(id="sessions-table", cursor_type="row", zebra_stripes=True)
        yield Static(t("home.loading"), id="sessions-detail", markup=False)
        yield MessageLine(id="sessions-message")
        yield Static(t("planning.keys"), id="sessions-keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        table = self.query_one("#sessions-table", DataTable)
        for column in COLUMNS:
            table.add_column(t(f"planning.col_{column}"), key=column)
        self.action_reload()

    def on_resize(self) -> None:
        if not in_place(self):
            return
        if self.loaded:
            self._fill_table()

    # -- loading --------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load_sessions(self.branch, self.show_cancelled)

    def load_sessions(self, branch: str | None, show_cancelled: bool) -> None:
        def load(services: Services) -> tuple[list[SessionView], list[dict[str, str]], date]:
            from upgradecamp.queries import branches
            from upgradecamp.queries.sessions import list_sessions

            today = business_date(services.clock())
            monday = today - timedelta(days=today.weekday())
            rows = list_sessions(
                services.engine, start=monday, branch=branch, include_cancelled=show_cancelled
            )
            return rows, branches(services.engine), today

        run_in_thread(self, load, self._loaded, self._load_failed, group="sessions-load")

    def _loaded(self, loaded: tuple[list[SessionView], list[dict[str, str]], date]) -> None:
        sessions, self.branches, self.today = loaded
        self.loaded = True
        if self.load_failed:
            self.load_failed = False
            self._say("")
        self.sessions = {row["session_id"]: row for row in sessions}
        self.query_one("#sessions-filter", Static).update(self._filter_text())
        self._fill_table()

    def _fill_table(self) -> None:
        table = self.query_one("#sessions-table", DataTable)
        today = self.today or business_date(clock_of(self.app))
        rows = list(self.sessions.values())
        cells = [session_cells(row, today) for row in rows]
        headers = {column: t(f"planning.col_{column}") for column in COLUMNS}
        width = theme_width(headers, cells, self.size.width)
        keep = cursor_place(table, self.current_id, 0)[0]
        shown = []
        for row, cell in zip(rows, cells, strict=True):
            cell["theme"] = fit(cell["theme"], width).rstrip()
            texts = [
                Text(cell[c].rjust(cell_len(headers[c])) if c in RIGHT_ALIGNED else cell[c])
                for c in COLUMNS
            ]
            shown.append((row["session_id"], texts))
        # Measured widths: left to the table, a refill with a longer theme kept the column at
        # its old width and cut the new theme (seen under load).
        fill_table(table, [headers[c] for c in COLUMNS], shown, keys=list(COLUMNS))
        if keep in self.sessions:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        self.current_id = self._cursor_id()
        self._show_detail()

    def _filter_text(self) -> str:
        if self.branch is None:
            branch = t("planning.all_branches")
        else:
            names = {b["code"]: b.get("name", "") for b in self.branches}
            branch = f"{self.branch} {names.get(self.branch, '')}".strip()
        key = "planning.filter_with_cancelled" if self.show_cancelled else "planning.filter"
        return t(key, branch=branch)

    def _cursor_id(self) -> str | None:
        return table_key(self.query_one("#sessions-table", DataTable))

    @on(DataTable.RowHighlighted, "#sessions-table")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        # The cursor's row when handled, not the event's: a reload may have moved it since.
        self.current_id = self._cursor_id()
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#sessions-detail", Static)
        row = self.highlighted()
        if row is None:
            detail.update(t("planning.empty") if self.loaded else t("home.loading"))
            return
        text = t(
            "planning.detail",
            session=row["session_id"],
            start=row.get("time", ""),
            end=row.get("end_time", ""),
            host=row.get("host", ""),
            host_name=row.get("host_name", ""),
            presenter=row.get("presenter", ""),
            presenter_name=row.get("presenter_name", ""),
        )
        if row.get("cancel_reason"):
            text = f"{text} · {t('planning.cancel_reason', reason=row['cancel_reason'])}"
        detail.update(text)

    def highlighted(self) -> SessionView | None:
        return self.sessions.get(self.current_id or "")

    def _load_failed(self, failure: Failure) -> None:
        self.load_failed = True
        self.retry_soon(failure)

    # -- filters --------------------------------------------------------------------------------
    def action_next_branch(self) -> None:
        codes = [None, *(b["code"] for b in self.branches)]
        position = codes.index(self.branch) if self.branch in codes else 0
        self.branch = codes[(position + 1) % len(codes)]
        self.query_one("#sessions-filter", Static).update(self._filter_text())
        self.action_reload()

    def action_toggle_cancelled(self) -> None:
        self.show_cancelled = not self.show_cancelled
        self.query_one("#sessions-filter", Static).update(self._filter_text())
        self.action_reload()

    # -- planning and editing -------------------------------------------------------------------
    def action_new(self, mode: str) -> None:
        self._say("")
        editor = SessionEditorScreen(self.actor, mode, branch=self.branch or self.actor.branch)
        self.app.push_screen(editor, lambda result: self._saved(mode, result))

    def action_edit(self) -> None:
        row = self._chosen()
        if row is None:
            return
        if row.get("status") != "planned":
            self._say(
                t("planning.edit_planned_only", status=status_name(row["status"])), error=True
            )
            return
        self._say("")
        self.app.push_screen(
            SessionEditorScreen(self.actor, "edit", session=row),
            lambda result: self._saved("edit", result),
        )

    def _saved(self, mode: str, result: dict[str, Any] | None) -> None:
        if result is None:
            return
        if mode == "edit":
            self.current_id = (result.get("session") or {}).get("session_id", self.current_id)
        elif result.get("sessions"):
            self.current_id = result["sessions"][0].get("session_id")
        self._say(result_message(mode, result))
        self.action_reload()

    def _chosen(self) -> SessionView | None:
        row = self.highlighted()
        if row is None:
            self._say(t("planning.choose_first"), error=True)
        return row

    # -- open, close, cancel --------------------------------------------------------------------
    def action_open_session(self) -> None:
        row = self._chosen()
        if row is None:
            return
        from upgradecamp.domain.commands.sessions import OpenSession

        self._ask(
            t("planning.confirm_open", session=session_label(row)),
            OpenSession(session_id=row["session_id"]),
            "planning.opened",
            row,
        )

    def action_close_session(self) -> None:
        row = self._chosen()
        if row is None:
            return
        from upgradecamp.domain.commands.sessions import CloseSession

        self._ask(
            t("planning.confirm_close", session=session_label(row)),
            CloseSession(session_id=row["session_id"]),
            "planning.closed",
            row,
        )

    def _ask(self, question: str, command: Command, done_key: str, row: SessionView) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._say(t("planning.working"))
                self.run_command(command, done_key, session_label(row))

        self.app.push_screen(ConfirmScreen(question), answered)

    def action_cancel_session(self) -> None:
        row = self._chosen()
        if row is None:
            return
        from upgradecamp.domain.commands.sessions import CancelSession

        def reason_given(reason: str | None) -> None:
            if reason:
                self._say(t("planning.working"))
                self.run_command(
                    CancelSession(session_id=row["session_id"], reason=reason),
                    "planning.cancelled",
                    session_label(row),
                )

        self.app.push_screen(CancelReasonScreen(session_label(row)), reason_given)

    def run_command(self, command: Command, done_key: str, label: str) -> None:
        def execute(services: Services) -> int:
            result = services.execute(command, self.actor)
            return len(result.get("to_tell") or []) if isinstance(result, dict) else 0

        def done(told: int) -> None:
            self._say(t(done_key, session=label, count=told))
            self.action_reload()
            if done_key == "planning.cancelled" and told and self.actor.may("invites.manage"):
                # The invitees are to be told: offer the SMS file (their calls are listed).
                session_id = getattr(command, "session_id", "")  # a CancelSession
                self._paper(session_id, "cancel_sms", t("paper.sms_offer", count=told))

        run_in_thread(self, execute, done, self._refused, group="sessions-command", exclusive=False)

    def _refused(self, failure: Failure) -> None:
        self._say(failure.text, error=True)

    # -- the session's paper (paper_export.py) --------------------------------------------------
    def action_paper(self, kind: str) -> None:
        row = self._chosen()
        if row is not None:
            self._say("")
            self._paper(row["session_id"], kind)

    def _paper(self, session_id: str, kind: str, intro: str = "") -> None:
        from upgradecamp.tui.screens.paper_export import PaperExportScreen

        self.app.push_screen(PaperExportScreen(self.actor, session_id, kind, intro))

    # -- the invite builder and the call list ---------------------------------------------------
    def action_follow_on(self, which: str) -> None:
        row = self._chosen()
        if row is None:
            return
        module_name, class_name = FOLLOW_ON_SCREENS[which]
        what = t(f"planning.{which}")
        try:
            screen_class = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as exc:
            self._say(t("planning.not_available", what=what, detail=error_detail(exc)), error=True)
            return
        try:
            screen = screen_class(self.actor, row["session_id"])
        except Exception as exc:  # a broken screen must not take this one down with it
            self._say(describe_error(exc), error=True)
            return
        self._say("")
        self.app.push_screen(screen)
