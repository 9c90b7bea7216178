"""Read tables of the rewards catalogue (stock) and of redemptions (积分兑换)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class RewardRow(SQLModel, table=True):
    """A reward and what is left of it: `stock` listed, `issued` net of returns."""

    __tablename__ = "rewards"
    code: str = Field(primary_key=True)
    name: str
    kind: str
    cost: int
    stock: int
    issued: int = 0
    name_en: str | None = None


class RedemptionRow(SQLModel, table=True):
    """One redemption; `status` standing or reversed (with the reason)."""

    __tablename__ = "redemptions"
    redemption_id: str = Field(primary_key=True)
    client_id: str = Field(index=True)
    reward: str = Field(index=True)
    reward_name: str
    quantity: int
    points: int
    business_date: date
    redeemed_by: str
    status: str = Field(index=True)
    reason: str = ""
