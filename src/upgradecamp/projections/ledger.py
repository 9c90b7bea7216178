"""The points ledger: every credited or reversed line, explained; balances; experience tiers.

Entries are keyed by credit key and line, so re-applying an event rewrites the same rows and
never credits twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from upgradecamp.domain.events import (
    ExperienceEnded,
    ExperienceStarted,
    PointsCredited,
    PointsRedeemed,
    PointsReversed,
    RedemptionReversed,
)
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables import ClientPointsRow, LedgerEntryRow

PROJECTION = Projection()


def _account(store: RowStore, client_id: str) -> dict[str, Any]:
    row = store.get(ClientPointsRow, client_id)
    if row is None:
        row = {
            "client_id": client_id,
            "balance": 0,
            "experience_tier": None,
            "experience_starts": None,
            "experience_ends": None,
            "experience_credit_key": None,
            "last_experience_outcome": None,
        }
    return row


def _entry_id(client_id: str, credit_key: str, line: int) -> str:
    """Credit keys repeat across clients (holding:2026-10), so the client is part of the id."""
    return f"{client_id}/{credit_key}#{line}"


def _text(amount: Decimal | None) -> str | None:
    """Amounts are kept as the decimal text the events carry."""
    return None if amount is None else str(amount)


def _negate(amount: str) -> str:
    return amount[1:] if amount.startswith("-") else ("0.00" if amount == "0.00" else "-" + amount)


@PROJECTION.register
def points_credited(store: RowStore, event: PointsCredited, stored: StoredEvent) -> None:
    for line in event.lines:
        store.put(
            LedgerEntryRow,
            {
                "entry_id": _entry_id(event.client_id, event.credit_key, line.line),
                "client_id": event.client_id,
                "position": stored.position,
                "credit_key": event.credit_key,
                "kind": event.kind,
                "reference": event.reference,
                "business_date": event.business_date,
                "rule_set": event.rule_set,
                "line": line.line,
                "item": line.item,
                "source": line.source,
                "value": _text(line.value),
                "coefficient": _text(line.coefficient),
                "multiplier": _text(line.multiplier),
                "converted_delta": str(line.converted_delta),
                "formula": line.formula,
                "points": line.points,
            },
        )
    account = _account(store, event.client_id)
    account["balance"] += event.points
    store.put(ClientPointsRow, account)


@PROJECTION.register
def points_reversed(store: RowStore, event: PointsReversed, stored: StoredEvent) -> None:
    """Each credited line is answered by a line taking back exactly its points."""
    for entry in _entries_of(store, event.client_id, event.credit_key):
        store.put(
            LedgerEntryRow,
            {
                **entry,
                "entry_id": _entry_id(
                    event.client_id, f"reversal:{event.credit_key}", entry["line"]
                ),
                "position": stored.position,
                "kind": "reversal",
                "reference": event.credit_key,
                "business_date": event.business_date,
                "converted_delta": _negate(entry["converted_delta"]),
                "formula": f"reversal of {entry['formula']}",
                "points": -entry["points"],
            },
        )
    account = _account(store, event.client_id)
    account["balance"] -= event.points
    store.put(ClientPointsRow, account)


def _entries_of(store: RowStore, client_id: str, credit_key: str) -> list[dict[str, Any]]:
    """The credited lines of one credit, read through the store so replay sees its own writes."""
    out: list[dict[str, Any]] = []
    line = 1
    while True:
        entry = store.get(LedgerEntryRow, _entry_id(client_id, credit_key, line))
        if entry is None:
            return out
        out.append(entry)
        line += 1


@PROJECTION.register
def experience_started(store: RowStore, event: ExperienceStarted, stored: StoredEvent) -> None:
    account = _account(store, event.client_id)
    account.update(
        experience_tier=event.tier,
        experience_starts=event.starts,
        experience_ends=event.ends,
        experience_credit_key=event.credit_key,
    )
    store.put(ClientPointsRow, account)


@PROJECTION.register
def experience_ended(store: RowStore, event: ExperienceEnded, stored: StoredEvent) -> None:
    account = _account(store, event.client_id)
    account.update(
        experience_tier=None,
        experience_starts=None,
        experience_ends=None,
        experience_credit_key=None,
        last_experience_outcome=event.outcome,
    )
    store.put(ClientPointsRow, account)


def _spending(
    event: PointsRedeemed | RedemptionReversed,
    stored: StoredEvent,
    key: str,
    kind: str,
    points: int,
    formula: str,
) -> dict[str, Any]:
    return {
        "entry_id": _entry_id(event.client_id, key, 1),
        "client_id": event.client_id,
        "position": stored.position,
        "credit_key": key,
        "kind": kind,
        "reference": event.redemption_id,
        "business_date": event.business_date,
        "rule_set": "",
        "line": 1,
        "item": event.reward,
        "source": None,
        "value": None,
        "coefficient": None,
        "multiplier": None,
        "converted_delta": "0.00",
        "formula": formula,
        "points": points,
    }


@PROJECTION.register
def points_redeemed(store: RowStore, event: PointsRedeemed, stored: StoredEvent) -> None:
    """Spent points are a ledger line too, so `points explain` lists them beside credits."""
    store.put(
        LedgerEntryRow,
        _spending(
            event,
            stored,
            f"redemption:{event.redemption_id}",
            "redemption",
            -event.points,
            f"{event.quantity} × {event.reward_name} at {event.cost} = {event.points}",
        ),
    )
    account = _account(store, event.client_id)
    account["balance"] -= event.points
    store.put(ClientPointsRow, account)


@PROJECTION.register
def redemption_reversed(store: RowStore, event: RedemptionReversed, stored: StoredEvent) -> None:
    store.put(
        LedgerEntryRow,
        _spending(
            event,
            stored,
            f"reversal:redemption:{event.redemption_id}",
            "redemption_reversal",
            event.points,
            f"redemption {event.redemption_id} reversed: {event.reason}",
        ),
    )
    account = _account(store, event.client_id)
    account["balance"] += event.points
    store.put(ClientPointsRow, account)
