"""The points ledger: every credited or reversed line, explained; balances; experience tiers.

Entries are keyed by credit key and line, so re-applying an event rewrites the same rows and
never credits twice.
"""

from __future__ import annotations

from datetime import date

from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables import ClientPointsRow, LedgerEntryRow


def _account(store: RowStore, client_id: str) -> dict:
    row = store.get(ClientPointsRow, client_id)
    if row is None:
        row = {"client_id": client_id, "balance": 0, "experience_tier": None,
               "experience_starts": None, "experience_ends": None,
               "experience_credit_key": None, "last_experience_outcome": None}
    return row


def _entry(ev: StoredEvent, key: str, line: dict, sign: int) -> dict:
    p = ev.payload
    return {
        "entry_id": key,
        "client_id": p["client_id"],
        "position": ev.position,
        "credit_key": p["credit_key"],
        "kind": p.get("kind", "reversal") if sign > 0 else "reversal",
        "reference": p.get("reference", p["credit_key"]),
        "business_date": date.fromisoformat(p["business_date"]),
        "rule_set": line["rule_set"],
        "line": line["line"],
        "item": line["item"],
        "source": line.get("source"),
        "value": line.get("value"),
        "coefficient": line.get("coefficient"),
        "multiplier": line.get("multiplier"),
        "converted_delta": line["converted_delta"] if sign > 0 else
        _negate(line["converted_delta"]),
        "formula": line["formula"] if sign > 0 else f"reversal of {line['formula']}",
        "points": sign * line["points"],
    }


def _entry_id(client_id: str, credit_key: str, line: int) -> str:
    """Credit keys repeat across clients (holding:2026-10), so the client is part of the id."""
    return f"{client_id}/{credit_key}#{line}"


def _negate(amount: str) -> str:
    return amount[1:] if amount.startswith("-") else ("0.00" if amount == "0.00" else "-" + amount)


def points_credited(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    for line in p["lines"]:
        store.put(LedgerEntryRow, _entry(ev, _entry_id(p["client_id"], p["credit_key"],
                                                       line["line"]),
                                         {**line, "rule_set": p["rule_set"]}, +1))
    account = _account(store, p["client_id"])
    account["balance"] += p["points"]
    store.put(ClientPointsRow, account)


def points_reversed(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    for entry in _entries_of(store, p["client_id"], p["credit_key"]):
        line = {"line": entry["line"], "item": entry["item"], "source": entry["source"],
                "value": entry["value"], "coefficient": entry["coefficient"],
                "multiplier": entry["multiplier"], "converted_delta": entry["converted_delta"],
                "formula": entry["formula"], "points": entry["points"],
                "rule_set": entry["rule_set"]}
        store.put(LedgerEntryRow, _entry(
            ev, _entry_id(p["client_id"], f"reversal:{p['credit_key']}", entry["line"]), line, -1))
    account = _account(store, p["client_id"])
    account["balance"] -= p["points"]
    store.put(ClientPointsRow, account)


def _entries_of(store: RowStore, client_id: str, credit_key: str) -> list[dict]:
    """The credited lines of one credit, read through the store so replay sees its own writes."""
    out = []
    line = 1
    while True:
        entry = store.get(LedgerEntryRow, _entry_id(client_id, credit_key, line))
        if entry is None:
            return out
        out.append(entry)
        line += 1


def experience_started(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    account = _account(store, p["client_id"])
    account.update(experience_tier=p["tier"], experience_starts=date.fromisoformat(p["starts"]),
                   experience_ends=date.fromisoformat(p["ends"]),
                   experience_credit_key=p["credit_key"])
    store.put(ClientPointsRow, account)


def experience_ended(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    account = _account(store, p["client_id"])
    account.update(experience_tier=None, experience_starts=None, experience_ends=None,
                   experience_credit_key=None, last_experience_outcome=p["outcome"])
    store.put(ClientPointsRow, account)


HANDLERS = {
    "PointsCredited": points_credited,
    "PointsReversed": points_reversed,
    "ExperienceStarted": experience_started,
    "ExperienceEnded": experience_ended,
}
