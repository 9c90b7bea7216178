"""The call list (电话邀约名单): an organizer works through a session's invitations, one key
per outcome.

The highlighted row takes the outcome: y confirmed, n declined, a no answer, w wrong number,
b call back, r opted out, x WeChat added, s SMS sent, t told (a cancelled session's invitees);
`m` first attaches a note to the next outcome. Wrong number and opted out change the client
for every session (unreachable, consent withdrawn), so they ask for a one-key confirmation.
After an outcome is recorded the cursor moves on to the next row that still needs a call.
The list reloads when any terminal writes, keeping the cursor on the same invitation; mobiles
are only ever shown masked (SPEC §5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Static

from upgradecamp.tui.app import LogAdvanced, describe_error
from upgradecamp.tui.i18n import has, t
from upgradecamp.tui.widgets import fit
from upgradecamp.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor


@dataclass(frozen=True)
class OutcomeKey:
    channel: str
    result: str
    confirm: str | None = None  # catalogue key of the question asked before recording


OUTCOME_KEYS: dict[str, OutcomeKey] = {
    "y": OutcomeKey("call", "confirmed"),
    "n": OutcomeKey("call", "declined"),
    "a": OutcomeKey("call", "no_answer"),
    "w": OutcomeKey("call", "wrong_number", "call_list.confirm_wrong_number"),
    "b": OutcomeKey("call", "call_back"),
    "r": OutcomeKey("call", "opted_out", "call_list.confirm_opted_out"),
    "x": OutcomeKey("wechat", "added"),
    "t": OutcomeKey("call", "informed"),
    "s": OutcomeKey("sms", "sent"),
}

# States whose client still has to be reached by phone before the session.
STATES_TO_CALL = frozenset({"invited", "sent", "no_answer", "call_back"})


def state_name(state: str | None) -> str:
    if not state:
        return "—"
    key = f"call_list.state.{state}"
    return t(key) if has(key) else state


def result_name(result: str | None) -> str:
    if not result:
        return "—"
    key = f"call_list.result.{result}"
    return t(key) if has(key) else result


def segment_name(segment: str | None) -> str:
    if not segment:
        return "—"
    key = f"invite_builder.segment.{segment}"
    return t(key) if has(key) else segment


def status_name(status: str | None) -> str:
    key = f"invite_builder.status.{status}"
    return t(key) if has(key) else str(status or "")


def explain(exc: BaseException, screen: str) -> str:
    """An error in the user's language; the refusals this screen expects in its own words."""
    code = getattr(exc, "code", None)
    if code and has(f"{screen}.refused.{code}"):
        params = dict(getattr(exc, "params", {}) or {})
        if "status" in params:
            params["status"] = status_name(str(params["status"]))
        return t(f"{screen}.refused.{code}", **params)
    return describe_error(exc)


def money(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):,.0f}"
    except (InvalidOperation, ValueError):
        return str(value)


def local_start(value: Any) -> str:
    """A session's start as the branch reads it: Asia/Shanghai date and time."""
    from upgradecamp.domain.rules import shanghai

    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(shanghai()).strftime("%Y-%m-%d %H:%M")
    return str(value or "")


def needs_call(row: dict[str, Any], cancelled: bool) -> bool:
    """Whether a row still waits for the organizer: to be told, or to be reached."""
    if cancelled:
        return bool(row.get("to_tell"))
    return row.get("state") in STATES_TO_CALL


def next_to_call(rows: list[dict[str, Any]], after: int, cancelled: bool) -> int | None:
    """The first row after `after` (wrapping round) that still needs a call."""
    count = len(rows)
    for step in range(1, count):
        index = (after + step) % count
        if needs_call(rows[index], cancelled):
            return index
    return None


class CallListLoaded(Message):
    def __init__(self, seq: int, session: dict[str, Any] | None, rows: list[dict[str, Any]],
                 counts: dict[str, Any], problem: str | None = None) -> None:
        super().__init__()
        self.seq = seq
        self.session = session
        self.rows = rows
        self.counts = counts
        self.problem = problem


class OutcomeSaved(Message):
    def __init__(self, invitation_id: str, name: str, result: str,
                 problem: str | None = None) -> None:
        super().__init__()
        self.invitation_id = invitation_id
        self.name = name
        self.result = result
        self.problem = problem


