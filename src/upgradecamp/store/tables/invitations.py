"""Read tables of invitations and of exports of personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from upgradecamp.store.types import UTCDateTime


class InvitationRow(SQLModel, table=True):
    """One invitation and where its waves got to: the call list and the check-in search read it.

    `state` is the latest decisive outcome (invited, sent, confirmed, waitlisted, declined,
    no_answer, call_back, wrong_number, opted_out); `to_tell` marks invitees of a cancelled
    session not yet informed; `waitlisted_at` (the log position of the confirmation that put
    them on the waiting list) orders the waiting list.
    """

    __tablename__ = "invitations"
    invitation_id: str = Field(primary_key=True)
    session_id: str = Field(index=True)
    client_id: str = Field(index=True)
    code: str = Field(index=True)
    segment: str
    aum_cents: int = Field(sa_type=BigInteger)
    state: str
    sms_sent: bool = False
    wechat_added: bool = False
    to_tell: bool = False
    calls: int = 0
    last_result: str | None = None
    last_note: str = ""
    last_outcome_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    waitlisted_at: int | None = Field(default=None, sa_type=BigInteger)


class ExportRow(SQLModel, table=True):
    """Every export of personal data: who, what, how many rows, masked or not."""

    __tablename__ = "exports"
    position: int = Field(primary_key=True)
    what: str
    format: str
    rows: int
    unmasked: bool
    filters: str
    file: str
    by: str
    at: datetime = Field(sa_type=UTCDateTime)
