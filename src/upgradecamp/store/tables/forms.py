"""Read table of registration forms: the approval queue and each marketer's returned forms."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from upgradecamp.store.types import UTCDateTime


class FormRow(SQLModel, table=True):
    """A form as it stands; lines and actions as JSON text, amounts as decimal strings."""

    __tablename__ = "forms"
    form_id: str = Field(primary_key=True)
    session_id: str = Field(index=True)
    client_id: str = Field(index=True)
    marketer: str = Field(index=True)
    status: str = Field(index=True)
    lines: str
    actions: str
    appointment: date | None = None
    on_site: bool
    revision: int
    points: int
    converted_delta: str
    tier_before: str
    tier_after: str
    submitted_at: datetime = Field(index=True, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = None
    decided_terminal: str | None = None
    reason: str | None = None
    credit_key: str | None = None
    photo_taken: bool = False
    photo_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
