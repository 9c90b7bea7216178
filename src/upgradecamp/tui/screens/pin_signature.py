"""The dialogs that sign one command with the PIN again (an approval, a rule set's publishing).

The dialog runs the command itself, so that a wrong PIN is answered where it was typed: the
dialog stays, says how many tries are left (or that the account is now locked) and clears the
field. Any other outcome closes it with the command's result, or with a refusal (decided or
published at another terminal meanwhile, busy) for the screen below to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual.screen import ModalScreen
from textual.widgets import Input

from upgradecamp.tui.widgets.message_line import MessageLine
from upgradecamp.tui.workers import Failure, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.service.bus import Services


@dataclass(frozen=True)
class SignedOutcome:
    """What a PIN dialog ended with: the command's result, or a refusal to show."""

    result: dict[str, Any] | None = None
    refusal: str | None = None


class PinSignatureScreen(ModalScreen[SignedOutcome | None]):
    """A PIN field (`PIN_FIELD`), a message line, and the signed command's worker."""

    PIN_FIELD: ClassVar[str]
    checking = False

    def sign(self, job: Callable[[Services], Any], *, group: str) -> None:
        run_in_thread(
            self,
            job,
            lambda result: self._signed(SignedOutcome(result=result)),
            self._refused,
            group=group,
            exclusive=False,
        )

    def _refused(self, failure: Failure) -> None:
        from upgradecamp.domain.errors import AccountLocked, WrongPin

        self._signed(
            SignedOutcome(refusal=failure.text),
            stay=isinstance(failure.error, WrongPin | AccountLocked),
        )

    def _signed(self, outcome: SignedOutcome, *, stay: bool = False) -> None:
        self.checking = False
        if stay:
            pin = self.query_one(f"#{self.PIN_FIELD}", Input)
            pin.value = ""
            pin.focus()
            self._say(outcome.refusal or "", error=True)
            return
        self.dismiss(outcome)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.query_one(MessageLine).say(text, error=error)

    def action_back(self) -> None:
        if not self.checking:
            self.dismiss(None)
