"""Read-side queries of the registration screen (升级确认单) beyond the forms themselves.

A stable interface: each function takes an Engine, reads the read tables, returns plain data.
"""

from __future__ import annotations

from sqlmodel import col, select

from upgradecamp.domain.benefits import BENEFIT_PARTS  # SPEC §3.4's order
from upgradecamp.store.db import Source, reading
from upgradecamp.store.tables import BenefitRow


def benefits(source: Source) -> dict[str, list[dict[str, str]]]:
    """The benefits package shown beside the calculator: part → items ({title, description},
    and title_en, description_en where given) in their order; the four parts of SPEC §3.4
    first, any other part after them; empty parts left out."""
    with reading(source) as conn:
        rows = conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                BenefitRow.part,
                BenefitRow.title,
                BenefitRow.description,
                BenefitRow.title_en,
                BenefitRow.description_en,
            ).order_by(BenefitRow.part, col(BenefitRow.idx))
        ).all()
    out: dict[str, list[dict[str, str]]] = {part: [] for part in BENEFIT_PARTS}
    for r in rows:
        item = {"title": r.title, "description": r.description}
        item.update(
            {k: v for k, v in (("title_en", r.title_en), ("description_en", r.description_en)) if v}
        )
        out.setdefault(r.part, []).append(item)
    return {part: items for part, items in out.items() if items}
