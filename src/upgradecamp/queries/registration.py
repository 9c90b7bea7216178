"""Read-side queries of the registration screen (升级确认单) beyond the forms themselves.

A stable interface: each function takes an Engine, reads the read tables, returns plain data.
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from upgradecamp.service.fixtures import BENEFIT_PARTS  # SPEC §3.4's order
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import BenefitRow


def benefits(engine: Engine) -> dict[str, list[dict[str, str]]]:
    """The benefits package shown beside the calculator: part → items ({title, description})
    in their order; the four parts of SPEC §3.4 first, any other part after them; empty parts
    left out."""
    with read_transaction(engine) as conn:
        rows = conn.execute(select(BenefitRow.part, BenefitRow.title, BenefitRow.description)
                            .order_by(BenefitRow.part, BenefitRow.idx)).all()
    out: dict[str, list[dict[str, str]]] = {part: [] for part in BENEFIT_PARTS}
    for r in rows:
        out.setdefault(r.part, []).append({"title": r.title, "description": r.description})
    return {part: items for part, items in out.items() if items}
