"""The call list's outcomes: one key per outcome, which rows still need a call, and the
one-key confirmation asked before an outcome that changes the client beyond this session
(wrong number: unreachable everywhere; opted out: consent withdrawn)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from upgradecamp.tui.i18n import t
from upgradecamp.tui.stylesheets import stylesheet

if TYPE_CHECKING:
    from upgradecamp.queries.invitations import InvitationView


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


def needs_call(row: InvitationView, cancelled: bool) -> bool:
    """Whether a row still waits for the organizer: to be told, to be reached, or to be
    offered a seat that freed up (the first on the waiting list)."""
    if cancelled:
        return bool(row.get("to_tell"))
    return row.get("state") in STATES_TO_CALL or bool(row.get("offer_seat"))


def next_to_call(rows: Sequence[InvitationView], after: int, cancelled: bool) -> int | None:
    """The first row after `after` (wrapping round) that still needs a call."""
    count = len(rows)
    for step in range(1, count):
        index = (after + step) % count
        if needs_call(rows[index], cancelled):
            return index
    return None


class ConfirmOutcome(ModalScreen[bool]):
    """A one-key yes/no before an outcome that changes the client beyond this session."""

    DEFAULT_CSS = stylesheet("confirm_outcome")
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
