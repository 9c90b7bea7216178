"""Follow-up events (事后跟进): created by rule when a session closes, then worked by marketers."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import Field

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import DomainEvent, upcaster

FollowUpKind = Literal[
    "fulfil_photo",
    "appointment_reminder",
    "intention_call",
    "invite_next",
    "update_contact",
    "cancel_call",
    "complaint",
]
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
        return streams.followup(self.followup_id)


class FollowUpOutcomeRecordedV1(DomainEvent):
    """First shape of FollowUpOutcomeRecorded, before it named the client (whose key seals
    the note)."""

    TYPE: ClassVar[str] = "FollowUpOutcomeRecorded"
    VERSION: ClassVar[int] = 1
    LEGACY: ClassVar[bool] = True
    followup_id: str
    outcome: FollowUpOutcome
    note: str = ""
    automatic: bool = False
    form_id: str | None = None


class FollowUpOutcomeRecorded(DomainEvent):
    """A try at the follow-up: reached, not reached, converted or declined, with a note.

    Every outcome but `not_reached` closes it; `automatic` marks the close by a later approved
    form (converted) rather than by a person. `client_id` names whose data key seals the note
    (domain/privacy.py); None only in events upcast from version 1, whose notes stay plain.
    """

    TYPE: ClassVar[str] = "FollowUpOutcomeRecorded"
    VERSION: ClassVar[int] = 2
    followup_id: str
    outcome: FollowUpOutcome
    note: str = ""
    automatic: bool = False
    form_id: str | None = None
    client_id: str | None = None

    def stream_id(self) -> str:
        return streams.followup(self.followup_id)


@upcaster("FollowUpOutcomeRecorded", 1)
def _followup_outcome_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "client_id": None}


class FollowUpRescheduled(DomainEvent):
    """The due date moved (the client asked to be called next week, …)."""

    TYPE: ClassVar[str] = "FollowUpRescheduled"
    followup_id: str
    due: date
    reason: str = ""

    def stream_id(self) -> str:
        return streams.followup(self.followup_id)


class FollowUpReassigned(DomainEvent):
    """An organizer gave the follow-up to another member of staff."""

    TYPE: ClassVar[str] = "FollowUpReassigned"
    followup_id: str
    assignee: str = Field(min_length=1)

    def stream_id(self) -> str:
        return streams.followup(self.followup_id)


class FollowUpReopened(DomainEvent):
    """The approved form that converted this follow-up was cancelled: it is open again, as it
    was before the conversion."""

    TYPE: ClassVar[str] = "FollowUpReopened"
    followup_id: str
    form_id: str
    reason: str = ""

    def stream_id(self) -> str:
        return streams.followup(self.followup_id)


class MaintenanceCallPlanned(DomainEvent):
    """A call a tier's service plan owes a client (birthday, maturity, experience ending,
    tier changed, dormant), created by `maintenance run`; worked at the follow-up desk like
    any follow-up. The id names the kind, the client and the occasion, so a second run
    creates nothing twice."""

    TYPE: ClassVar[str] = "MaintenanceCallPlanned"
    followup_id: str
    kind: Literal[
        "birthday_call", "maturity_call", "experience_ending", "tier_changed", "dormant_call"
    ]
    client_id: str
    branch: str
    assignee: str
    due: date
    tier: str
    occasion: str

    def stream_id(self) -> str:
        return streams.followup(self.followup_id)
