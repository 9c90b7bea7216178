"""Check-in events: a client signed in at a session's door, or a check-in annulled."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import DomainEvent


class ClientCheckedIn(DomainEvent):
    """A client arrived. Kept on the session's stream so the last free seat goes only once."""

    TYPE: ClassVar[str] = "ClientCheckedIn"
    checkin_id: str
    session_id: str
    client_id: str
    invitation_id: str | None = None
    walk_in: bool = False
    method: Literal["code", "search", "walk_in", "import"] = "search"
    terminal: str = ""
    referred_by: str | None = None
    override_by: str | None = None

    def stream_id(self) -> str:
        return streams.session(self.session_id)


class CheckInAnnulled(DomainEvent):
    """A check-in made in error, annulled with a reason; the check-in itself stays in the log."""

    TYPE: ClassVar[str] = "CheckInAnnulled"
    checkin_id: str
    session_id: str
    client_id: str
    reason: str = Field(min_length=1)

    def stream_id(self) -> str:
        return streams.session(self.session_id)
