"""Rewards: the catalogue's stock and the redemptions, from the rewards events.

The points side of a redemption (balance, ledger lines) is the ledger projection's; here the
stock left and one row per redemption for the Rewards screen and `points explain`.
"""

from __future__ import annotations

from upgradecamp.domain.events import (
    PointsRedeemed,
    RedemptionReversed,
    RewardIssued,
    RewardListed,
    RewardReturned,
)
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.rewards import RedemptionRow, RewardRow

PROJECTION = Projection()


@PROJECTION.register
def reward_listed(store: RowStore, event: RewardListed, stored: StoredEvent) -> None:
    store.put(
        RewardRow,
        {
            "code": event.reward,
            "name": event.name,
            "kind": event.kind,
            "cost": event.cost,
            "stock": event.stock,
            "issued": 0,
            "name_en": event.name_en,
        },
    )


def _stock(store: RowStore, code: str, change: int) -> None:
    row = store.get(RewardRow, code)
    if row is not None:
        store.update(RewardRow, code, issued=row["issued"] + change)


@PROJECTION.register
def reward_issued(store: RowStore, event: RewardIssued, stored: StoredEvent) -> None:
    _stock(store, event.reward, event.quantity)


@PROJECTION.register
def reward_returned(store: RowStore, event: RewardReturned, stored: StoredEvent) -> None:
    _stock(store, event.reward, -event.quantity)


@PROJECTION.register
def points_redeemed(store: RowStore, event: PointsRedeemed, stored: StoredEvent) -> None:
    store.put(
        RedemptionRow,
        {
            "redemption_id": event.redemption_id,
            "client_id": event.client_id,
            "reward": event.reward,
            "reward_name": event.reward_name,
            "quantity": event.quantity,
            "points": event.points,
            "business_date": event.business_date,
            "redeemed_by": stored.meta.get("actor", ""),
            "status": "standing",
            "reason": "",
        },
    )


@PROJECTION.register
def redemption_reversed(store: RowStore, event: RedemptionReversed, stored: StoredEvent) -> None:
    if store.get(RedemptionRow, event.redemption_id) is not None:
        store.update(RedemptionRow, event.redemption_id, status="reversed", reason=event.reason)
