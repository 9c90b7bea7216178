"""The Staff place's questions: unlock (yes/no), a new PIN typed twice, a deactivation's reason.

Each modal returns the answer (None or False on Esc); `staff_admin.py` runs the command, so the
handler's refusals are said in one place. The new PIN is checked here against the same policy
the handler applies, so a weak PIN is refused while the dialog is still open.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from upgradecamp.domain.pin_policy import pin_weakness
from upgradecamp.tui.i18n import t
from upgradecamp.tui.stylesheets import stylesheet


class UnlockConfirmScreen(ModalScreen[bool]):
    """'Unlock this member?': Enter or y says yes, Esc or n says no."""

    BINDINGS = [
        Binding("enter,y", "answer(True)", show=False, id="staff_admin.unlock_yes"),
        Binding("escape,n", "answer(False)", show=False, id="staff_admin.unlock_no"),
    ]
    DEFAULT_CSS = stylesheet("unlock_confirm_screen")

    def __init__(self, code: str, name: str) -> None:
        super().__init__()
        self.code = code
        self.member_name = name

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box"):
            yield Static(
                t("staff_admin.confirm_unlock", code=self.code, name=self.member_name),
                id="unlock-question",
                markup=False,
            )
            yield Static(t("staff_admin.confirm_keys"), classes="dialog-keys", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class NewPinScreen(ModalScreen[str | None]):
    """The new PIN, masked, typed twice; returns it when both agree and the policy accepts it."""

    AUTO_FOCUS = "#new-pin"
    BINDINGS = [Binding("escape", "back", show=False, id="staff_admin.pin_back")]
    DEFAULT_CSS = stylesheet("new_pin_screen")

    def __init__(self, code: str, name: str) -> None:
        super().__init__()
        self.code = code
        self.member_name = name

    def compose(self) -> ComposeResult:
        with Vertical(id="pin-box"):
            yield Static(
                t("staff_admin.pin_title", code=self.code, name=self.member_name),
                id="pin-title",
                markup=False,
            )
            yield Input(
                placeholder=t("staff_admin.pin_first"),
                password=True,
                max_length=8,
                restrict=r"[0-9]*",
                id="new-pin",
            )
            yield Input(
                placeholder=t("staff_admin.pin_again"),
                password=True,
                max_length=8,
                restrict=r"[0-9]*",
                id="new-pin-again",
            )
            yield Static("", id="pin-problem", classes="dialog-problem", markup=False)
            yield Static(t("staff_admin.pin_keys"), classes="dialog-keys", markup=False)

    @on(Input.Submitted, "#new-pin")
    def _first_given(self, event: Input.Submitted) -> None:
        if pin_weakness(event.value) is not None:
            self._start_again(t("staff_admin.pin_rule"))
            return
        self._problem("")
        self.query_one("#new-pin-again", Input).focus()

    @on(Input.Submitted, "#new-pin-again")
    def _second_given(self, event: Input.Submitted) -> None:
        first = self.query_one("#new-pin", Input).value
        if pin_weakness(first) is not None:
            self._start_again(t("staff_admin.pin_rule"))
        elif event.value != first:
            self._start_again(t("staff_admin.pin_differ"))
        else:
            self.dismiss(first)

    def _start_again(self, problem: str) -> None:
        for field in ("#new-pin", "#new-pin-again"):
            self.query_one(field, Input).value = ""
        self.query_one("#new-pin", Input).focus()
        self._problem(problem)

    def _problem(self, text: str) -> None:
        self.query_one("#pin-problem", Static).update(text)

    def action_back(self) -> None:
        self.dismiss(None)


class DeactivateScreen(ModalScreen[str | None]):
    """'Deactivate this member?' with the reason, which is required; Esc keeps the account."""

    AUTO_FOCUS = "#deactivate-reason"
    BINDINGS = [Binding("escape", "back", show=False, id="staff_admin.deactivate_back")]
    DEFAULT_CSS = stylesheet("deactivate_screen")

    def __init__(self, code: str, name: str) -> None:
        super().__init__()
        self.code = code
        self.member_name = name

    def compose(self) -> ComposeResult:
        with Vertical(id="deactivate-box"):
            yield Static(
                t("staff_admin.deactivate_title", code=self.code, name=self.member_name),
                id="deactivate-title",
                markup=False,
            )
            yield Input(placeholder=t("staff_admin.deactivate_placeholder"), id="deactivate-reason")
            yield Static("", id="deactivate-problem", classes="dialog-problem", markup=False)
            yield Static(t("staff_admin.deactivate_keys"), classes="dialog-keys", markup=False)

    @on(Input.Submitted, "#deactivate-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if not reason:
            self.query_one("#deactivate-problem", Static).update(t("staff_admin.reason_required"))
            return
        self.dismiss(reason)

    def action_back(self) -> None:
        self.dismiss(None)