class ConfirmOutcome(ModalScreen[bool]):
    """A one-key yes/no before an outcome that changes the client beyond this session."""

    DEFAULT_CSS = """
    ConfirmOutcome {
        align: center middle;
    }
    #confirm-box {
        width: 64;
        max-width: 95%;
        height: auto;
        padding: 1 2;
        border: thick $warning;
        background: $surface;
    }
    #confirm-keys {
        margin-top: 1;
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("y", "answer(True)", show=False, id="call_list.confirm_yes"),
        Binding("n", "answer(False)", show=False, id="call_list.confirm_no"),
        Binding("escape", "answer(False)", show=False, id="call_list.confirm_escape"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question", markup=False)
            yield Static(t("call_list.confirm_keys"), id="confirm-keys", markup=False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class CallListScreen(Screen[None]):
    """A session's invitations, worked through by phone, one key per outcome."""

    AUTO_FOCUS = "#cl-table"
    DEFAULT_CSS = """
    #cl-counts {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #cl-cancelled {
        height: auto;
        padding: 0 1;
        color: $warning;
    }
    #cl-table {
        height: 1fr;
    }
    #cl-detail {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #cl-note {
        height: 3;
    }
    #cl-message {
        height: auto;
        max-height: 2;
        padding: 0 1;
    }
    #cl-keys {
        height: auto;
        max-height: 2;
        padding: 0 1;
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "back", show=False, id="call_list.back"),
        Binding("m", "note", show=False, id="call_list.note"),
        Binding("e", "export", show=False, id="call_list.export"),
        *(Binding(key, f"outcome('{key}')", show=False, id=f"call_list.outcome_{key}")
          for key in OUTCOME_KEYS),
    ]

    def __init__(self, actor: Actor | None, session_id: str) -> None:
        super().__init__()
        self.actor = actor
        self.session_id = session_id
        self.session: dict[str, Any] | None = None
        self.rows: list[dict[str, Any]] = []
        self._load_seq = 0
        self._loaded_once = False
        self._saving = False
        self._advance_from: str | None = None  # move on from this invitation after a reload
        self._note: tuple[str, str] | None = None  # (invitation_id, text) for the next outcome
        self._columns: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static(t("call_list.title"), id="cl-title", classes="screen-title", markup=False)
        yield Static(t("home.loading"), id="cl-counts", markup=False)
        yield Static("", id="cl-cancelled", markup=False)
        yield DataTable(id="cl-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="cl-detail", markup=False)
        yield Input(id="cl-note", max_length=200)
        yield Static("", id="cl-message", markup=False)
        yield Static(t("call_list.keys"), id="cl-keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        table = self.query_one("#cl-table", DataTable)
        self._columns = table.add_columns(t("call_list.col_name"), t("call_list.col_mobile"),
                          t("call_list.col_segment"), t("call_list.col_code"),
                          t("call_list.col_state"), t("call_list.col_calls"),
                          t("call_list.col_last"), t("call_list.col_wechat"))
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

    @work(thread=True, exclusive=True, group="call-list-load", exit_on_error=False)
    def _load(self, seq: int) -> None:
        try:
            services = self.app.get_services()
            from upgradecamp.queries.invitations import call_list, invitation_counts
            from upgradecamp.queries.sessions import session_detail

            session = session_detail(services.engine, self.session_id)
            rows = call_list(services.engine, self.session_id)
            counts = invitation_counts(services.engine, self.session_id)
        except Exception as exc:  # shown on screen; the next log move retries
            self.post_message(CallListLoaded(seq, None, [], {}, explain(exc, "call_list")))
            return
        self.post_message(CallListLoaded(seq, session, rows, counts))

    def on_call_list_loaded(self, message: CallListLoaded) -> None:
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
                        table.update_cell(row["invitation_id"], column, cell,
                                          update_width=True)
        else:
            table.clear()
            for row in self.rows:
                table.add_row(*self._cells(row), key=row["invitation_id"])
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
            target = next((i for i, row in enumerate(self.rows)
                           if needs_call(row, self.cancelled)), 0)
        self._advance_from = None
        self._saving = False
        if target is not None:
            table.move_cursor(row=target, animate=False)
        if not self.rows:
            self.show_message(t("call_list.no_invitations"))
        self._show_detail()

    @property
    def cancelled(self) -> bool:
        return bool(self.session and self.session.get("status") == "cancelled")

    def _cells(self, row: dict[str, Any]) -> list[Text]:
        return [
            Text(fit(str(row.get("name") or ""), 10).rstrip()),
            Text(str(row.get("mobile_masked") or "")),
            Text(segment_name(row.get("segment"))),
            Text(str(row.get("code") or "")),
            Text(state_name(row.get("state"))),
            Text(str(row.get("calls") or 0), justify="right"),
            Text(result_name(row.get("last_result"))),
            Text(t("call_list.wechat_yes") if row.get("wechat_added") else ""),
        ]

    def _show_header(self, counts: dict[str, Any]) -> None:
        session = self.session or {}
        self.query_one("#cl-title", Static).update(t(
            "call_list.title_session", start=local_start(session.get("starts_at")),
            branch=str(session.get("branch_name") or session.get("branch") or ""),
            theme=str(session.get("theme") or "")))
        to_call = sum(1 for row in self.rows if needs_call(row, self.cancelled))
        self.query_one("#cl-counts", Static).update(t(
            "call_list.counts", invited=counts.get("total", len(self.rows)),
            confirmed=counts.get("confirmed", 0), declined=counts.get("declined", 0),
            no_answer=counts.get("no_answer", 0), call_back=counts.get("call_back", 0),
            to_call=to_call))
        banner = self.query_one("#cl-cancelled", Static)
        if self.cancelled:
            banner.update(t("call_list.cancelled",
                            reason=str(session.get("cancel_reason") or "—")))
        banner.display = self.cancelled

    def current_row(self) -> dict[str, Any] | None:
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
        detail.update(t("call_list.detail", name=str(row.get("name") or ""),
                        client_id=str(row.get("client_id") or ""),
                        aum=money(row.get("aum")),
                        note=str(row.get("last_note") or "—"), pending=pending))

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

        self.app.push_screen(WaveExportScreen(self.actor, self.session_id))

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
        if action in ("outcome", "note", "export") and \
                self.query_one("#cl-note", Input).display:
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
            check_outcome(outcome.channel, outcome.result, str((self.session or {}).get(
                "status") or "planned"))
        except DomainError as exc:
            self.show_message(explain(exc, "call_list"), error=True)
            return
        if outcome.confirm is None:
            self._record(row, outcome)
            return
        question = t(outcome.confirm, name=str(row.get("name") or ""),
                     mobile=str(row.get("mobile_masked") or ""))

        def answered(yes: bool | None) -> None:
            if yes:
                self._record(row, outcome)
            else:
                self.show_message(t("call_list.not_recorded"))

        self.app.push_screen(ConfirmOutcome(question), answered)

    def _record(self, row: dict[str, Any], outcome: OutcomeKey) -> None:
        note = self._note[1] if self._note and self._note[0] == row["invitation_id"] else ""
        self._note = None
        self._saving = True
        self.show_message(t("call_list.saving", name=str(row.get("name") or "")))
        self._save(row["invitation_id"], str(row.get("name") or ""), outcome, note)

    @work(thread=True, group="call-list-save", exit_on_error=False)
    def _save(self, invitation_id: str, name: str, outcome: OutcomeKey, note: str) -> None:
        try:
            services = self.app.get_services()
            from upgradecamp.domain.commands.invitations import RecordInvitationOutcome

            services.execute(RecordInvitationOutcome(invitation=invitation_id,
                                                     channel=outcome.channel,
                                                     result=outcome.result, note=note),
                             self.actor or self.app.actor)
        except Exception as exc:  # nothing was written; the message says what to do
            self.post_message(OutcomeSaved(invitation_id, name, outcome.result,
                                           explain(exc, "call_list")))
            return
        self.post_message(OutcomeSaved(invitation_id, name, outcome.result))

    def on_outcome_saved(self, message: OutcomeSaved) -> None:
        if message.problem:
            self._saving = False
            self.show_message(message.problem, error=True)
            self.load()  # the refusal may come from a change made elsewhere: show it
            return
        self.show_message(t("call_list.recorded", name=message.name,
                            result=result_name(message.result)))
        self._advance_from = message.invitation_id
        self.load()
