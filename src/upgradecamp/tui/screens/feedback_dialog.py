"""The feedback form (满意度反馈表) for one attendee, opened from the registration desk (F3).

Score 1–5, a comment, and a complaint: a complaint goes to the branch head as an urgent
follow-up due the next working day, which the dialog says before it closes.
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
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.workers import Failure, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor


class FeedbackDialog(ModalScreen[dict[str, Any] | None]):
    """Dismissed with the recorded feedback, or None when the desk backs out."""

    DEFAULT_CSS = stylesheet("feedback_dialog")
    AUTO_FOCUS = "#fb-score"
    BINDINGS = [
        Binding("escape", "cancel", show=False, id="feedback.cancel"),
        Binding("ctrl+s", "save", show=False, priority=True, id="feedback.save"),
    ]

    def __init__(self, actor: Actor, session_id: str, client_id: str, name: str) -> None:
        super().__init__()
        self.actor = actor
        self.session_id = session_id
        self.client_id = client_id
        self.client_name = name
        self.saving = False  # Ctrl+S twice in a burst records one form

    def compose(self) -> ComposeResult:
        with Vertical(id="fb-box"):
            yield Static(
                t("feedback.title", name=self.client_name, client=self.client_id),
                classes="box-title",
                markup=False,
            )
            yield Input(
                placeholder=t("feedback.score"), id="fb-score", restrict=r"[1-5]?", max_length=1
            )
            yield Input(placeholder=t("feedback.comment"), id="fb-comment")
            yield Input(placeholder=t("feedback.complaint"), id="fb-complaint")
            yield Static("", id="fb-problem", classes="-error", markup=False)
            yield Static(t("feedback.keys"), classes="keys", markup=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "fb-complaint":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        score = self.query_one("#fb-score", Input).value
        if not score:
            self.query_one("#fb-problem", Static).update(t("feedback.need_score"))
            self.query_one("#fb-score", Input).focus()
            return
        self.save(
            int(score),
            self.query_one("#fb-comment", Input).value,
            self.query_one("#fb-complaint", Input).value,
        )

    def save(self, score: int, comment: str, complaint: str) -> None:
        from upgradecamp.domain.commands import GiveFeedback

        if self.saving:
            return
        self.saving = True
        command = GiveFeedback(
            session_id=self.session_id,
            client_id=self.client_id,
            score=score,
            comment=comment,
            complaint=complaint,
        )
        run_in_thread(
            self,
            lambda services: services.execute(command, self.actor),
            self.dismiss,
            self._refused,  # shown in the dialog; nothing typed is cleared
            group="feedback-save",
            exclusive=False,
        )

    def _refused(self, failure: Failure) -> None:
        self.saving = False
        self.query_one("#fb-problem", Static).update(failure.text)

    def action_cancel(self) -> None:
        self.dismiss(None)


def saved_text(result: dict[str, Any]) -> str:
    """What the desk is told once the form is recorded."""
    if result.get("followup"):
        f = result["followup"]
        return t(
            "feedback.saved_complaint",
            client=result["client_id"],
            score=result["score"],
            head=f["assignee"],
            due=f["due"],
        )
    return t("feedback.saved", client=result["client_id"], score=result["score"])
