"""Branches, published rule sets, the tier ladder and the benefits package."""

from __future__ import annotations

from datetime import date

from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent, canonical
from upgradecamp.store.tables import BenefitRow, BranchRow, RuleSetRow, TierLadderRow


def branch_registered(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    store.put(BranchRow, {"code": p["code"], "name": p["name"], "kind": p["kind"],
                          "theme": p["theme"]})


def rule_set_published(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    store.put(RuleSetRow, {
        "version": p["version"],
        "effective_from": date.fromisoformat(p["effective_from"]),
        "effective_to": date.fromisoformat(p["effective_to"]),
        "rules": canonical(p["rules"]),
        "published_at": ev.recorded_at,
        "published_by": ev.meta.get("actor", ""),
    })


def tier_ladder_published(store: RowStore, ev: StoredEvent) -> None:
    store.put(TierLadderRow, {"id": 1, "ladder": canonical(ev.payload["ladder"]),
                              "published_at": ev.recorded_at})


def benefits_published(store: RowStore, ev: StoredEvent) -> None:
    for part, items in ev.payload["parts"].items():
        for idx, item in enumerate(items):
            store.put(BenefitRow, {"part": part, "idx": idx, "title": item["title"],
                                   "description": item.get("description", "")})


HANDLERS = {
    "BranchRegistered": branch_registered,
    "RuleSetPublished": rule_set_published,
    "TierLadderPublished": tier_ladder_published,
    "BenefitsPublished": benefits_published,
}
