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
# The ladder likewise, by its text. The statements are built once: pricing a form reads both,
# and building them cost more than running them.
_PARSED: dict[tuple[str, str], RuleSet] = {}
_LADDERS: dict[str, TierLadder] = {}
_RULE_SETS = select(RuleSetRow.version, RuleSetRow.rules).order_by(col(RuleSetRow.effective_from))
_LADDER = select(TierLadderRow.ladder)


def published_rule_sets(conn: Connection) -> list[RuleSet]:
    out = []
    for version, text in conn.execute(_RULE_SETS):
        parsed = _PARSED.get((version, text))
        if parsed is None:
            parsed = _PARSED[version, text] = RuleSet.from_payload(json.loads(text))
        out.append(parsed)
    return out


def published_ladder(conn: Connection) -> TierLadder | None:
    row = conn.execute(_LADDER).first()
    if row is None:
        return None
    ladder = _LADDERS.get(row.ladder)
    if ladder is None:
        ladder = _LADDERS[row.ladder] = TierLadder.from_payload(json.loads(row.ladder))
    return ladder


def tier_ladder(conn: Connection) -> TierLadder:
    ladder = published_ladder(conn)
    if ladder is None:
        raise no_ladder()
    return ladder
