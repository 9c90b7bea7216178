"""Branches, published rule sets, the tier ladder and the benefits package."""

from __future__ import annotations

from upgradecamp.domain.events import (
    BenefitsPublished,
    BranchRegistered,
    RuleSetPublished,
    TierLadderPublished,
)
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.canonical import canonical
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables import BenefitRow, BranchRow, RuleSetRow, TierLadderRow

PROJECTION = Projection()


@PROJECTION.register
def branch_registered(store: RowStore, event: BranchRegistered, stored: StoredEvent) -> None:
    store.put(
        BranchRow,
        {
            "code": event.code,
            "name": event.name,
            "kind": event.kind,
            "theme": event.theme,
            "theme_en": event.theme_en,
        },
    )


@PROJECTION.register
def rule_set_published(store: RowStore, event: RuleSetPublished, stored: StoredEvent) -> None:
    store.put(
        RuleSetRow,
        {
            "version": event.version,
            "effective_from": event.effective_from,
            "effective_to": event.effective_to,
            "rules": canonical(event.rules),
            "published_at": stored.recorded_at,
            "published_by": stored.meta.get("actor", ""),
        },
    )


@PROJECTION.register
def tier_ladder_published(store: RowStore, event: TierLadderPublished, stored: StoredEvent) -> None:
    store.put(
        TierLadderRow,
        {"id": 1, "ladder": canonical(event.ladder), "published_at": stored.recorded_at},
    )


@PROJECTION.register
def benefits_published(store: RowStore, event: BenefitsPublished, stored: StoredEvent) -> None:
    for part, items in event.parts.items():
        for idx, item in enumerate(items):
            store.put(
                BenefitRow,
                {
                    "part": part,
                    "idx": idx,
                    "title": item["title"],
                    "description": item.get("description", ""),
                    "title_en": item.get("title_en"),
                    "description_en": item.get("description_en"),
                },
            )
