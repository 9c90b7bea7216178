"""Points ledger events: credits, reversals, experience periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import DomainEvent


class LedgerLine(BaseModel):
    """One explained line of a credit: what was counted, under which rule, for how many points."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    line: int
    item: str
    source: str | None = None
    value: Decimal | None = None
    coefficient: Decimal | None = None
    multiplier: Decimal | None = None
    converted_delta: Decimal = Decimal("0.00")
    formula: str
    points: int


class PointsCredited(DomainEvent):
    """Points (积分) credited to a client; `credit_key` is unique so nothing is credited twice."""

    TYPE: ClassVar[str] = "PointsCredited"
    client_id: str
    credit_key: str
    kind: Literal["form", "holding", "appointment_bonus", "referral_checkin", "referral_approval"]
    reference: str
    business_date: date
    rule_set: str
    lines: list[LedgerLine]
    points: int = Field(ge=0)
    converted_delta: Decimal

    def stream_id(self) -> str:
        return streams.points(self.client_id)


class PointsReversed(DomainEvent):
    """An approved form was cancelled: exactly the points it credited are taken back."""

    TYPE: ClassVar[str] = "PointsReversed"
    client_id: str
    credit_key: str
    reason: str
    business_date: date
    points: int = Field(ge=0)

    def stream_id(self) -> str:
        return streams.points(self.client_id)


class ExperienceStarted(DomainEvent):
    """An approved form lifted converted AUM above the standard tier: hold it for a while."""

    TYPE: ClassVar[str] = "ExperienceStarted"
    client_id: str
    credit_key: str
    tier: str
    standard_tier: str
    starts: date
    ends: date

    def stream_id(self) -> str:
        return streams.points(self.client_id)


class ExperienceEnded(DomainEvent):
    """The experience period ended: lapsed, sustained by imported AUM, or its form cancelled."""

    TYPE: ClassVar[str] = "ExperienceEnded"
    client_id: str
    tier: str
    on: date
    outcome: Literal["lapsed", "sustained", "cancelled"]

    def stream_id(self) -> str:
        return streams.points(self.client_id)
