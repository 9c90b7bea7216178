"""Handlers of the rewards commands: list the catalogue, redeem points, reverse a redemption.

The client's balance is folded from their points stream and the reward's stock from its own
stream; the redemption records one event on each, so whichever of two desks commits second
conflicts on the stream it shares with the first, is retried by the bus, and is then decided
on what is left.
"""

from __future__ import annotations

from typing import Any

from upgradecamp.domain import rewards as rules
from upgradecamp.domain.clock import business_date
from upgradecamp.domain.commands.rewards import ListRewards, RedeemPoints, ReverseRedemption
from upgradecamp.domain.events import RewardIssued, RewardListed, RewardReturned, streams
from upgradecamp.service.points import load_account
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.tables import ClientRow
from upgradecamp.store.tables.rewards import RedemptionRow


def load_reward(uow: UnitOfWork, code: str) -> tuple[rules.Reward | None, int]:
    """The reward as listed, and how many are left (listed − issued + returned)."""
    reward, left = None, 0
    for ev in uow.read_stream(streams.reward(code)):
        event = ev.event
        if isinstance(event, RewardListed):
            reward = rules.Reward(event.reward, event.name, event.kind, event.cost, event.stock)
            left = event.stock
        elif isinstance(event, RewardIssued):
            left -= event.quantity
        elif isinstance(event, RewardReturned):
            left += event.quantity
    return reward, left


def list_rewards(uow: UnitOfWork, cmd: ListRewards) -> dict[str, Any]:
    """List the rewards not in the catalogue yet; those already listed keep their stock."""
    uow.actor.require("points.manage", "list rewards")
    parsed = rules.parse_catalogue(cmd.rewards, "rewards")
    listed = []
    for reward in parsed:
        if uow.stream_version(streams.reward(reward.code)):
            continue
        uow.record(rules.listing(reward))
        listed.append(reward.code)
    return {"listed": listed, "already_listed": len(parsed) - len(listed)}


def redeem(uow: UnitOfWork, cmd: RedeemPoints) -> dict[str, Any]:
    account = load_account(uow, cmd.client_id)
    reward, left = load_reward(uow, cmd.reward)
    facts = rules.RedeemFacts(
        actor=uow.actor,
        client_id=cmd.client_id,
        client_exists=uow.rows.get(ClientRow, cmd.client_id) is not None,
        balance=account.balance,
        reward=reward,
        in_stock=left,
        number=account.redeemed + 1,
    )
    issued, spent = rules.decide_redeem(facts, cmd.reward, cmd.quantity, business_date(uow.clock()))
    uow.record(issued, spent)
    return {
        "redemption_id": spent.redemption_id,
        "client_id": cmd.client_id,
        "reward": spent.reward,
        "reward_name": spent.reward_name,
        "quantity": spent.quantity,
        "points": spent.points,
        "balance": account.balance - spent.points,
        "left": left - spent.quantity,
    }


def reverse_redemption(uow: UnitOfWork, cmd: ReverseRedemption) -> dict[str, Any]:
    row = uow.rows.get(RedemptionRow, cmd.redemption_id)
    standing = None
    balance = 0
    if row is not None:
        account = load_account(uow, row["client_id"])
        standing = account.redemptions.get(cmd.redemption_id)
        balance = account.balance
        uow.stream_version(streams.reward(row["reward"]))
    back, returned = rules.decide_reverse_redemption(
        uow.actor, standing, cmd.redemption_id, cmd.reason, business_date(uow.clock())
    )
    uow.record(back, returned)
    return {
        "redemption_id": cmd.redemption_id,
        "client_id": back.client_id,
        "reward": back.reward,
        "quantity": back.quantity,
        "points": back.points,
        "balance": balance + back.points,
        "reason": back.reason,
    }


HANDLERS: Handlers = {
    ListRewards: list_rewards,
    RedeemPoints: redeem,
    ReverseRedemption: reverse_redemption,
}
