"""Cluster set-up events: branches, rule sets, the tier ladder, benefits."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from pydantic import Field

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import BranchKind, DomainEvent


class BranchRegistered(DomainEvent):
    """A branch (网点) joined the cluster: the core branch or a themed satellite."""

    TYPE: ClassVar[str] = "BranchRegistered"
    code: str = Field(pattern=r"^[A-Z0-9]{2,10}$")
    name: str
    kind: BranchKind
    theme: str
    theme_en: str | None = None  # the English screens' name of the theme; None: the Chinese

    def stream_id(self) -> str:
        return streams.branch(self.code)


class RuleSetPublished(DomainEvent):
    """A points/conversion rule set version was published; it never changes afterwards."""

    TYPE: ClassVar[str] = "RuleSetPublished"
    version: str
    effective_from: date
    effective_to: date
    rules: dict[str, Any]

    def stream_id(self) -> str:
        return streams.rule_set(self.version)


class TierLadderPublished(DomainEvent):
    """The tier ladder (客户分层) by converted AUM."""

    TYPE: ClassVar[str] = "TierLadderPublished"
    ladder: dict[str, Any]

    def stream_id(self) -> str:
        return streams.TIER_LADDER


class BenefitsPublished(DomainEvent):
    """The benefits package shown to clients: four parts, each a list of titled items."""

    TYPE: ClassVar[str] = "BenefitsPublished"
    parts: dict[str, list[dict[str, str]]]

    def stream_id(self) -> str:
        return streams.BENEFITS
