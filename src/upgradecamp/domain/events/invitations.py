"""Invitation events: invite lists built, invitations issued, outcomes of each wave, exports."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import DomainEvent

Channel = Literal["sms", "call", "wechat"]
OutcomeResult = Literal[
    "sent",
    "confirmed",
    "declined",
    "no_answer",
    "wrong_number",
    "call_back",
    "added",
    "opted_out",
    "informed",
]


class InviteListBuilt(DomainEvent):
    """An organizer built (or topped up) a session's invite list with these criteria.

    Every build appends to one cluster-wide stream, so two builds at once cannot both invite
    the same client or hand out the same code (the second retries against the first).
    """

    TYPE: ClassVar[str] = "InviteListBuilt"
    session_id: str
    aum_min: Decimal
    aum_max: Decimal
    per_seat: Decimal
    mix: dict[str, int] | None = None
    target: int
    issued: int
    excluded: dict[str, int] = {}

    def stream_id(self) -> str:
        return streams.INVITE_REGISTER


class InvitationIssued(DomainEvent):
    """A client was put on a session's invite list with a check-in code (6 characters)."""

    TYPE: ClassVar[str] = "InvitationIssued"
    invitation_id: str
    session_id: str
    client_id: str
    code: str = Field(pattern=r"^[A-Z0-9]{6}$")
    segment: str
    aum: Decimal

    def stream_id(self) -> str:
        return streams.invitation(self.invitation_id)


class InvitationOutcomeRecorded(DomainEvent):
    """What one wave did for one invitation: SMS sent, a call's result, WeChat added, …

    `waitlisted`: the client confirmed when every seat was taken, so they wait on the
    session's waiting list (候补) for a seat that frees up (`domain/waitlist.py`).
    """

    TYPE: ClassVar[str] = "InvitationOutcomeRecorded"
    invitation_id: str
    session_id: str
    client_id: str
    channel: Channel
    result: OutcomeResult
    note: str = ""
    waitlisted: bool = False

    def stream_id(self) -> str:
        return streams.invitation(self.invitation_id)


class PersonalDataExported(DomainEvent):
    """A file with clients' personal data left the system: who, what, how many rows."""

    TYPE: ClassVar[str] = "PersonalDataExported"
    what: str
    format: str
    rows: int
    unmasked: bool = False
    filters: dict[str, str] = {}
    file: str = ""

    def stream_id(self) -> str:
        return streams.EXPORTS
