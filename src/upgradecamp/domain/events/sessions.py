"""Session events: planned (alone or in a weekly series), changed, opened, closed, cancelled."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import DomainEvent


class SessionPlanned(DomainEvent):
    """A wealth upgrade session (财富升级会) was put in the calendar; `starts_at` is aware."""

    TYPE: ClassVar[str] = "SessionPlanned"
    session_id: str
    series_id: str | None = None
    branch: str
    venue: str = Field(min_length=1)
    starts_at: datetime
    duration_minutes: int = Field(ge=10, le=60)
    capacity: int = Field(ge=1, le=20)
    theme: str
    host: str
    presenter: str

    def stream_id(self) -> str:
        return streams.session(self.session_id)


class SessionChanged(DomainEvent):
    """A planned session was edited; only the changed fields are set."""

    TYPE: ClassVar[str] = "SessionChanged"
    session_id: str
    venue: str | None = Field(default=None, min_length=1)
    starts_at: datetime | None = None
    duration_minutes: int | None = Field(default=None, ge=10, le=60)
    capacity: int | None = Field(default=None, ge=1, le=20)
    theme: str | None = None
    host: str | None = None
    presenter: str | None = None

    def stream_id(self) -> str:
        return streams.session(self.session_id)


class SessionOpened(DomainEvent):
    """Check-in started at the door."""

    TYPE: ClassVar[str] = "SessionOpened"
    session_id: str

    def stream_id(self) -> str:
        return streams.session(self.session_id)


class SessionClosed(DomainEvent):
    """The session is over; follow-ups are created from here."""

    TYPE: ClassVar[str] = "SessionClosed"
    session_id: str

    def stream_id(self) -> str:
        return streams.session(self.session_id)


class SessionCancelled(DomainEvent):
    """The session will not take place; `to_tell` are the invitations whose clients must hear."""

    TYPE: ClassVar[str] = "SessionCancelled"
    session_id: str
    reason: str = Field(min_length=1)
    to_tell: list[str] = []

    def stream_id(self) -> str:
        return streams.session(self.session_id)
