"""Read table of feedback forms: satisfaction and complaints for the reports."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class FeedbackRow(SQLModel, table=True):
    __tablename__ = "feedback"
    session_id: str = Field(primary_key=True)
    client_id: str = Field(primary_key=True)
    branch: str = Field(index=True)
    presenter: str = Field(index=True)
    session_day: date = Field(index=True)
    score: int
    comment: str = ""
    complaint: str | None = None
    followup_id: str | None = None
    given_by: str
