"""The check-in desk's small windows and the helpers its search lines share.

Dialogs: open a planned session (yes/no), a walk-in prospect (name and mobile), an organizer's
override when the room is full (code and masked PIN), the referrer ("who brought you?") found
by the same search as the desk, and the reason a check-in is annulled. Each returns what was
entered (or None on Esc); the desk runs the command, so its refusals show in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from upgradecamp.tui import i18n
from upgradecamp.tui.app import describe_error
from upgradecamp.tui.i18n import has, t
from upgradecamp.tui.widgets import fit
from upgradecamp.tui.widgets.tables import fill_table, table_key

if TYPE_CHECKING:
    from textual.app import App

SEARCH_DELAY = 0.15  # seconds of quiet typing before the search runs
SEARCH_LIMIT = 20
NAME_CELLS = 10
MOBILE_DIGITS = 11


# -- what a search result shows ---------------------------------------------------------------
def tier_label(row: dict[str, Any]) -> str:
    """The client's tier as staff say it; an experience tier (升级体验期) is marked."""
    code = str(row.get("tier") or "")
    if i18n.language() == "zh_CN" and row.get("tier_name"):
        label = str(row["tier_name"])
    elif code and has(f"checkin_desk.tier.{code}"):
        label = t(f"checkin_desk.tier.{code}")
    else:
        label = code or str(row.get("tier_name") or "—")
    return f"{label}{t('checkin_desk.experience_mark')}" if row.get("experience") else label


def state_label(state: str | None) -> str:
    """An invitation's state for this session; no invitation means a walk-in."""
    if not state:
        return t("checkin_desk.not_invited")
    key = f"checkin_desk.state.{state}"
    return t(key) if has(key) else state


def local_clock(value: Any) -> str:
    """"HH:MM" of an ISO time the queries give (already Beijing time)."""
    text = str(value or "")
    return text[11:16] if len(text) >= 16 else text


def arrived_label(row: dict[str, Any]) -> str:
    if not row.get("checked_in"):
        return ""
    return t("checkin_desk.arrived_mark", at=local_clock(row.get("checked_in_at")),
             by=str(row.get("checked_in_by") or ""))


def result_cells(row: dict[str, Any]) -> list[Text]:
    """One search result: name, masked mobile, tier, invitation state, already-in marker."""
    return [Text(fit(str(row.get("name") or ""), NAME_CELLS).rstrip()),
            Text(str(row.get("mobile") or "")),
            Text(tier_label(row)),
            Text(state_label(row.get("invitation_state"))),
            Text(arrived_label(row), style="bold" if row.get("checked_in") else "")]


def result_columns() -> list[str]:
    return [t("checkin_desk.col_name"), t("checkin_desk.col_mobile"),
            t("checkin_desk.col_tier"), t("checkin_desk.col_invitation"),
            t("checkin_desk.col_arrived")]


