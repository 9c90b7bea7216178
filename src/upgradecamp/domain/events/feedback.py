"""Feedback events (满意度反馈): an attendee's score, comment and complaint after a session."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import DomainEvent


class FeedbackGiven(DomainEvent):
    """One attendee's feedback form: a score 1–5, a comment, and a complaint if they made one
    (the complaint's urgent follow-up for the branch head is recorded with it)."""

    TYPE: ClassVar[str] = "FeedbackGiven"
    session_id: str
    client_id: str
    score: int = Field(ge=1, le=5)
    comment: str = ""
    complaint: str | None = None
    followup_id: str | None = None

    def stream_id(self) -> str:
        return streams.feedback(self.session_id, self.client_id)
