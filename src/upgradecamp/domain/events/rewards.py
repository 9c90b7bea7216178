"""Rewards events (积分兑换): the catalogue, its stock, and points spent on it.

A redemption is two events in one transaction: the stock taken on the reward's stream (where
two desks asking for the last item meet) and the points spent on the client's points stream
(where the balance is decided).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import DomainEvent


class RewardListed(DomainEvent):
    """A reward joined the catalogue (fixtures/rewards.toml) with its cost and first stock."""

    TYPE: ClassVar[str] = "RewardListed"
    reward: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: Literal["activity", "gift"]
    cost: int = Field(gt=0)
    stock: int = Field(ge=0)
    name_en: str | None = None  # the en screens' name; older listings have none

    def stream_id(self) -> str:
        return streams.reward(self.reward)


class RewardIssued(DomainEvent):
    """Stock taken for a redemption."""

    TYPE: ClassVar[str] = "RewardIssued"
    reward: str
    redemption_id: str
    client_id: str
    quantity: int = Field(gt=0)

    def stream_id(self) -> str:
        return streams.reward(self.reward)


class RewardReturned(DomainEvent):
    """Stock given back because its redemption was reversed."""

    TYPE: ClassVar[str] = "RewardReturned"
    reward: str
    redemption_id: str
    quantity: int = Field(gt=0)

    def stream_id(self) -> str:
        return streams.reward(self.reward)


class PointsRedeemed(DomainEvent):
    """A client spent points on a reward, with a marketer at the desk."""

    TYPE: ClassVar[str] = "PointsRedeemed"
    client_id: str
    redemption_id: str
    reward: str
    reward_name: str
    quantity: int = Field(gt=0)
    cost: int = Field(gt=0)
    points: int = Field(gt=0)
    business_date: date

    def stream_id(self) -> str:
        return streams.points(self.client_id)


class RedemptionReversed(DomainEvent):
    """A redemption made in error was reversed with a reason: its points come back."""

    TYPE: ClassVar[str] = "RedemptionReversed"
    client_id: str
    redemption_id: str
    reward: str
    quantity: int = Field(gt=0)
    points: int = Field(gt=0)
    reason: str = Field(min_length=1)
    business_date: date

    def stream_id(self) -> str:
        return streams.points(self.client_id)
