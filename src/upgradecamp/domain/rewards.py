"""Points to spend (积分兑换): the rewards catalogue and redemption decisions. Pure.

A balance and a stock never go negative. The balance is decided on the client's points stream
and the stock on the reward's own stream, so two desks redeeming the last item at once meet on
the reward's stream version and the second one is told it is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied, RuleRefused
from upgradecamp.domain.events.rewards import (
    PointsRedeemed,
    RedemptionReversed,
    RewardIssued,
    RewardListed,
    RewardReturned,
)
from upgradecamp.domain.staff import Actor

KINDS = ("activity", "gift")
QUANTITY_MAX = 99


@dataclass(frozen=True)
class Reward:
    """One catalogue entry: an activity or a gift, its cost in points and its first stock."""

    code: str
    name: str
    kind: str
    cost: int
    stock: int
    name_en: str | None = None  # the en screens' name; Chinese is shown where there is none


def parse_catalogue(entries: Sequence[dict], where: str) -> list[Reward]:
    """`[[reward]]` tables of fixtures/rewards.toml; errors name the file and the entry."""
    out: list[Reward] = []
    for i, e in enumerate(entries, 1):
        code = str(e.get("code", "")).strip()
        if not code or not str(e.get("name", "")).strip():
            raise BadInput(
                f"{where}: reward #{i} needs a 'code' and a 'name'",
                "reward_needs_code_name",
                file=where,
                number=i,
            )
        if e.get("kind") not in KINDS:
            raise BadInput(
                f"{where}: reward {code} kind must be activity or gift",
                "reward_bad_kind",
                file=where,
                reward=code,
            )
        cost, stock = e.get("cost"), e.get("stock")
        if not isinstance(cost, int) or cost <= 0 or not isinstance(stock, int) or stock < 0:
            raise BadInput(
                f"{where}: reward {code} needs a whole 'cost' above 0 and a whole "
                "'stock' of 0 or more",
                "reward_bad_cost_stock",
                file=where,
                reward=code,
            )
        name_en = str(e.get("name_en") or "").strip() or None
        out.append(Reward(code, str(e["name"]).strip(), e["kind"], cost, stock, name_en))
    if len({r.code for r in out}) != len(out):
        raise BadInput(
            f"{where}: a reward code appears twice; give each its own",
            "reward_code_twice",
            file=where,
        )
    return out


def listing(reward: Reward) -> RewardListed:
    return RewardListed(
        reward=reward.code,
        name=reward.name,
        kind=reward.kind,
        cost=reward.cost,
        stock=reward.stock,
        name_en=reward.name_en,
    )


def check_can_take_back(
    client_id: str, balance: int, points: int, what: str, redemptions: Sequence[str] = ()
) -> None:
    """A reversal never leaves a balance below zero: spent points are given back first by
    reversing the redemptions that spent them."""
    if points <= balance:
        return
    spent = f" (reverse {', '.join(redemptions)} first)" if redemptions else ""
    raise RuleRefused(
        f"taking back {what} ({points} points) would leave {client_id} below zero: the balance "
        f"is {balance}{spent}; nothing was changed",
        "points_would_go_negative",
        client=client_id,
        points=points,
        balance=balance,
    )


@dataclass(frozen=True)
class RedeemFacts:
    """What a redemption is decided on. `reward` None: no such reward; `in_stock` counts
    issues and returns on the reward's stream; `number` is the client's next redemption."""

    actor: Actor
    client_id: str
    client_exists: bool
    balance: int
    reward: Reward | None
    in_stock: int
    number: int


def redemption_id(client_id: str, number: int) -> str:
    return f"{client_id}-R{number:02d}"


def decide_redeem(
    facts: RedeemFacts, reward_code: str, quantity: int, today: date
) -> tuple[RewardIssued, PointsRedeemed]:
    """A marketer redeems with the client present: the reward exists, the stock covers the
    quantity, the balance covers the cost."""
    facts.actor.require(
        "points.redeem", "redeem points (a marketer does it with the client present)"
    )
    if not facts.client_exists:
        raise NotFound(
            f"no client has the id '{facts.client_id}'; check the client number (客户号)",
            "redeem_client_not_found",
            client=facts.client_id,
        )
    if facts.reward is None:
        raise NotFound(
            f"no reward has the code '{reward_code}'; see the Rewards screen or "
            "fixtures/rewards.toml",
            "reward_not_found",
            reward=reward_code,
        )
    if not 1 <= quantity <= QUANTITY_MAX:
        raise BadInput(
            f"quantity {quantity} is out of range; redeem 1 to {QUANTITY_MAX}",
            "redeem_bad_quantity",
            quantity=quantity,
        )
    reward = facts.reward
    if quantity > facts.in_stock:
        raise RuleRefused(
            f"{reward.name} ({reward.code}) has {facts.in_stock} left, {quantity} asked; "
            "offer another reward",
            "reward_out_of_stock",
            reward=reward.code,
            left=facts.in_stock,
        )
    points = reward.cost * quantity
    if points > facts.balance:
        raise RuleRefused(
            f"{quantity} × {reward.name} costs {points} points and {facts.client_id} holds "
            f"{facts.balance}; choose fewer or a cheaper reward",
            "redeem_balance_too_low",
            client=facts.client_id,
            points=points,
            balance=facts.balance,
        )
    rid = redemption_id(facts.client_id, facts.number)
    return (
        RewardIssued(
            reward=reward.code, redemption_id=rid, client_id=facts.client_id, quantity=quantity
        ),
        PointsRedeemed(
            client_id=facts.client_id,
            redemption_id=rid,
            reward=reward.code,
            reward_name=reward.name,
            quantity=quantity,
            cost=reward.cost,
            points=points,
            business_date=today,
        ),
    )


def decide_reverse_redemption(
    actor: Actor, redemption: PointsRedeemed | None, redemption_ref: str, reason: str, today: date
) -> tuple[RedemptionReversed, RewardReturned]:
    """A redemption made in error is reversed with a reason: points back, stock back. By a
    marketer (who redeems) or a manager of points."""
    if not (actor.may("points.redeem") or actor.may("points.manage")):
        raise PermissionDenied(
            f"{actor.code} ({actor.role}) may not reverse redemptions; ask "
            "a marketer or a branch head",
            "redeem_reverse_denied",
            staff=actor.code,
        )
    text = (reason or "").strip()
    if not text:
        raise BadInput("give a reason for reversing the redemption", "redeem_reason_missing")
    if redemption is None:
        raise NotFound(
            f"no standing redemption '{redemption_ref}'; see `upgradecamp points explain CLIENT`",
            "redemption_not_found",
            redemption=redemption_ref,
        )
    r = redemption
    return (
        RedemptionReversed(
            client_id=r.client_id,
            redemption_id=r.redemption_id,
            reward=r.reward,
            quantity=r.quantity,
            points=r.points,
            reason=text,
            business_date=today,
        ),
        RewardReturned(reward=r.reward, redemption_id=r.redemption_id, quantity=r.quantity),
    )
