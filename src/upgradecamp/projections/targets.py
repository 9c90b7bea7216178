"""Targets: the latest set per marketer and month."""

from __future__ import annotations

from upgradecamp.domain.events import TargetSet
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.targets import TargetRow

PROJECTION = Projection()


@PROJECTION.register
def target_set(store: RowStore, event: TargetSet, stored: StoredEvent) -> None:
    aum = event.converted_aum
    store.put(
        TargetRow,
        {
            "staff": event.staff,
            "month": event.month,
            "forms": event.forms,
            "upgrades": event.upgrades,
            "converted_aum_cents": None if aum is None else int(aum * 100),
            "set_by": stored.meta.get("actor", ""),
        },
    )
