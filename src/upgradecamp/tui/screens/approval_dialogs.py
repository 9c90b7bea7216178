"""The approval desk's questions: the PIN that signs an approval, and the reason for a
rejection or a return.

The PIN dialog runs `ApproveForm` itself, so that a wrong PIN is answered where it was typed:
the dialog stays, says how many tries are left (or that the account is now locked), and clears
the field. Any other outcome closes it: the approval's result, or a refusal (the form was
decided at another terminal meanwhile, or is of another branch) for the desk to show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from upgradecamp.tui.i18n import t
from upgradecamp.tui.screens.pin_signature import PinSignatureScreen, SignedOutcome
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.message_line import MessageLine

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.forms import FormSummary
    from upgradecamp.service.bus import Services

PIN_LENGTHS = (4, 8)


ApproveOutcome = SignedOutcome  # the approval's result, or a refusal for the desk


class ApprovePinScreen(PinSignatureScreen):
    """'Sign with your PIN': the branch head types it again; Enter approves, Esc goes back."""

    AUTO_FOCUS = "#approve-pin"
    PIN_FIELD = "approve-pin"
    BINDINGS = [Binding("escape", "back", show=False, id="approval_desk.pin_back")]
    DEFAULT_CSS = stylesheet("approve_pin_screen")

    def __init__(self, actor: Actor, form: FormSummary, summary: str) -> None:
        super().__init__()
        self.actor = actor
        self.form = form
        self.summary = summary
        self.checking = False

    def compose(self) -> ComposeResult:
        with Vertical(id="approve-box"):
            yield Static(
                t("approval_desk.approve_title", form=self.form.form_id),
                id="approve-title",
                markup=False,
            )
            yield Static(self.summary, id="approve-summary", markup=False)
            yield Static(
                t("approval_desk.pin_label", code=self.actor.code), id="approve-label", markup=False
            )
            yield Input(
                placeholder=t("approval_desk.pin_placeholder"),
                password=True,
                max_length=PIN_LENGTHS[1],
                restrict=r"[0-9]*",
                id="approve-pin",
            )
            yield MessageLine(id="approve-problem")
            yield Static(t("approval_desk.pin_keys"), id="approve-keys", markup=False)

    @on(Input.Submitted, "#approve-pin")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.checking:
            return
        pin = event.value
        low, high = PIN_LENGTHS
        if not pin:
            self._say(t("approval_desk.pin_empty"), error=True)
            return
        if not (pin.isdigit() and low <= len(pin) <= high):
            event.input.value = ""
            self._say(t("approval_desk.pin_format"), error=True)
            return
        self.checking = True
        self._say(t("approval_desk.checking"))
        self.approve(pin)

    def approve(self, pin: str) -> None:
        def approve(services: Services) -> Any:
            from upgradecamp.domain.commands.forms import ApproveForm

            return services.execute(ApproveForm(form_id=self.form.form_id, pin=pin), self.actor)

        self.sign(approve, group="approval-pin")


class ReasonScreen(ModalScreen[str | None]):
    """Why the form is rejected or returned (its marketer reads it); a reason is required."""

    AUTO_FOCUS = "#reason-input"
    BINDINGS = [Binding("escape", "back", show=False, id="approval_desk.reason_back")]
    DEFAULT_CSS = stylesheet("reason_screen")

    def __init__(self, kind: str, form: FormSummary, summary: str) -> None:
        super().__init__(classes=f"-{kind}")
        self.kind = kind  # "reject" or "return"
        self.form = form
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box"):
            yield Static(
                t(f"approval_desk.{self.kind}_title", form=self.form.form_id),
                id="reason-title",
                markup=False,
            )
            yield Static(self.summary, id="reason-summary", markup=False)
            yield Static(t(f"approval_desk.{self.kind}_hint"), id="reason-hint", markup=False)
            yield Input(
                placeholder=t("approval_desk.reason_placeholder"), max_length=200, id="reason-input"
            )
            yield Static("", id="reason-problem", markup=False)
            yield Static(t("approval_desk.reason_keys"), id="reason-keys", markup=False)

    @on(Input.Submitted, "#reason-input")
    def _submitted(self, event: Input.Submitted) -> None:
        reason = " ".join(event.value.split())
        if not reason:
            self.query_one("#reason-problem", Static).update(t("approval_desk.reason_required"))
            return
        self.dismiss(reason)

    def action_back(self) -> None:
        self.dismiss(None)
