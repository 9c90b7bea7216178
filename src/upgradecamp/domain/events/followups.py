"""Follow-up events (事后跟进): created by rule when a session closes, then worked by marketers."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field

from upgradecamp.domain.events.base import DomainEvent

FollowUpKind = Literal["fulfil_photo", "appointment_reminder", "intention_call", "invite_next",
                       "update_contact"]
FollowUpOutcome = Literal["reached", "not_reached", "converted", "declined"]


class FollowUpCreated(DomainEvent):
    """A follow-up owed to a client after a session, with its assignee and due date (Shanghai).

    `followup_id` is derived from the session, the kind and the client, so closing a session
    twice finds the stream already there and creates nothing twice.
    """

    TYPE: ClassVar[str] = "FollowUpCreated"
    followup_id: str
    kind: FollowUpKind
    session_id: str
    client_id: str
    form_id: str | None = None
    assignee: str
    due: date
    next_session_id: str | None = None

    def stream_id(self) -> str:
        return f"followup-{self.followup_id}"


class FollowUpOutcomeRecorded(DomainEvent):
    """A try at the follow-up: reached, not reached, converted or declined, with a note.

    Every outcome but `not_reached` closes it; `automatic` marks the close by a later approved
    form (converted) rather than by a person.
    """

    TYPE: ClassVar[str] = "FollowUpOutcomeRecorded"
    followup_id: str
    outcome: FollowUpOutcome
    note: str = ""
    automatic: bool = False
    form_id: str | None = None

    def stream_id(self) -> str:
        return f"followup-{self.followup_id}"


class FollowUpRescheduled(DomainEvent):
    """The due date moved (the client asked to be called next week, …)."""

    TYPE: ClassVar[str] = "FollowUpRescheduled"
    followup_id: str
    due: date
    reason: str = ""

    def stream_id(self) -> str:
        return f"followup-{self.followup_id}"


class FollowUpReassigned(DomainEvent):
    """An organizer gave the follow-up to another member of staff."""

    TYPE: ClassVar[str] = "FollowUpReassigned"
    followup_id: str
    assignee: str = Field(min_length=1)

    def stream_id(self) -> str:
        return f"followup-{self.followup_id}"
