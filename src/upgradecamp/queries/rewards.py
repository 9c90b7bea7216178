"""Rewards for the Rewards screen and the CLI: the catalogue with stock left, redemptions."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import Engine
from sqlmodel import col, select

from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables.rewards import RedemptionRow, RewardRow


@dataclass(frozen=True)
class RewardLine:
    code: str
    name: str
    kind: str
    cost: int
    stock: int
    left: int
    name_en: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RedemptionLine:
    redemption_id: str
    client_id: str
    reward: str
    reward_name: str
    quantity: int
    points: int
    business_date: str
    redeemed_by: str
    status: str
    reason: str
    reward_name_en: str | None = None  # the catalogue's English name of the reward

    def to_json(self) -> dict:
        return asdict(self)


def reward_catalogue(engine: Engine) -> list[RewardLine]:
    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(RewardRow).order_by(
                col(RewardRow.kind), col(RewardRow.cost), col(RewardRow.code)
            )
        ).all()
    return [
        RewardLine(r.code, r.name, r.kind, r.cost, r.stock, r.stock - r.issued, r.name_en)
        for r in rows
    ]


def redemptions(
    engine: Engine, client_id: str | None = None, limit: int = 200
) -> list[RedemptionLine]:
    """Newest first; one client's, or everyone's."""
    query = select(RedemptionRow)
    if client_id:
        query = query.where(col(RedemptionRow.client_id) == client_id)
    with read_transaction(engine) as conn:
        rows = conn.execute(
            query.order_by(
                col(RedemptionRow.business_date).desc(), col(RedemptionRow.redemption_id).desc()
            ).limit(limit)
        ).all()
        english: dict[str, str | None] = {
            code: name_en
            for code, name_en in conn.execute(select(RewardRow.code, RewardRow.name_en)).all()
        }
    return [
        RedemptionLine(
            r.redemption_id,
            r.client_id,
            r.reward,
            r.reward_name,
            r.quantity,
            r.points,
            r.business_date.isoformat(),
            r.redeemed_by,
            r.status,
            r.reason,
            english.get(r.reward),
        )
        for r in rows
    ]
