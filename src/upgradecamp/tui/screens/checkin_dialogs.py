"""The check-in desk's small windows and the helpers its search lines share.

Dialogs: open a planned session (yes/no), a walk-in prospect (name and mobile), an organizer's
override when the room is full (code and masked PIN), the referrer ("who brought you?") found
by the same search as the desk, and the reason a check-in is annulled. Each returns what was
entered (or None on Esc); the desk runs the command, so its refusals show in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from upgradecamp.tui import i18n
from upgradecamp.tui.i18n import has, t
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets import fit
from upgradecamp.tui.widgets.ordered_fields import ENTER, OrderedFields, OrderedInput
from upgradecamp.tui.widgets.tables import fill_table, table_key
from upgradecamp.tui.workers import run_in_thread

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from upgradecamp.queries.search import SearchResult
    from upgradecamp.service.bus import Services

SEARCH_DELAY = 0.15  # seconds of quiet typing before the search runs
SEARCH_LIMIT = 20
NAME_CELLS = 10
MOBILE_DIGITS = 11


# -- what a search result shows ---------------------------------------------------------------
def tier_label(row: SearchResult) -> str:
    """The client's tier as staff say it; an experience tier (升级体验期) is marked."""
    code = str(row.tier or "")
    if i18n.language() == "zh_CN" and row.tier_name:
        label = str(row.tier_name)
    elif code and has(f"checkin_desk.tier.{code}"):
        label = t(f"checkin_desk.tier.{code}")
    else:
        label = code or str(row.tier_name or "—")
    return f"{label}{t('checkin_desk.experience_mark')}" if row.experience else label


def state_label(state: str | None) -> str:
    """An invitation's state for this session; no invitation means a walk-in."""
    if not state:
        return t("checkin_desk.not_invited")
    key = f"checkin_desk.state.{state}"
    return t(key) if has(key) else state


def local_clock(value: Any) -> str:
    """ "HH:MM" of an ISO time the queries give (already Beijing time)."""
    text = str(value or "")
    return text[11:16] if len(text) >= 16 else text


def arrived_label(row: SearchResult) -> str:
    if not row.checked_in:
        return ""
    return t(
        "checkin_desk.arrived_mark",
        at=local_clock(row.checked_in_at),
        by=str(row.checked_in_by or ""),
    )


def result_cells(row: SearchResult) -> list[Text]:
    """One search result: name, masked mobile, tier, invitation state, already-in marker."""
    return [
        Text(fit(str(row.name or ""), NAME_CELLS).rstrip()),
        Text(str(row.mobile or "")),
        Text(tier_label(row)),
        Text(state_label(row.invitation_state)),
        Text(arrived_label(row), style="bold" if row.checked_in else ""),
    ]


def result_columns() -> list[str]:
    return [
        t("checkin_desk.col_name"),
        t("checkin_desk.col_mobile"),
        t("checkin_desk.col_tier"),
        t("checkin_desk.col_invitation"),
        t("checkin_desk.col_arrived"),
    ]


def run_search(
    services: Services, text: str, session_id: str | None, limit: int = SEARCH_LIMIT
) -> list[SearchResult]:
    """The desk's search (blocks: call it from a thread worker)."""
    from upgradecamp.domain.clock import business_date
    from upgradecamp.queries.search import search_clients

    return search_clients(
        services.engine,
        text,
        session_id=session_id,
        limit=limit,
        on=business_date(services.clock()),
    )


@dataclass(frozen=True)
class SearchDone:
    """Search results for `text` (or the problem that stopped the search)."""

    seq: int
    text: str
    rows: list[SearchResult]
    problem: str | None = None


def search_in_thread(
    node: DOMNode,
    seq: int,
    text: str,
    session_id: str | None,
    done: Callable[[SearchDone], object],
    *,
    group: str,
    limit: int = SEARCH_LIMIT,
) -> None:
    """Search as the person types; a newer search in `group` supersedes this one."""
    run_in_thread(
        node,
        lambda services: SearchDone(seq, text, run_search(services, text, session_id, limit=limit)),
        done,
        lambda failure: done(SearchDone(seq, text, [], failure.text)),
        group=group,
    )


class ResultsTable(DataTable[Any], can_focus=False):
    """Search results: the cursor moves with ↑/↓ while the search field keeps the focus."""


# -- open a planned session --------------------------------------------------------------------
class ConfirmOpenScreen(ModalScreen[bool]):
    """Open a planned session for check-in: Enter (or y) yes, Esc (or n) no."""

    DEFAULT_CSS = stylesheet("confirm_open_screen")
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


