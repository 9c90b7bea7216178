"""The approval desk's questions: the PIN that signs an approval, and the reason for a
rejection or a return.

The PIN dialog runs `ApproveForm` itself, so that a wrong PIN is answered where it was typed:
the dialog stays, says how many tries are left (or that the account is now locked), and clears
the field. Any other outcome closes it: the approval's result, or a refusal (the form was
decided at another terminal meanwhile, or is of another branch) for the desk to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from upgradecamp.tui.app import describe_error
from upgradecamp.tui.i18n import t

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor

PIN_LENGTHS = (4, 8)


@dataclass(frozen=True)
class ApproveOutcome:
    """What the PIN dialog ended with: the approval's result, or a refusal to show."""

    result: dict[str, Any] | None = None
    refusal: str | None = None


class PinChecked(Message):
    def __init__(self, result: dict[str, Any] | None, refusal: str | None,
                 stay: bool) -> None:
        super().__init__()
        self.result = result
        self.refusal = refusal
        self.stay = stay  # a wrong PIN or a lockout: said in the dialog, which stays open


class ApprovePinScreen(ModalScreen[ApproveOutcome | None]):
    """'Sign with your PIN': the branch head types it again; Enter approves, Esc goes back."""

    AUTO_FOCUS = "#approve-pin"
    BINDINGS = [Binding("escape", "back", show=False, id="approval_desk.pin_back")]
    DEFAULT_CSS = """
    ApprovePinScreen {
        align: center middle;
    }
    ApprovePinScreen #approve-box {
        width: 72;
        max-width: 96%;
        height: auto;
        max-height: 96%;
        padding: 0 1;
        border: thick $success;
        background: $surface;
    }
    ApprovePinScreen #approve-title {
        text-style: bold;
    }
    ApprovePinScreen #approve-summary {
        height: auto;
        margin-bottom: 1;
    }
    ApprovePinScreen #approve-pin {
        width: 24;
    }
    ApprovePinScreen #approve-problem {
        height: auto;
        min-height: 1;
    }
    ApprovePinScreen #approve-keys {
        color: $text-muted;
    }
    """

    def __init__(self, actor: Actor, form: dict[str, Any], summary: str) -> None:
        super().__init__()
        self.actor = actor
        self.form = form
        self.summary = summary
        self.checking = False

    def compose(self) -> ComposeResult:
        with Vertical(id="approve-box"):
            yield Static(t("approval_desk.approve_title", form=self.form["form_id"]),
                         id="approve-title", markup=False)
            yield Static(self.summary, id="approve-summary", markup=False)
            yield Static(t("approval_desk.pin_label", code=self.actor.code),
                         id="approve-label", markup=False)
            yield Input(placeholder=t("approval_desk.pin_placeholder"), password=True,
                        max_length=PIN_LENGTHS[1], restrict=r"[0-9]*", id="approve-pin")
            yield Static("", id="approve-problem", markup=False)
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

    @work(thread=True, exclusive=True, group="approval-pin", exit_on_error=False)
    def approve(self, pin: str) -> None:
        from upgradecamp.domain.commands.forms import ApproveForm
        from upgradecamp.domain.errors import AccountLocked, WrongPin

        try:
            services = self.app.get_services()
            result = services.execute(ApproveForm(form_id=self.form["form_id"], pin=pin),
                                      self.actor)
        except (WrongPin, AccountLocked) as exc:
            self.post_message(PinChecked(None, describe_error(exc), stay=True))
            return
        except Exception as exc:  # decided elsewhere, another branch, busy: the desk says it
            self.post_message(PinChecked(None, describe_error(exc), stay=False))
            return
        self.post_message(PinChecked(result, None, stay=False))

    def on_pin_checked(self, message: PinChecked) -> None:
        self.checking = False
        if message.stay:
            pin = self.query_one("#approve-pin", Input)
            pin.value = ""
            pin.focus()
            self._say(message.refusal or "", error=True)
            return
        self.dismiss(ApproveOutcome(result=message.result, refusal=message.refusal))

    def _say(self, text: str, *, error: bool = False) -> None:
        view = self.query_one("#approve-problem", Static)
        view.update(text)
        view.set_class(error, "-error")

    def action_back(self) -> None:
        if not self.checking:
            self.dismiss(None)


class ReasonScreen(ModalScreen[str | None]):
    """Why the form is rejected or returned (its marketer reads it); a reason is required."""

    AUTO_FOCUS = "#reason-input"
    BINDINGS = [Binding("escape", "back", show=False, id="approval_desk.reason_back")]
    DEFAULT_CSS = """
    ReasonScreen {
        align: center middle;
    }
    ReasonScreen #reason-box {
        width: 72;
        max-width: 96%;
        height: auto;
        max-height: 96%;
        padding: 0 1;
        border: thick $warning;
        background: $surface;
    }
    ReasonScreen.-reject #reason-box {
        border: thick $error;
    }
    ReasonScreen #reason-title {
        text-style: bold;
    }
    ReasonScreen #reason-summary {
        height: auto;
    }
    ReasonScreen #reason-hint {
        height: auto;
        color: $text-muted;
    }
    ReasonScreen #reason-problem {
        height: auto;
        min-height: 1;
        color: $error;
    }
    ReasonScreen #reason-keys {
        color: $text-muted;
    }
    """

    def __init__(self, kind: str, form: dict[str, Any], summary: str) -> None:
        super().__init__(classes=f"-{kind}")
        self.kind = kind  # "reject" or "return"
        self.form = form
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box"):
            yield Static(t(f"approval_desk.{self.kind}_title", form=self.form["form_id"]),
                         id="reason-title", markup=False)
            yield Static(self.summary, id="reason-summary", markup=False)
            yield Static(t(f"approval_desk.{self.kind}_hint"), id="reason-hint", markup=False)
            yield Input(placeholder=t("approval_desk.reason_placeholder"), max_length=200,
                        id="reason-input")
            yield Static("", id="reason-problem", markup=False)
            yield Static(t("approval_desk.reason_keys"), id="reason-keys", markup=False)

    @on(Input.Submitted, "#reason-input")
    def _submitted(self, event: Input.Submitted) -> None:
        reason = " ".join(event.value.split())
        if not reason:
            self.query_one("#reason-problem", Static).update(
                t("approval_desk.reason_required"))
            return
        self.dismiss(reason)

    def action_back(self) -> None:
        self.dismiss(None)
