"""What the branch head decides at the approval desk: the keys a, j, r and p.

`DeskDecisions` is mixed into `ApprovalDeskScreen` (`approval_desk.py`, which holds the state
named below, the list and the message line). `a` approves the highlighted waiting form (the PIN
again, in a dialog that stays on a wrong PIN), `j` rejects and `r` returns it (each with a
required reason), and in the photo list `p` marks the photo taken. Commands run in the screen's
worker (`run_command`); a refusal, such as a form decided at another terminal, is said in the
user's language and the desk reloads. The dialogs are `approval_dialogs.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from upgradecamp.tui.i18n import t
from upgradecamp.tui.screens.approval_detail import approved_text, form_summary
from upgradecamp.tui.screens.approval_dialogs import ApproveOutcome, ApprovePinScreen, ReasonScreen
from upgradecamp.tui.screens.approval_list import Names, status_name
from upgradecamp.tui.screens.live import LiveScreen

if TYPE_CHECKING:
    from upgradecamp.domain.commands import Command
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.forms import FormSummary


class DeskDecisions(LiveScreen):
    """Approve, reject, return and mark the photo taken: the base of the approval desk screen,
    which keeps the state named here and implements the three methods below."""

    # The desk screen's state used here (set in its __init__).
    actor: Actor
    view: str
    names: Names

    def highlighted(self) -> FormSummary | None:
        """The form under the cursor."""
        raise NotImplementedError

    def action_reload(self) -> None:
        """Read the queue again."""
        raise NotImplementedError

    def run_command(self, command: Command, done_text: str) -> None:
        """Send `command` in a worker; say `done_text` and reload when it is done."""
        raise NotImplementedError

    def _chosen_waiting(self) -> FormSummary | None:
        """The highlighted form, if it waits for a decision (else say why nothing happens)."""
        row = self.highlighted()
        if row is None:
            self._say(t("approval_desk.choose_first"), error=True)
            return None
        if self.view != "queue":
            self._say(
                t("approval_desk.not_waiting", form=row.form_id, status=status_name(row.status)),
                error=True,
            )
            return None
        return row

    def action_approve(self) -> None:
        row = self._chosen_waiting()
        if row is None:
            return
        self._say("")

        def done(outcome: ApproveOutcome | None) -> None:
            if outcome is None:
                return
            if outcome.refusal is not None:
                self._say(outcome.refusal, error=True)
            elif outcome.result is not None:
                self._say(approved_text(outcome.result, row, self.names))
            self.action_reload()

        self.app.push_screen(ApprovePinScreen(self.actor, row, form_summary(row, self.names)), done)

    def action_decide(self, kind: str) -> None:
        row = self._chosen_waiting()
        if row is None:
            return
        self._say("")
        from upgradecamp.domain.commands.forms import RejectForm, ReturnForm

        def reason_given(reason: str | None) -> None:
            if not reason:
                return
            self._say(t("approval_desk.working"))
            if kind == "reject":
                command: Command = RejectForm(form_id=row.form_id, reason=reason)
                text = t("approval_desk.rejected", form=row.form_id, reason=reason)
            else:
                command = ReturnForm(form_id=row.form_id, reason=reason)
                text = t(
                    "approval_desk.returned",
                    form=row.form_id,
                    reason=reason,
                    marketer=row.marketer_name or row.marketer or "",
                )
            self.run_command(command, text)

        self.app.push_screen(ReasonScreen(kind, row, form_summary(row, self.names)), reason_given)

    def action_photo(self) -> None:
        row = self.highlighted()
        if self.view != "photos":
            self._say(t("approval_desk.photo_in_queue"), error=True)
            return
        if row is None:
            self._say(t("approval_desk.choose_first"), error=True)
            return
        from upgradecamp.domain.commands.forms import MarkPhotoTaken

        self._say(t("approval_desk.working"))
        self.run_command(
            MarkPhotoTaken(form_id=row.form_id),
            t(
                "approval_desk.photo_marked",
                form=row.form_id,
                client=row.client_name or row.client_id,
            ),
        )
