"""Read tables of sessions and their check-ins (projections of session streams)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from upgradecamp.store.types import UTCDateTime


class SessionRow(SQLModel, table=True):
    """One session with its live counters, for the sessions view and the check-in board."""

    __tablename__ = "sessions"
    session_id: str = Field(primary_key=True)
    series_id: str | None = Field(default=None, index=True)
    branch: str = Field(index=True)
    venue: str
    starts_at: datetime = Field(index=True, sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    duration_minutes: int
    capacity: int
    theme: str
    host: str
    presenter: str
    status: str = Field(index=True)
    cancel_reason: str | None = None
    invited: int = 0
    confirmed: int = 0
    attended: int = 0
    walk_ins: int = 0
    planned_at: datetime = Field(sa_type=UTCDateTime)
    planned_by: str


class CheckInRow(SQLModel, table=True):
    """One check-in; an annulled one keeps its row with the reason."""

    __tablename__ = "checkins"
    checkin_id: str = Field(primary_key=True)
    session_id: str = Field(index=True)
    client_id: str = Field(index=True)
    # Indexed: a session's waiting list joins its invitations to their check-ins.
    invitation_id: str | None = Field(default=None, index=True)
    walk_in: bool
    method: str
    at: datetime = Field(sa_type=UTCDateTime)
    by: str
    terminal: str
    referred_by: str | None = None
    override_by: str | None = None
    annulled: bool = False
    annul_reason: str | None = None
