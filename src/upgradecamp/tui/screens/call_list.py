"""The call list (电话邀约名单): an organizer works through a session's invitations, one key
per outcome.

The highlighted row takes the outcome: y confirmed, n declined, a no answer, w wrong number,
b call back, r opted out, x WeChat added, s SMS sent, t told (a cancelled session's invitees);
`m` first attaches a note to the next outcome. Wrong number and opted out change the client
for every session (unreachable, consent withdrawn), so they ask for a one-key confirmation.
After an outcome is recorded the cursor moves on to the next row that still needs a call.
The list reloads when any terminal writes, keeping the cursor on the same invitation; mobiles
are only ever shown masked (SPEC §5). The outcome keys and their confirmation are
call_list_outcomes.py; the cells, invite_cells.py; `e` writes the wave files (wave_export.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from upgradecamp.i18n import theme_of
from upgradecamp.tui.formats import whole_yuan
from upgradecamp.tui.i18n import t
from upgradecamp.tui.messages import LogAdvanced
from upgradecamp.tui.screens.call_list_outcomes import (
    OUTCOME_KEYS,
    ConfirmOutcome,
    OutcomeKey,
    needs_call,
    next_to_call,
)
from upgradecamp.tui.screens.invite_cells import (
    explain,
    local_start,
    result_name,
    segment_name,
    state_cell,
)
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets import fit
from upgradecamp.tui.widgets.keys_line import KeysLine
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import fill_table
from upgradecamp.tui.workers import run_in_thread, signed_in_actor

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.invitations import CallRow
    from upgradecamp.queries.sessions import SessionDetail
    from upgradecamp.service.bus import Services


# The list's columns, in order (their headers are `call_list.col_<name>`).
COLUMNS = ["name", "mobile", "segment", "code", "state", "calls", "last", "wechat"]


@dataclass(frozen=True)
class CallListLoaded:
    seq: int
    session: SessionDetail | None
    rows: list[CallRow]
    counts: dict[str, Any]
    problem: str | None = None


@dataclass(frozen=True)
class OutcomeSaved:
    invitation_id: str
    name: str
    result: str
    problem: str | None = None


class CallListScreen(Screen[None]):
    """A session's invitations, worked through by phone, one key per outcome."""

    AUTO_FOCUS = "#cl-table"
    DEFAULT_CSS = stylesheet("call_list_screen")
    BINDINGS = [
        Binding("escape", "back", show=False, id="call_list.back"),
        Binding("m", "note", show=False, id="call_list.note"),
        Binding("e", "export", show=False, id="call_list.export"),
        *(
            Binding(key, f"outcome('{key}')", show=False, id=f"call_list.outcome_{key}")
            for key in OUTCOME_KEYS
        ),
    ]

    def __init__(self, actor: Actor | None, session_id: str) -> None:
        super().__init__()
        self.actor = actor
        self.session_id = session_id
        self.session: SessionDetail | None = None
        self.rows: list[CallRow] = []
        self._load_seq = 0
        self._loaded_once = False
        self._saving = False
        self._advance_from: str | None = None  # move on from this invitation after a reload
        self._note: tuple[str, str] | None = None  # (invitation_id, text) for the next outcome
        self._columns = COLUMNS

    def compose(self) -> ComposeResult:
        yield Static(t("call_list.title"), id="cl-title", classes="screen-title", markup=False)
        yield Static(t("home.loading"), id="cl-counts", markup=False)
        yield Static("", id="cl-cancelled", markup=False)
        yield DataTable(id="cl-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="cl-detail", markup=False)
        yield Input(id="cl-note", max_length=200)
        yield Static("", id="cl-message", markup=False)
        yield KeysLine(t("call_list.keys"), t("call_list.keys_short"), id="cl-keys")
        yield StatusBar()

    def on_mount(self) -> None:
        self._fill([])
        self.query_one("#cl-note", Input).display = False
        self.query_one("#cl-cancelled", Static).display = False
        self.load()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self.load()  # another terminal may have recorded outcomes

    def on_screen_resume(self) -> None:
        if self._loaded_once:
            self.load()

    # -- loading ------------------------------------------------------------------------------
    def load(self) -> None:
        self._load_seq += 1
        self._load(self._load_seq)

    def _load(self, seq: int) -> None:
        def load(services: Services) -> CallListLoaded:
            from upgradecamp.queries.invitations import call_list, invitation_counts
            from upgradecamp.queries.sessions import session_detail

            return CallListLoaded(
                seq,
                session_detail(services.engine, self.session_id),
                call_list(services.engine, self.session_id),
                invitation_counts(services.engine, self.session_id),
            )

        run_in_thread(
            self,
            load,
            self._call_list_loaded,
            lambda failure: self._call_list_loaded(CallListLoaded(seq, None, [], {}, failure.text)),
            group="call-list-load",
            describe=lambda exc: explain(exc, "call_list"),
        )

    def _call_list_loaded(self, message: CallListLoaded) -> None:
        if message.seq != self._load_seq:
            return  # a newer load is on its way
        self._loaded_once = True
        if message.problem:
            self.show_message(message.problem, error=True)
            self._saving = False
            return
        if message.session is None:
            self.query_one("#cl-counts", Static).update("")
            self.show_message(t("call_list.no_session", session=self.session_id), error=True)
            self._saving = False
            return
        self.session = message.session
        table = self.query_one("#cl-table", DataTable)
        current = self.current_row()
        keep = current["invitation_id"] if current else None
        before = {row["invitation_id"]: row for row in self.rows}
        ids = [row["invitation_id"] for row in message.rows]
        same_list = ids == [row["invitation_id"] for row in self.rows]
        self.rows = list(message.rows)
        self._show_header(message.counts)
        if same_list:
            # Only outcomes changed: update those cells, so the view neither jumps nor flickers.
            for row in self.rows:
                if row != before[row["invitation_id"]]:
                    for column, cell in zip(self._columns, self._cells(row), strict=True):
                        table.update_cell(row["invitation_id"], column, cell, update_width=True)
        else:
            self._fill(self.rows)
        target = None
        if self._advance_from is not None and self._advance_from in ids:
            start = ids.index(self._advance_from)
            target = next_to_call(self.rows, start, self.cancelled)
            if target is None:
                target = start
                if self.rows and not needs_call(self.rows[start], self.cancelled):
                    self.show_message(t("call_list.all_done"))
        elif keep in ids:
            target = ids.index(keep)
        elif self.rows:
            target = next(
                (i for i, row in enumerate(self.rows) if needs_call(row, self.cancelled)), 0
            )
        self._advance_from = None
        self._saving = False
        if target is not None:
            table.move_cursor(row=target, animate=False)
        if not self.rows:
            self.show_message(t("call_list.no_invitations"))
        self._show_detail()

    def _fill(self, rows: list[CallRow]) -> None:
        """The whole list, its columns measured here (a table left to measure itself on an
        idle moment was seen to keep header-wide columns under load)."""
        fill_table(
            self.query_one("#cl-table", DataTable),
            [t(f"call_list.col_{column}") for column in COLUMNS],
            [(row["invitation_id"], self._cells(row)) for row in rows],
            keys=COLUMNS,
        )

    @property
    def cancelled(self) -> bool:
        return bool(self.session and self.session.get("status") == "cancelled")

    def _cells(self, row: CallRow) -> list[Text]:
        return [
            Text(fit(str(row.get("name") or ""), 10).rstrip()),
            Text(str(row.get("mobile_masked") or "")),
            Text(segment_name(row.get("segment"))),
            Text(str(row.get("code") or "")),
            Text(state_cell(row), style="bold" if row.get("offer_seat") else ""),
            Text(str(row.get("calls") or 0), justify="right"),
            Text(result_name(row.get("last_result"))),
            Text(t("call_list.wechat_yes") if row.get("wechat_added") else ""),
        ]

    def _show_header(self, counts: dict[str, Any]) -> None:
        session: dict[str, Any] = dict(self.session or {})
        self.query_one("#cl-title", Static).update(
            t(
                "call_list.title_session",
                start=local_start(session.get("starts_at")),
                branch=str(session.get("branch_name") or session.get("branch") or ""),
                theme=theme_of(session),
            )
        )
        to_call = sum(1 for row in self.rows if needs_call(row, self.cancelled))
        text = t(
            "call_list.counts",
            invited=counts.get("total", len(self.rows)),
            confirmed=counts.get("confirmed", 0),
            declined=counts.get("declined", 0),
            no_answer=counts.get("no_answer", 0),
            call_back=counts.get("call_back", 0),
            to_call=to_call,
        )
        if counts.get("waitlisted"):
            text += t("door.counts_waiting", count=counts["waitlisted"])
        self.query_one("#cl-counts", Static).update(text)
        banner = self.query_one("#cl-cancelled", Static)
        if self.cancelled:
            banner.update(t("call_list.cancelled", reason=str(session.get("cancel_reason") or "—")))
        banner.display = self.cancelled

    def current_row(self) -> CallRow | None:
        table = self.query_one("#cl-table", DataTable)
        if not self.rows or table.row_count == 0:
            return None
        index = table.cursor_row
        if 0 <= index < len(self.rows):
            return self.rows[index]
        return None

    @on(DataTable.RowHighlighted, "#cl-table")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.current_row()
        detail = self.query_one("#cl-detail", Static)
        if row is None:
            detail.update("")
            return
        if self._note and self._note[0] != row["invitation_id"]:
            self._note = None  # a note belongs to the row it was written for
            self.show_message(t("call_list.note_dropped"))
        pending = t("call_list.note_pending", note=self._note[1]) if self._note else ""
        detail.update(
            t(
                "call_list.detail",
                name=str(row.get("name") or ""),
                client_id=str(row.get("client_id") or ""),
                aum=whole_yuan(row.get("aum")),
                note=str(row.get("last_note") or "—"),
                pending=pending,
            )
        )

    def show_message(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#cl-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    # -- notes --------------------------------------------------------------------------------
    def action_note(self) -> None:
        row = self.current_row()
        if row is None:
            return
        note = self.query_one("#cl-note", Input)
        note.placeholder = t("call_list.note_placeholder", name=str(row.get("name") or ""))
        note.value = self._note[1] if self._note else ""
        note.display = True
        note.focus()

    @on(Input.Submitted, "#cl-note")
    def _note_submitted(self, event: Input.Submitted) -> None:
        row = self.current_row()
        text = event.value.strip()
        self._close_note()
        if row is None:
            return
        if text:
            self._note = (row["invitation_id"], text)
            self.show_message(t("call_list.note_ready", name=str(row.get("name") or "")))
        else:
            self._note = None
            self.show_message(t("call_list.note_dropped"))
        self._show_detail()

    def _close_note(self) -> None:
        note = self.query_one("#cl-note", Input)
        note.display = False
        self.query_one("#cl-table", DataTable).focus()

    def action_export(self) -> None:
        from upgradecamp.tui.screens.wave_export import WaveExportScreen

        self.app.push_screen(
            WaveExportScreen(self.actor or signed_in_actor(self.app), self.session_id)
        )

    def action_back(self) -> None:
        note = self.query_one("#cl-note", Input)
        if note.display:
            self._close_note()
            self.show_message(t("call_list.note_dropped") if self._note is None else "")
            return
        self.app.pop_screen()

    # -- outcomes -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the note is being typed, letters are the note's, not outcomes.
        if action in ("outcome", "note", "export") and self.query_one("#cl-note", Input).display:
            return False
        return True

    def action_outcome(self, key: str) -> None:
        outcome = OUTCOME_KEYS[key]
        row = self.current_row()
        if row is None:
            self.show_message(t("call_list.no_row"), error=True)
            return
        if self._saving:
            self.show_message(t("call_list.busy"))
            return
        from upgradecamp.domain.errors import DomainError
        from upgradecamp.domain.invitations import check_outcome

        try:  # the handler's own rule, asked first so a refusal costs no round trip
            check_outcome(
                outcome.channel,
                outcome.result,
                str(self.session["status"] if self.session else "planned"),
            )
        except DomainError as exc:
            self.show_message(explain(exc, "call_list"), error=True)
            return
        if outcome.confirm is None:
            self._record(row, outcome)
            return
        question = t(
            outcome.confirm,
            name=str(row.get("name") or ""),
            mobile=str(row.get("mobile_masked") or ""),
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._record(row, outcome)
            else:
                self.show_message(t("call_list.not_recorded"))

        self.app.push_screen(ConfirmOutcome(question), answered)

    def _record(self, row: CallRow, outcome: OutcomeKey) -> None:
        note = self._note[1] if self._note and self._note[0] == row["invitation_id"] else ""
        self._note = None
        self._saving = True
        self.show_message(t("call_list.saving", name=str(row.get("name") or "")))
        self._save(row["invitation_id"], str(row.get("name") or ""), outcome, note)

    def _save(self, invitation_id: str, name: str, outcome: OutcomeKey, note: str) -> None:
        def save(services: Services) -> None:
            from upgradecamp.domain.commands.invitations import RecordInvitationOutcome

            services.execute(
                RecordInvitationOutcome(
                    invitation=invitation_id,
                    channel=outcome.channel,
                    result=outcome.result,
                    note=note,
                ),
                self.actor or signed_in_actor(self.app),
            )

        run_in_thread(
            self,
            save,
            lambda _none: self._outcome_saved(OutcomeSaved(invitation_id, name, outcome.result)),
            lambda failure: self._outcome_saved(
                OutcomeSaved(invitation_id, name, outcome.result, failure.text)
            ),
            group="call-list-save",
            exclusive=False,
            describe=lambda exc: explain(exc, "call_list"),
        )

    def _outcome_saved(self, message: OutcomeSaved) -> None:
        if message.problem:
            self._saving = False
            self.show_message(message.problem, error=True)
            self.load()  # the refusal may come from a change made elsewhere: show it
            return
        self.show_message(
            t("call_list.recorded", name=message.name, result=result_name(message.result))
        )
        self._advance_from = message.invitation_id
        self.load()
