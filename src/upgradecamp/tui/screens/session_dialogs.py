"""The sessions view's small questions: a yes/no confirmation and a cancellation's reason.

Each is a modal that returns the answer (None or False on Esc); `sessions.py` runs the command,
so the handler's refusals are said in one place.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from upgradecamp.tui.i18n import t
from upgradecamp.tui.stylesheets import stylesheet


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question: Enter (or y) says yes, Esc (or n) says no."""

    BINDINGS = [
        Binding("enter,y", "answer(True)", show=False, id="planning.confirm_yes"),
        Binding("escape,n", "answer(False)", show=False, id="planning.confirm_no"),
    ]
    DEFAULT_CSS = stylesheet("confirm_screen")

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question", markup=False)
            yield Static(t("planning.confirm_keys"), id="confirm-keys", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class CancelReasonScreen(ModalScreen[str | None]):
    """Asks why a session is cancelled (the invitees are told); a reason is required."""

    AUTO_FOCUS = "#cancel-reason"
    BINDINGS = [Binding("escape", "back", show=False, id="planning.cancel_back")]
    DEFAULT_CSS = stylesheet("cancel_reason_screen")

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def compose(self) -> ComposeResult:
        with Vertical(id="cancel-box"):
            yield Static(
                t("planning.cancel_title", session=self.label), id="cancel-title", markup=False
            )
            yield Input(placeholder=t("planning.cancel_placeholder"), id="cancel-reason")
            yield Static("", id="cancel-problem", markup=False)
            yield Static(t("planning.cancel_keys"), id="cancel-keys", markup=False)

    @on(Input.Submitted, "#cancel-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if not reason:
            self.query_one("#cancel-problem", Static).update(t("planning.reason_required"))
            return
        self.dismiss(reason)

    def action_back(self) -> None:
        self.dismiss(None)
