"""Forgetting reaches the idempotency cache (`command_results`) too.

A command run with an idempotency key keeps its result, so that a retry returns the first
answer; a check-in's result names the client, a walk-in's names the prospect. That copy is
no sealed field, so destroying the data key would leave it readable. On the forgetting's own
transaction (store/eventlog.py) every cached result that mentions the client is rewritten:
a member of a part about them (`client_id` equal to theirs) that is a personal field reads as
its placeholder, and any text holding one of their personal values (name, mobile, masked
mobile, ID digits, notes) has it replaced, wherever in the result it sits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection

from upgradecamp.domain.masking import mask_mobile
from upgradecamp.domain.privacy import PERSONAL_FIELDS, PLACEHOLDERS

# The fields searched for as text. ID digits and a birthday (0042, 03-15) would match inside
# ids, amounts and dates; they go by their key only. A one-character value is not searched.
_SEARCHED = frozenset({"name", "mobile", "note", "comment", "complaint"})
_SHORTEST = 2


def personal_values(payloads: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, str]:
    """Each personal value the (event type, opened payload) pairs hold → what replaces it."""
    swaps: dict[str, str] = {}
    for event_type, payload in payloads:
        spec = PERSONAL_FIELDS.get(event_type)
        if spec is None:
            continue
        for name in spec[1]:
            if name not in _SEARCHED:
                continue
            value = payload.get(name)
            if not isinstance(value, str) or len(value) < _SHORTEST:
                continue
            placeholder = PLACEHOLDERS[name]
            swaps[value] = "" if placeholder is None else str(placeholder)
            if name == "mobile":
                swaps[mask_mobile(value)] = mask_mobile(str(placeholder))
    return swaps


def _blank(value: Any, client_id: str, swaps: Mapping[str, str], theirs: bool = False) -> Any:
    if isinstance(value, dict):
        theirs = value.get("client_id") == client_id
        return {
            key: (
                PLACEHOLDERS[key]
                if theirs and key in PLACEHOLDERS and item is not None
                else _blank(item, client_id, swaps, theirs)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_blank(item, client_id, swaps, theirs) for item in value]
    if isinstance(value, str):
        for old in sorted(swaps, key=len, reverse=True):
            if old in value:
                value = value.replace(old, swaps[old])
    return value


def blank_results(conn: Connection, client_id: str, swaps: Mapping[str, str]) -> int:
    """Rewrite the cached results mentioning the client (by id or a personal value); how many
    changed."""
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    needles = [client_id, *(v for v in swaps if v)]
    where = " OR ".join([f"result LIKE {marker}"] * len(needles))
    cursor = conn.connection.cursor()
    changed = 0
    try:
        cursor.execute(
            f"SELECT idempotency_key, result FROM command_results WHERE {where}",
            [f"%{needle}%" for needle in needles],
        )
        for key, text in cursor.fetchall():
            blanked = json.dumps(_blank(json.loads(text), client_id, swaps), ensure_ascii=False)
            if blanked != text:
                cursor.execute(
                    f"UPDATE command_results SET result = {marker} "
                    f"WHERE idempotency_key = {marker}",
                    (blanked, key),
                )
                changed += 1
    finally:
        cursor.close()
    return changed