def run_search(app: App[Any], text: str, session_id: str | None,
               limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """The desk's search (blocks: call it from a thread worker)."""
    services = app.get_services()  # type: ignore[attr-defined]
    from upgradecamp.domain.rules import business_date
    from upgradecamp.queries.search import search_clients

    return search_clients(services.engine, text, session_id=session_id, limit=limit,
                          on=business_date(services.clock()))


class SearchDone(Message):
    """Search results for `text` (or the problem that stopped the search)."""

    def __init__(self, seq: int, text: str, rows: list[dict[str, Any]],
                 problem: str | None = None) -> None:
        super().__init__()
        self.seq = seq
        self.text = text
        self.rows = rows
        self.problem = problem


class ResultsTable(DataTable[Any], can_focus=False):
    """Search results: the cursor moves with ↑/↓ while the search field keeps the focus."""


_BOX_CSS = """
    {name} {{
        align: center middle;
    }}
    {name} .ck-box {{
        width: 70;
        max-width: 96%;
        height: auto;
        max-height: 96%;
        padding: 0 1;
        border: thick $primary;
        background: $surface;
    }}
    {name} .ck-box-title {{
        text-style: bold;
        margin-bottom: 1;
    }}
    {name} .ck-label {{
        height: 1;
        color: $text-muted;
    }}
    {name} .ck-problem {{
        height: auto;
        color: $error;
    }}
    {name} .ck-keys {{
        height: auto;
        color: $text-muted;
    }}
"""


def box_css(name: str, border: str = "$primary") -> str:
    return _BOX_CSS.format(name=name).replace("$primary", border)


# -- open a planned session --------------------------------------------------------------------
class ConfirmOpenScreen(ModalScreen[bool]):
    """Open a planned session for check-in: Enter (or y) yes, Esc (or n) no."""

    DEFAULT_CSS = box_css("ConfirmOpenScreen")
    BINDINGS = [
        Binding("enter,y", "answer(True)", show=False, id="checkin_desk.confirm_yes"),
        Binding("escape,n", "answer(False)", show=False, id="checkin_desk.confirm_no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="ck-box"):
            yield Static(self.question, id="ck-confirm-question", markup=False)
            yield Static(t("checkin_desk.confirm_keys"), classes="ck-keys", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


# -- a walk-in prospect --------------------------------------------------------------------------
def mobile_digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


class ProspectScreen(ModalScreen[dict[str, str] | None]):
    """A walk-in not yet a client: name and mobile (checked here, then by the handler)."""

    AUTO_FOCUS = "#ck-prospect-name"
    DEFAULT_CSS = box_css("ProspectScreen")
    BINDINGS = [Binding("escape", "back", show=False, id="checkin_desk.prospect_back")]

    def __init__(self, name: str = "", mobile: str = "", referrer: str = "") -> None:
        super().__init__()
        self.name_text = name
        self.mobile_text = mobile
        self.referrer = referrer

    def compose(self) -> ComposeResult:
        with Vertical(classes="ck-box"):
            yield Static(t("checkin_desk.prospect_title"), classes="ck-box-title", markup=False)
            yield Static(t("checkin_desk.prospect_name"), classes="ck-label", markup=False)
            yield Input(self.name_text, id="ck-prospect-name", max_length=40)
            yield Static(t("checkin_desk.prospect_mobile"), classes="ck-label", markup=False)
            yield Input(self.mobile_text, id="ck-prospect-mobile", max_length=20)
            if self.referrer:
                yield Static(t("checkin_desk.referrer_line", referrer=self.referrer),
                             classes="ck-label", markup=False)
            yield Static("", id="ck-prospect-problem", classes="ck-problem", markup=False)
            yield Static(t("checkin_desk.prospect_keys"), classes="ck-keys", markup=False)

    @on(Input.Submitted, "#ck-prospect-name")
    def _name_done(self) -> None:
        self.query_one("#ck-prospect-mobile", Input).focus()

    @on(Input.Submitted, "#ck-prospect-mobile")
    def _submitted(self) -> None:
        name = " ".join(self.query_one("#ck-prospect-name", Input).value.split())
        mobile = mobile_digits(self.query_one("#ck-prospect-mobile", Input).value)
        problem = self.query_one("#ck-prospect-problem", Static)
        if not name:
            problem.update(t("checkin_desk.prospect_needs_name"))
            self.query_one("#ck-prospect-name", Input).focus()
            return
        if len(mobile) != MOBILE_DIGITS or not mobile.startswith("1"):
            problem.update(t("checkin_desk.prospect_bad_mobile"))
            return
        self.dismiss({"name": name, "mobile": mobile})

    def action_back(self) -> None:
        self.dismiss(None)


# -- an organizer's override -----------------------------------------------------------------------
class OverrideScreen(ModalScreen[dict[str, str] | None]):
    """The room is full: an organizer lets one more in with their code and PIN (recorded)."""

    AUTO_FOCUS = "#ck-override-code"
    DEFAULT_CSS = box_css("OverrideScreen", "$warning")
    BINDINGS = [Binding("escape", "back", show=False, id="checkin_desk.override_back")]

    def __init__(self, explanation: str) -> None:
        super().__init__()
        self.explanation = explanation

    def compose(self) -> ComposeResult:
        with Vertical(classes="ck-box"):
            yield Static(t("checkin_desk.override_title"), classes="ck-box-title", markup=False)
            yield Static(self.explanation, id="ck-override-why", markup=False)
            yield Static(t("checkin_desk.override_code"), classes="ck-label", markup=False)
            yield Input(id="ck-override-code", max_length=20)
            yield Static(t("checkin_desk.override_pin"), classes="ck-label", markup=False)
            yield Input(id="ck-override-pin", password=True, max_length=12)
            yield Static("", id="ck-override-problem", classes="ck-problem", markup=False)
            yield Static(t("checkin_desk.override_keys"), classes="ck-keys", markup=False)

    @on(Input.Submitted, "#ck-override-code")
    def _code_done(self) -> None:
        self.query_one("#ck-override-pin", Input).focus()

    @on(Input.Submitted, "#ck-override-pin")
    def _submitted(self) -> None:
        code = self.query_one("#ck-override-code", Input).value.strip()
        pin = self.query_one("#ck-override-pin", Input).value.strip()
        if not code or not pin:
            self.query_one("#ck-override-problem", Static).update(
                t("checkin_desk.override_needs_both"))
            self.query_one("#ck-override-code" if not code else "#ck-override-pin",
                           Input).focus()
            return
        self.dismiss({"code": code, "pin": pin})

    def action_back(self) -> None:
        self.dismiss(None)


# -- the referrer ----------------------------------------------------------------------------------
class ReferrerScreen(ModalScreen[dict[str, Any] | None]):
    """Who brought the client: the desk's search (name, pinyin, mobile tail); Enter picks."""

    AUTO_FOCUS = "#ck-referrer-search"
    DEFAULT_CSS = box_css("ReferrerScreen") + """
    ReferrerScreen #ck-referrer-results {
        height: auto;
        max-height: 9;
    }
    """
    BINDINGS = [
        Binding("escape", "back", show=False, id="checkin_desk.referrer_back"),
        Binding("up", "move(-1)", show=False, id="checkin_desk.referrer_up"),
        Binding("down", "move(1)", show=False, id="checkin_desk.referrer_down"),
    ]

    def __init__(self, session_id: str | None) -> None:
        super().__init__()
        self.session_id = session_id
        self.rows: dict[str, dict[str, Any]] = {}
        self.results_for = ""
        self._seq = 0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="ck-box"):
            yield Static(t("checkin_desk.referrer_title"), classes="ck-box-title", markup=False)
            yield Input(id="ck-referrer-search", max_length=40,
                        placeholder=t("checkin_desk.referrer_placeholder"))
            yield ResultsTable(id="ck-referrer-results", cursor_type="row")
            yield Static("", id="ck-referrer-problem", classes="ck-problem", markup=False)
            yield Static(t("checkin_desk.referrer_keys"), classes="ck-keys", markup=False)


    @on(Input.Changed, "#ck-referrer-search")
    def _changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._seq += 1
        text = event.value.strip()
        if not text:
            self._show([], "")
            return
        seq = self._seq
        self._timer = self.set_timer(SEARCH_DELAY, lambda: self._search(seq, text))

    @work(thread=True, exclusive=True, group="ck-referrer-search", exit_on_error=False)
    def _search(self, seq: int, text: str) -> None:
        try:
            rows = run_search(self.app, text, self.session_id, limit=8)
        except Exception as exc:  # shown in the dialog; typing again retries
            self.post_message(SearchDone(seq, text, [], describe_error(exc)))
            return
        self.post_message(SearchDone(seq, text, rows))

    def on_search_done(self, message: SearchDone) -> None:
        if message.seq != self._seq:
            return  # typing went on: a newer search is coming
        self.query_one("#ck-referrer-problem", Static).update(message.problem or (
            "" if message.rows else t("checkin_desk.nobody_found", text=message.text)))
        self._show(message.rows, message.text)

    def _show(self, rows: list[dict[str, Any]], text: str) -> None:
        self.rows = {row["client_id"]: row for row in rows}
        self.results_for = text
        fill_table(self.query_one(ResultsTable), result_columns()[:3],
                   [(row["client_id"], result_cells(row)[:3]) for row in rows])

    def action_move(self, step: int) -> None:
        table = self.query_one(ResultsTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.cursor_row + step, table.row_count - 1)))

    @on(Input.Submitted, "#ck-referrer-search")
    def _submitted(self) -> None:
        chosen = self.rows.get(table_key(self.query_one(ResultsTable)) or "")
        if chosen is None:
            self.query_one("#ck-referrer-problem", Static).update(
                t("checkin_desk.referrer_choose"))
            return
        self.dismiss(chosen)

    def action_back(self) -> None:
        self.dismiss(None)


# -- annulling a check-in -------------------------------------------------------------------------
class AnnulScreen(ModalScreen[str | None]):
    """Why a check-in is annulled (required); the check-in itself stays on record."""

    AUTO_FOCUS = "#ck-annul-reason"
    DEFAULT_CSS = box_css("AnnulScreen", "$error")
    BINDINGS = [Binding("escape", "back", show=False, id="checkin_desk.annul_back")]

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def compose(self) -> ComposeResult:
        with Vertical(classes="ck-box"):
            yield Static(t("checkin_desk.annul_title"), classes="ck-box-title", markup=False)
            yield Static(self.label, id="ck-annul-which", markup=False)
            yield Static(t("checkin_desk.annul_reason"), classes="ck-label", markup=False)
            yield Input(id="ck-annul-reason", max_length=200)
            yield Static("", id="ck-annul-problem", classes="ck-problem", markup=False)
            yield Static(t("checkin_desk.annul_keys"), classes="ck-keys", markup=False)

    @on(Input.Submitted, "#ck-annul-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if not reason:
            self.query_one("#ck-annul-problem", Static).update(
                t("checkin_desk.annul_needs_reason"))
            return
        self.dismiss(reason)

    def action_back(self) -> None:
        self.dismiss(None)
