"""The branch head's approval desk (审批台): a live first-come-first-served queue of forms.

The queue follows the log: a form submitted at any terminal shows within a poll (about a
second) without a key press, a form decided elsewhere leaves it, and the cursor stays on the
form it was on. Each form's waiting time is refreshed every few seconds from the clock alone.
Beside (or, on a narrow terminal, below) the queue is the highlighted form: session, client
(masked mobile), marketer, the lines with their calculation breakdown, fixed actions,
appointment, totals, and the client's tier before and after.

Keys: `a` approves (the PIN again, in a dialog that stays on a wrong PIN), `j` rejects and `r`
returns (each with a required reason), `v` switches to today's approved forms awaiting their
photo, where `p` marks it taken. A branch head sees the forms of their branch's sessions; the
core branch's head (and an admin) sees every branch. Every refusal, such as a form decided at
another terminal, is said in the user's language with who decided it, where and when.

This module holds the screen: its layout, loading, the list and the detail panes. The words of
the list are `approval_list.py`, the detail's text `approval_detail.py`, the decisions (keys
a, j, r, p) `approval_decisions.py` and their dialogs `approval_dialogs.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from upgradecamp.domain.clock import Clock
from upgradecamp.i18n import name_of
from upgradecamp.tui.i18n import t
from upgradecamp.tui.screens.approval_decisions import DeskDecisions
from upgradecamp.tui.screens.approval_detail import detail_foot, detail_head, detail_lines
from upgradecamp.tui.screens.approval_list import (
    Names,
    list_cells,
    list_columns,
    wait_cell,
    waiting_text,
)
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.message_line import MessageLine
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import cursor_place, fill_table, table_key
from upgradecamp.tui.workers import Failure, clock_of, in_place, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.commands import Command
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.forms import FormDetail, FormSummary
    from upgradecamp.service.bus import Services

__all__ = ["WIDE", "ApprovalDeskScreen", "waiting_text"]

WAIT_TICK_SECONDS = 5.0
WIDE = 110  # from this width on the detail stands beside the queue, else below it


@dataclass(frozen=True)
class DeskLoad:
    """What one load of the desk read: both lists, whose forms, and the names to show."""

    queue: list[FormSummary]
    photos: list[FormSummary]
    scope: str | None
    names: Names
    clock: Clock


# -- the desk -------------------------------------------------------------------------------
class ApprovalDeskScreen(DeskDecisions):
    """Forms waiting for the branch head, oldest first, and the highlighted one in full."""

    AUTO_FOCUS = "#desk-table"
    BINDINGS = [
        Binding("a", "approve", show=False, id="approval_desk.approve"),
        Binding("j", "decide('reject')", show=False, id="approval_desk.reject"),
        Binding("r", "decide('return')", show=False, id="approval_desk.return"),
        Binding("p", "photo", show=False, id="approval_desk.photo"),
        Binding("v", "toggle_view", show=False, id="approval_desk.view"),
        Binding("escape", "back", show=False, id="approval_desk.back"),
    ]
    DEFAULT_CSS = stylesheet("approval_desk_screen")

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.view = "queue"  # or "photos": today's approved forms awaiting their photo
        self.scope: str | None = None  # the branch shown; None: every branch
        self.scope_known = False
        self.names = Names()
        self.clock: Clock | None = None
        self.queue: list[FormSummary] = []
        self.photos: list[FormSummary] = []
        self.current_id: str | None = None
        self.current_index = 0
        self.detail: FormDetail | None = None
        self.loaded = False
        self.load_failed = False

    def compose(self) -> ComposeResult:
        yield Static(
            t("approval_desk.title"), id="desk-title", classes="screen-title", markup=False
        )
        yield Static(t("approval_desk.loading"), id="desk-scope", markup=False)
        with Horizontal(id="desk-body"):
            with Vertical(id="desk-list-box"):
                yield Static(
                    t("approval_desk.queue_title"),
                    id="desk-list-title",
                    classes="box-title",
                    markup=False,
                )
                yield DataTable(id="desk-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="desk-detail"):
                yield Static(t("approval_desk.loading"), id="detail-head", markup=False)
                yield Static("", id="detail-foot", markup=False)
                yield Static("", id="detail-lines", markup=False)
        yield MessageLine(id="desk-message")
        yield Static(t("approval_desk.keys"), id="desk-keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        self._fit_layout()
        self.set_interval(WAIT_TICK_SECONDS, self.tick, name="approval-desk-wait")
        self.action_reload()

    def on_resize(self) -> None:
        if not in_place(self):
            return
        self._fit_layout()
        self.call_after_refresh(self._fill_table)  # the columns that fit change with the width

    def _fit_layout(self) -> None:
        self.set_class(self.size.width < WIDE, "-narrow")

    # -- loading --------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load_desk(self.scope_known, self.scope, self.names)

    def load_desk(self, scope_known: bool, scope: str | None, names: Names) -> None:
        def load(services: Services) -> DeskLoad:
            from upgradecamp.domain.clock import business_date
            from upgradecamp.queries.approval_desk import awaiting_photo
            from upgradecamp.queries.forms import approval_queue

            known_scope, known_names = (scope, names) if scope_known else self._setup(services)
            queue = approval_queue(services.engine, branch=known_scope)
            photos = awaiting_photo(
                services.engine, business_date(services.clock()), branch=known_scope
            )
            return DeskLoad(queue, photos, known_scope, known_names, services.clock)

        run_in_thread(self, load, self._loaded, self._load_failed, group="approval-desk-load")

    def _setup(self, services: Any) -> tuple[str | None, Names]:
        """Which branch's forms this actor decides, and the names of products and tiers."""
        from upgradecamp.queries import branches, rules_in_force

        core = {b["code"] for b in branches(services.engine) if b.get("kind") == "core"}
        everything = self.actor.role == "admin" or (self.actor.branch or "") in core
        rule_sets, ladder, _current = rules_in_force(services.engine, services.clock())
        products: dict[str, str] = {}
        actions: dict[str, str] = {}
        for rule_set in rule_sets:  # oldest first: the newest name of a code wins
            products.update({code: name_of(p) for code, p in rule_set.products.items()})
            actions.update({code: name_of(a) for code, a in rule_set.actions.items()})
        tiers = {tier.code: name_of(tier) for tier in ladder.tiers}
        return (None if everything else self.actor.branch), Names(products, actions, tiers)

    def _loaded(self, loaded: DeskLoad) -> None:
        self.loaded = True
        self.scope_known = True
        self.scope = loaded.scope
        self.names = loaded.names
        self.clock = loaded.clock
        if self.load_failed:
            self.load_failed = False
            self._say("")
        self.queue = loaded.queue
        self.photos = loaded.photos
        self._fill_table()

    def _load_failed(self, failure: Failure) -> None:
        self.load_failed = True
        self.retry_soon(failure)

    def run_command(self, command: Command, done_text: str) -> None:
        def done(_result: object) -> None:
            self._say(done_text)
            self.action_reload()

        def refused(failure: Failure) -> None:  # what is shown may be out of date
            self._say(failure.text, error=True)
            self.action_reload()

        run_in_thread(
            self,
            lambda services: services.execute(command, self.actor),
            done,
            refused,
            group="approval-desk-command",
            exclusive=False,
        )

    def now(self) -> datetime:
        return self.clock() if self.clock is not None else clock_of(self.app)

    # -- the list -------------------------------------------------------------------------------
    def rows(self) -> list[FormSummary]:
        return self.queue if self.view == "queue" else self.photos

    def _fill_table(self) -> None:
        table = self.query_one("#desk-table", DataTable)
        rows = self.rows()
        ids = [row.form_id for row in rows]
        keep, index = cursor_place(table, self.current_id, self.current_index)
        now = self.now()
        columns = list_columns(self.view, self.scope)
        # When the list pane is narrow the marketer, then the branch, give way to the tier
        # change; the detail beside the list names both.
        optional = [columns.index(c) for c in ("marketer", "branch") if c in columns]
        fill_table(
            table,
            [t(f"approval_desk.col_{column}") for column in columns],
            [(row.form_id, list_cells(row, columns, self.names, now)) for row in rows],
            drop_to_fit=optional,
            keys=columns,
        )
        if keep in ids:
            table.move_cursor(row=ids.index(keep), animate=False)
        elif ids:  # the form it was on was decided: stay at the same place in the queue
            table.move_cursor(row=min(index, len(ids) - 1), animate=False)
        title = "approval_desk.queue_title" if self.view == "queue" else "approval_desk.photo_title"
        self.query_one("#desk-list-title", Static).update(t(title))
        self._show_scope()
        self._current_changed(force=True)

    def _show_scope(self) -> None:
        if self.scope is None:
            scope = t("approval_desk.scope_all")
        else:
            scope = t("approval_desk.scope_branch", branch=self.scope)
        self.query_one("#desk-scope", Static).update(
            t("approval_desk.scope", scope=scope, waiting=len(self.queue), photos=len(self.photos))
        )

    def tick(self) -> None:
        """Refresh the waiting times (and the detail's) from the clock: no database call."""
        if not self.loaded or self.view != "queue":
            return
        table = self.query_one("#desk-table", DataTable)
        now = self.now()
        for row in self.queue:
            try:
                table.update_cell(row.form_id, "wait", wait_cell(row, now))
            except Exception:  # noqa: BLE001 - a row replaced by a reload meanwhile
                continue
        self._show_detail()

    def _cursor_id(self) -> str | None:
        return table_key(self.query_one("#desk-table", DataTable))

    @on(DataTable.RowHighlighted, "#desk-table")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        # The cursor's row when handled, not the event's: a reload may have moved it since.
        self._current_changed()

    def _current_changed(self, force: bool = False) -> None:
        form_id = self._cursor_id()
        table = self.query_one("#desk-table", DataTable)
        if form_id is not None:
            self.current_index = table.cursor_row
        if form_id == self.current_id and not force:
            return
        if form_id != self.current_id:
            self.detail = None
        self.current_id = form_id
        if form_id is None:
            self._show_detail()
            return
        if self.detail is None:
            self._show_detail()
        self.load_detail(form_id)

    def load_detail(self, form_id: str) -> None:
        def shown(detail: FormDetail | None) -> None:
            if form_id == self.current_id:
                self.detail = detail
                self._show_detail()

        def load(services: Services) -> FormDetail | None:
            from upgradecamp.queries.forms import form_detail

            return form_detail(services.engine, form_id)

        run_in_thread(
            self,
            load,
            shown,
            lambda failure: self._say(failure.text, error=True),
            group="approval-desk-detail",
        )

    def _show_detail(self) -> None:
        head = self.query_one("#detail-head", Static)
        lines = self.query_one("#detail-lines", Static)
        foot = self.query_one("#detail-foot", Static)
        row = self.highlighted()
        if row is None or self.detail is None:
            if not self.loaded:
                text = t("approval_desk.loading")
            elif row is None:
                text = t(
                    "approval_desk.queue_empty"
                    if self.view == "queue"
                    else "approval_desk.photo_empty"
                )
            else:
                text = t("approval_desk.loading_form", form=row.form_id)
            head.update(text)
            lines.update("")
            foot.update("")
            return
        now = self.now()
        head.update(detail_head(self.detail, now))
        lines.update(detail_lines(self.detail, self.names))
        foot.update(detail_foot(self.detail, self.names, now))

    def highlighted(self) -> FormSummary | None:
        return next((r for r in self.rows() if r.form_id == self.current_id), None)

    # -- views ----------------------------------------------------------------------------------
    def action_toggle_view(self) -> None:
        self.view = "photos" if self.view == "queue" else "queue"
        self.current_id = None
        self.current_index = 0
        self.detail = None
        self._say("")
        self._fill_table()
        self.action_reload()
