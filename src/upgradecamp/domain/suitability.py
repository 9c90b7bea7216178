"""Suitability (适当性): a product's risk level R1–R5 may not exceed the client's grade C1–C5.

Products above R1 also need a current risk assessment (风险评估). An assessment is valid up to
and including its expiry date; a grade imported without an expiry date is taken as current,
because the CRM export leaves the column empty when the bank set no expiry.
"""

from __future__ import annotations

from datetime import date

from upgradecamp.domain.errors import BadInput, Unsuitable
from upgradecamp.domain.rules import Product

RISK_GRADES = ("C1", "C2", "C3", "C4", "C5")


def grade_rank(risk_grade: str) -> int:
    """1..5 for C1..C5; BadInput for anything else."""
    grade = risk_grade.strip().upper()
    if grade not in RISK_GRADES:
        raise BadInput(
            f"unknown risk grade {risk_grade!r}; use C1, C2, C3, C4 or C5",
            "unknown_risk_grade",
            grade=repr(risk_grade),
        )
    return int(grade[1])


def check_suitability(
    product: Product, risk_grade: str | None, risk_expires: date | None, on: date
) -> None:
    """Raise Unsuitable when `product` may not be sold on `on` to a client with this grade."""
    level = product.risk_rank
    if level <= 1:
        return
    label = f"{product.code} ({product.name_zh}, {product.risk_level})"
    fallback = "or choose an R1 product such as a deposit"
    english = f"{product.code} ({product.name_en or product.code}, {product.risk_level})"
    said: dict[str, object] = {"label": label, "label_en": english}
    if not risk_grade:
        raise Unsuitable(
            f"{label} needs a risk assessment and the client has none; assess the client's "
            f"risk tolerance (风险评估) first, {fallback}",
            "unsuitable_no_assessment",
            **said,
        )
    rank = grade_rank(risk_grade)
    if risk_expires is not None and risk_expires < on:
        raise Unsuitable(
            f"{label}: the client's risk assessment ({risk_grade.strip().upper()}) expired on "
            f"{risk_expires}; re-assess the client's risk tolerance (风险评估), {fallback}",
            "unsuitable_assessment_expired",
            grade=risk_grade.strip().upper(),
            expired=str(risk_expires),
            **said,
        )
    if level > rank:
        raise Unsuitable(
            f"{label} exceeds the client's risk grade C{rank}; re-assess the client's risk "
            f"tolerance (风险评估) or choose a product at R{rank} or below",
            "unsuitable_above_grade",
            rank=rank,
            **said,
        )
