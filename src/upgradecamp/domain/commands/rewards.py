"""Rewards commands: list the catalogue, redeem points, reverse a redemption."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from upgradecamp.domain.commands.base import Command


@dataclass(frozen=True)
class ListRewards(Command):
    """Put the rewards of fixtures/rewards.toml in the catalogue (those not there yet)."""

    rewards: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class RedeemPoints(Command):
    """A marketer, with the client present, spends the client's points on a reward."""

    client_id: str
    reward: str
    quantity: int = 1


@dataclass(frozen=True)
class ReverseRedemption(Command):
    """A redemption made in error: its points and its stock come back."""

    redemption_id: str
    reason: str
