"""Holdings events: a holdings file (持仓) imported, for maturity calls."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import DomainEvent


class Holding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    client_id: str
    product: str
    amount: Decimal = Field(gt=0)
    maturity: date


class HoldingsImported(DomainEvent):
    """The good rows of a holdings file; a holding is keyed by client, product and maturity,
    so importing the file again changes only the amounts that changed."""

    TYPE: ClassVar[str] = "HoldingsImported"
    source: str
    holdings: list[Holding]

    def stream_id(self) -> str:
        return streams.HOLDINGS
