"""The follow-up desk (事后跟进): the follow-ups owed after sessions, worked by keys.

A marketer sees their own open follow-ups, overdue first (marked in red with how many days),
then by due date. An organizer or a branch head sees every follow-up of their branch with its
assignee, and `f` cycles the assignee shown; an admin sees every branch.

Keys on the highlighted follow-up: `1` reached, `2` not reached, `3` converted, `4` declined
(each asks for an optional note first), `d` reschedules (a new due date, checked as typed, and
an optional reason), `a` gives it to another member of the branch's staff (organizers and
branch heads), `h` shows or hides the closed ones. After an outcome the cursor moves on to the
next open follow-up. The list follows the log: a follow-up closed elsewhere (by another
terminal, or by a form approved later: converted) leaves within a poll, and the cursor stays
on the follow-up it was on. This module holds the screen and its workers; how a follow-up is
shown (due labels, cells, the detail) is `followup_cells.py`'s, the small windows (note, new
due date, new assignee) are `followup_dialogs.py`'s.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import DataTable, Static

from upgradecamp.domain.clock import business_date
from upgradecamp.tui.i18n import t
from upgradecamp.tui.screens.followup_cells import (
    as_date,
    client_of,
    columns,
    detail_text,
    is_open,
    next_assignee,
    next_open_after,
    open_first,
    outcome_name,
    row_cells,
    scope_text,
    summary,
    who_text,
)
from upgradecamp.tui.screens.followup_cells import due_text as due_text  # for older imports
from upgradecamp.tui.screens.followup_cells import session_label as session_label
from upgradecamp.tui.screens.followup_dialogs import (
    NewDue,
    NoteScreen,
    ReassignScreen,
    RescheduleScreen,
    reassign_choices,
)
from upgradecamp.tui.screens.live import LiveScreen
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.keys_line import KeysLine
from upgradecamp.tui.widgets.message_line import MessageLine
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import cursor_place, fill_table, table_key
from upgradecamp.tui.workers import Failure, clock_of, in_place, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.commands import Command
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.followups import FollowUpLine
    from upgradecamp.queries.sessions import StaffChoice
    from upgradecamp.service.bus import Services
    from upgradecamp.tui.screens.followup_cells import Rows

OUTCOMES = ("reached", "not_reached", "converted", "declined")  # keys 1..4


# -- the desk -------------------------------------------------------------------------------
class FollowUpsScreen(LiveScreen):
    """Open follow-ups, overdue first; outcomes, reschedules and reassignments by keys."""

    AUTO_FOCUS = "#fu-table"
    BINDINGS = [
        *(
            Binding(str(n), f"outcome('{outcome}')", show=False, id=f"followup_desk.{outcome}")
            for n, outcome in enumerate(OUTCOMES, 1)
        ),
        Binding("d", "reschedule", show=False, id="followup_desk.reschedule"),
        Binding("a", "reassign", show=False, id="followup_desk.reassign"),
        Binding("f", "next_assignee", show=False, id="followup_desk.assignee"),
        Binding("h", "toggle_done", show=False, id="followup_desk.done"),
        Binding("escape", "back", show=False, id="followup_desk.back"),
    ]
    DEFAULT_CSS = stylesheet("follow_ups_screen")

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.manager = actor.may("followups.manage")
        # Whose follow-ups: a marketer's own; a manager's branch; an admin's every branch.
        self.mine = not self.manager
        self.branch: str | None = None if actor.role == "admin" else actor.branch
        self.show_done = False
        self.assignee: str | None = None  # a manager's filter; None: every assignee
        self.rows: Rows = []  # as loaded (every assignee)
        self.shown: Rows = []  # as the table shows them
        self.names: dict[str, str] = {}  # staff code → name, of the assignees seen
        self.today: date | None = None
        self.current_id: str | None = None
        self.current_index = 0
        # Where the cursor goes after the next load (the follow-up after one just closed):
        # kept apart from current_id, which a late highlight of the old table may overwrite.
        self.target_id: str | None = None
        self.loaded = False
        self.load_failed = False
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Static(t("followup_desk.title"), id="fu-title", classes="screen-title", markup=False)
        yield Static(t("followup_desk.loading"), id="fu-scope", markup=False)
        yield DataTable(id="fu-table", cursor_type="row", zebra_stripes=True)
        yield Static(t("followup_desk.loading"), id="fu-detail", markup=False)
        yield MessageLine(id="fu-message")
        keys = "followup_desk.keys_manage" if self.manager else "followup_desk.keys_mine"
        yield KeysLine(t(keys), t(f"{keys}_short"), id="fu-keys")
        yield StatusBar()

    def on_mount(self) -> None:
        self.action_reload()

    # -- loading --------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load(self.show_done)

    def load(self, show_done: bool) -> None:
        def load(services: Services) -> tuple[Rows, date]:
            from upgradecamp.queries import followups

            today = business_date(services.clock())
            if self.mine:
                return followups.my_followups(
                    services.engine,
                    self.actor.code,
                    today=today,
                    include_done=show_done,
                    viewer=self.actor,
                ), today
            return open_first(
                list(
                    followups.list_followups(
                        services.engine,
                        branch=self.branch,
                        status=None if show_done else "open",
                        today=today,
                        viewer=self.actor,
                    )
                )
            ), today

        run_in_thread(self, load, self._loaded, self._load_failed, group="followup-desk-load")

    def _loaded(self, loaded: tuple[Rows, date]) -> None:
        rows, self.today = loaded
        self.loaded = True
        if self.load_failed:
            self.load_failed = False
            self._say("")
        self.names.update(
            {str(r.assignee): str(r.assignee_name or r.assignee) for r in rows if r.assignee}
        )
        self.rows = rows
        self._fill_table()

    def _load_failed(self, failure: Failure) -> None:
        self.busy = False
        self.load_failed = True
        self.retry_soon(failure)

    def _refused(self, failure: Failure) -> None:
        self.busy = False
        self._say(failure.text, error=True)
        self.action_reload()  # a refusal: what is shown may be out of date

    # -- the table ------------------------------------------------------------------------------
    def _staff_name(self, code: str) -> str:
        return self.names.get(code) or code

    def on_resize(self, _event: Resize) -> None:
        if not in_place(self):
            return
        self._fill_table()  # the columns that fit change with the width

    def _fill_table(self) -> None:
        table = self.query_one("#fu-table", DataTable)
        today = self._today()
        self.shown = [r for r in self.rows if self.assignee is None or r.assignee == self.assignee]
        ids = [r.followup_id for r in self.shown]
        keep, index = cursor_place(table, self.current_id, self.current_index)
        if self.target_id in ids:
            keep, self.target_id = self.target_id, None
        shown = columns(self.mine)
        # On a narrow terminal the last note, the tries and the session give way: the
        # detail under the table shows them for the highlighted follow-up.
        optional = [shown.index(c) for c in ("note", "attempts", "session")]
        fill_table(
            table,
            [t(f"followup_desk.col_{column}") for column in shown],
            [
                (row.followup_id, row_cells(row, today, shown, self._staff_name))
                for row in self.shown
            ],
            drop_to_fit=optional,
        )
        if keep in ids:
            table.move_cursor(row=ids.index(keep), animate=False)
        elif ids:  # the one it was on left the list: stay at the same place in it
            table.move_cursor(row=min(index, len(ids) - 1), animate=False)
        self._show_scope()
        self._current_changed()

    def _show_scope(self) -> None:
        scope = scope_text(
            self.shown,
            self._today(),
            mine=self.mine,
            code=self.actor.code,
            branch=self.branch,
            assignee=self.assignee,
            staff_name=self._staff_name,
            show_done=self.show_done,
        )
        self.query_one("#fu-scope", Static).update(scope)

    def _cursor_id(self) -> str | None:
        return table_key(self.query_one("#fu-table", DataTable))

    @on(DataTable.RowHighlighted, "#fu-table")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        # The cursor's row when handled, not the event's: a reload may have moved it since.
        self._current_changed()

    def _current_changed(self) -> None:
        self.current_id = self._cursor_id()
        if self.current_id is not None:
            self.current_index = self.query_one("#fu-table", DataTable).cursor_row
        self._show_detail()

    def highlighted(self) -> FollowUpLine | None:
        return next((r for r in self.shown if r.followup_id == self.current_id), None)

    def _show_detail(self) -> None:
        view = self.query_one("#fu-detail", Static)
        row = self.highlighted()
        if row is None:
            if not self.loaded:
                view.update(t("followup_desk.loading"))
            else:
                view.update(
                    t("followup_desk.empty_mine" if self.mine else "followup_desk.empty_branch")
                )
            return
        view.update(detail_text(row, self._staff_name))

    # -- working a follow-up --------------------------------------------------------------------
    def _chosen_open(self) -> FollowUpLine | None:
        """The highlighted follow-up if it is open (else say why nothing happens)."""
        row = self.highlighted()
        if row is None:
            self._say(t("followup_desk.choose_first"), error=True)
            return None
        if not is_open(row):
            self._say(
                t("followup_desk.closed_already", outcome=outcome_name(str(row.outcome or ""))),
                error=True,
            )
            return None
        return row

    def _today(self) -> date:
        """The business date of the last load, or by the services' clock before one."""
        return self.today or business_date(clock_of(self.app))

    def _summary(self, row: FollowUpLine) -> str:
        return summary(row, self._today())

    def action_outcome(self, outcome: str) -> None:
        row = self._chosen_open()
        if row is None or self.busy:
            return
        self._say("")
        from upgradecamp.domain.commands.followups import RecordFollowUpOutcome

        def noted(note: str | None) -> None:
            if note is None:
                return
            client = client_of(row)
            if outcome == "not_reached":
                text = t(
                    "followup_desk.recorded_open", client=client, tries=int(row.attempts or 0) + 1
                )
            else:
                text = t("followup_desk.recorded", client=client, outcome=outcome_name(outcome))
            self._run(
                RecordFollowUpOutcome(followup_id=row.followup_id, outcome=outcome, note=note),
                text,
                next_open_after(self.shown, row),
            )

        title = t("followup_desk.note_title", outcome=outcome_name(outcome), client=client_of(row))
        self.app.push_screen(NoteScreen(title, self._summary(row)), noted)

    def action_reschedule(self) -> None:
        row = self._chosen_open()
        if row is None or self.busy or self.today is None:
            return
        self._say("")
        from upgradecamp.domain.commands.followups import RescheduleFollowUp

        def chosen(new: NewDue | None) -> None:
            if new is None:
                return
            text = t("followup_desk.rescheduled", client=client_of(row), due=new.due.isoformat())
            self._run(
                RescheduleFollowUp(
                    followup_id=row.followup_id, due=new.due.isoformat(), reason=new.reason
                ),
                text,
                row.followup_id,
            )

        title = t("followup_desk.reschedule_title", client=client_of(row))
        self.app.push_screen(
            RescheduleScreen(title, self._summary(row), self.today, as_date(row.due)), chosen
        )

    def action_reassign(self) -> None:
        if not self.manager:
            self._say(t("followup_desk.manage_only"), error=True)
            return
        row = self._chosen_open()
        if row is None or self.busy:
            return
        self._say("")
        self.load_staff(row)

    def load_staff(self, row: FollowUpLine) -> None:
        def load(services: Services) -> list[StaffChoice]:
            from upgradecamp.queries.sessions import staff_of_branch

            branch = str(row.branch or self.branch or self.actor.branch or "")
            return reassign_choices(staff_of_branch(services.engine, branch))

        run_in_thread(
            self,
            load,
            lambda staff: self._reassign(row, staff),
            self._refused,
            group="followup-desk-staff",
        )

    def _reassign(self, row: FollowUpLine, staff: list[StaffChoice]) -> None:
        from upgradecamp.domain.commands.followups import ReassignFollowUp

        current = str(row.assignee or "")
        branch = str(row.branch or self.branch or self.actor.branch or "")

        def chosen(code: str | None) -> None:
            if code is None:
                return
            name = next((m["name"] for m in staff if m["code"] == code), code)
            self.names[code] = name
            text = t("followup_desk.reassigned", client=client_of(row), name=name, code=code)
            self._run(
                ReassignFollowUp(followup_id=row.followup_id, assignee=code), text, row.followup_id
            )

        title = t("followup_desk.reassign_title", client=client_of(row))
        self.app.push_screen(
            ReassignScreen(
                title, self._summary(row), staff, current, self._staff_name(current), branch
            ),
            chosen,
        )

    def _run(self, command: Command, done_text: str, next_id: str | None) -> None:
        self.busy = True
        self._say(t("followup_desk.working"))
        self.run_command(command, done_text, next_id)

    def run_command(self, command: Command, done_text: str, next_id: str | None) -> None:
        def done(_result: object) -> None:
            self.busy = False
            self._say(done_text)
            self.target_id = next_id
            self.action_reload()

        run_in_thread(
            self,
            lambda services: services.execute(command, self.actor),
            done,
            self._refused,
            group="followup-desk-command",
            exclusive=False,
        )

    # -- views ----------------------------------------------------------------------------------
    def action_toggle_done(self) -> None:
        self.show_done = not self.show_done
        self._say("")
        self.action_reload()

    def action_next_assignee(self) -> None:
        if self.mine:
            self._say(t("followup_desk.filter_mine"), error=True)
            return
        self.assignee = next_assignee(self.rows, self.assignee)
        who = who_text(self.assignee, self._staff_name)
        self._say(t("followup_desk.filtered", who=who))
        self._fill_table()
