"""Monthly targets of a marketer (EPE, 考核目标): set, and set again to change them."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import DomainEvent


class TargetSet(DomainEvent):
    """A marketer's targets for a month; a figure left None keeps no target for it."""

    TYPE: ClassVar[str] = "TargetSet"
    staff: str
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    forms: int | None = Field(default=None, ge=0)
    upgrades: int | None = Field(default=None, ge=0)
    converted_aum: Decimal | None = Field(default=None, ge=0, decimal_places=2)

    def stream_id(self) -> str:
        return streams.targets(self.staff)