class ProspectScreen(OrderedFields, ModalScreen[dict[str, str] | None]):
    """A walk-in not yet a client: name and mobile (checked here, then by the handler).

    Typed at any speed: `王小明` Enter `13912345678` Enter fills both fields (`OrderedFields`).
    """

    AUTO_FOCUS = "#ck-prospect-name"
    DEFAULT_CSS = stylesheet("prospect_screen")
    BINDINGS = [Binding("escape", "back", show=False, id="checkin_desk.prospect_back"), ENTER]
    FIELD_ORDER = ("ck-prospect-name", "ck-prospect-mobile")

    def __init__(self, name: str = "", mobile: str = "", referrer: str = "") -> None:
        super().__init__()
        self.name_text = name
        self.mobile_text = mobile
        self.referrer = referrer

    def compose(self) -> ComposeResult:
        with Vertical(classes="ck-box"):
            yield Static(t("checkin_desk.prospect_title"), classes="ck-box-title", markup=False)
            yield Static(t("checkin_desk.prospect_name"), classes="ck-label", markup=False)
            yield OrderedInput(self.name_text, id="ck-prospect-name", max_length=40)
            yield Static(t("checkin_desk.prospect_mobile"), classes="ck-label", markup=False)
            yield OrderedInput(self.mobile_text, id="ck-prospect-mobile", max_length=20)
            if self.referrer:
                yield Static(
                    t("checkin_desk.referrer_line", referrer=self.referrer),
                    classes="ck-label",
                    markup=False,
                )
            yield Static("", id="ck-prospect-problem", classes="ck-problem", markup=False)
            yield Static(t("checkin_desk.prospect_keys"), classes="ck-keys", markup=False)

    def fields_complete(self, values: dict[str, str]) -> None:
        name = " ".join(values["ck-prospect-name"].split())
        mobile = mobile_digits(values["ck-prospect-mobile"])
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
class OverrideScreen(OrderedFields, ModalScreen[dict[str, str] | None]):
    """The room is full: an organizer lets one more in with their code and PIN (recorded).

    Code Enter PIN Enter at any speed: the PIN never lands in the code field (`OrderedFields`).
    """

    AUTO_FOCUS = "#ck-override-code"
    DEFAULT_CSS = stylesheet("override_screen")
    BINDINGS = [Binding("escape", "back", show=False, id="checkin_desk.override_back"), ENTER]
    FIELD_ORDER = ("ck-override-code", "ck-override-pin")

    def __init__(self, explanation: str) -> None:
        super().__init__()
        self.explanation = explanation

    def compose(self) -> ComposeResult:
        with Vertical(classes="ck-box"):
            yield Static(t("checkin_desk.override_title"), classes="ck-box-title", markup=False)
            yield Static(self.explanation, id="ck-override-why", markup=False)
            yield Static(t("checkin_desk.override_code"), classes="ck-label", markup=False)
            yield OrderedInput(id="ck-override-code", max_length=20)
            yield Static(t("checkin_desk.override_pin"), classes="ck-label", markup=False)
            yield OrderedInput(id="ck-override-pin", password=True, max_length=12)
            yield Static("", id="ck-override-problem", classes="ck-problem", markup=False)
            yield Static(t("checkin_desk.override_keys"), classes="ck-keys", markup=False)

    def fields_complete(self, values: dict[str, str]) -> None:
        code = values["ck-override-code"].strip()
        pin = values["ck-override-pin"].strip()
        if not code or not pin:
            self.query_one("#ck-override-problem", Static).update(
                t("checkin_desk.override_needs_both")
            )
            self.query_one("#ck-override-code" if not code else "#ck-override-pin", Input).focus()
            return
        self.dismiss({"code": code, "pin": pin})

    def action_back(self) -> None:
        self.dismiss(None)


# -- the referrer ----------------------------------------------------------------------------------
class ReferrerScreen(ModalScreen["SearchResult | None"]):
    """Who brought the client: the desk's search (name, pinyin, mobile tail); Enter picks."""

    AUTO_FOCUS = "#ck-referrer-search"
    DEFAULT_CSS = stylesheet("referrer_screen")
    BINDINGS = [
        Binding("escape", "back", show=False, id="checkin_desk.referrer_back"),
        Binding("up", "move(-1)", show=False, id="checkin_desk.referrer_up"),
        Binding("down", "move(1)", show=False, id="checkin_desk.referrer_down"),
    ]

    def __init__(self, session_id: str | None) -> None:
        super().__init__()
        self.session_id = session_id
        self.rows: dict[str, SearchResult] = {}
        self.results_for = ""
        self._seq = 0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="ck-box"):
            yield Static(t("checkin_desk.referrer_title"), classes="ck-box-title", markup=False)
            yield Input(
                id="ck-referrer-search",
                max_length=40,
                placeholder=t("checkin_desk.referrer_placeholder"),
            )
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

    def _search(self, seq: int, text: str) -> None:
        search_in_thread(
            self, seq, text, self.session_id, self._found, group="ck-referrer-search", limit=8
        )

    def _found(self, message: SearchDone) -> None:
        if message.seq != self._seq:
            return  # typing went on: a newer search is coming
        self.query_one("#ck-referrer-problem", Static).update(
            message.problem
            or ("" if message.rows else t("checkin_desk.nobody_found", text=message.text))
        )
        self._show(message.rows, message.text)

    def _show(self, rows: list[SearchResult], text: str) -> None:
        self.rows = {row.client_id: row for row in rows}
        self.results_for = text
        fill_table(
            self.query_one(ResultsTable),
            result_columns()[:3],
            [(row.client_id, result_cells(row)[:3]) for row in rows],
        )

    def action_move(self, step: int) -> None:
        table = self.query_one(ResultsTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.cursor_row + step, table.row_count - 1)))

    @on(Input.Submitted, "#ck-referrer-search")
    def _submitted(self) -> None:
        chosen = self.rows.get(table_key(self.query_one(ResultsTable)) or "")
        if chosen is None:
            self.query_one("#ck-referrer-problem", Static).update(t("checkin_desk.referrer_choose"))
            return
        self.dismiss(chosen)

    def action_back(self) -> None:
        self.dismiss(None)


# -- annulling a check-in -------------------------------------------------------------------------
class AnnulScreen(ModalScreen[str | None]):
    """Why a check-in is annulled (required); the check-in itself stays on record."""

    AUTO_FOCUS = "#ck-annul-reason"
    DEFAULT_CSS = stylesheet("annul_screen")
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
            self.query_one("#ck-annul-problem", Static).update(t("checkin_desk.annul_needs_reason"))
            return
        self.dismiss(reason)

    def action_back(self) -> None:
        self.dismiss(None)
