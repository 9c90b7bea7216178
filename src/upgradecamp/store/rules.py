"""The published rule sets and tier ladder, read from their tables as domain objects.

Both sides need them: handlers price a form with them, queries show them. Here, below both,
neither has to import the other.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection
from sqlmodel import col, select

from upgradecamp.domain.rules import RuleSet
from upgradecamp.domain.tiers import TierLadder, no_ladder
from upgradecamp.store.tables import RuleSetRow, TierLadderRow

# Published rule sets never change, so a parsed one can be kept for the process's life. Keyed
# by its text too: two databases (or a test's) may each publish their own, different 2027Q1.
_PARSED: dict[tuple[str, str], RuleSet] = {}


def published_rule_sets(conn: Connection) -> list[RuleSet]:
    out = []
    for row in conn.execute(
        select(RuleSetRow.version, RuleSetRow.rules).order_by(col(RuleSetRow.effective_from))
    ):
        key = (row.version, row.rules)
        parsed = _PARSED.get(key)
        if parsed is None:
            parsed = _PARSED[key] = RuleSet.from_payload(json.loads(row.rules))
        out.append(parsed)
    return out


def published_ladder(conn: Connection) -> TierLadder | None:
    row = conn.execute(select(TierLadderRow.ladder)).first()
    return None if row is None else TierLadder.from_payload(json.loads(row.ladder))


def tier_ladder(conn: Connection) -> TierLadder:
    ladder = published_ladder(conn)
    if ladder is None:
        raise no_ladder()
    return ladder
