"""Read table of follow-ups: the follow-up desk, the exports and the reports read it."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from upgradecamp.store.types import UTCDateTime


class FollowUpRow(SQLModel, table=True):
    __tablename__ = "followups"
    followup_id: str = Field(primary_key=True)
    kind: str
    session_id: str = Field(index=True)
    branch: str = Field(index=True)
    client_id: str = Field(index=True)
    form_id: str | None = None
    next_session_id: str | None = None
    assignee: str = Field(index=True)
    due: date = Field(index=True)
    status: str = Field(index=True)
    outcome: str | None = None
    note: str = ""
    attempts: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: str | None = None
