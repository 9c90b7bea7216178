"""Read table of clients' holdings with maturity dates (持仓到期), for maturity calls."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class HoldingRow(SQLModel, table=True):
    __tablename__ = "holdings"
    client_id: str = Field(primary_key=True)
    product: str = Field(primary_key=True)
    maturity: date = Field(primary_key=True)
    amount: str


class TierMoveRow(SQLModel, table=True):
    """A client's last change of tier (客户等级变动) as its inputs: the day, and the AUM and
    experience tier just before it. Maintenance computes both tiers with the ladder, so a
    republished ladder needs no replay."""

    __tablename__ = "tier_moves"
    client_id: str = Field(primary_key=True)
    changed_on: date
    aum_before_cents: int
    experience_before: str | None = None
