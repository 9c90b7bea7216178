"""Suitability: product risk level vs client risk grade and assessment expiry."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from upgradecamp.domain.errors import BadInput, Unsuitable
from upgradecamp.domain.rules import load_rule_set
from upgradecamp.domain.suitability import check_suitability

RULES = Path(__file__).resolve().parents[2] / "fixtures" / "rules"
PRODUCTS = load_rule_set(RULES / "2026Q4.toml").products
TODAY = date(2026, 11, 5)
NEXT_YEAR = date(2027, 11, 5)


@pytest.mark.parametrize("code", ["demand_deposit", "time_deposit", "large_cd", "credit_card"])
def test_r1_and_unrated_products_need_no_assessment(code: str) -> None:
    check_suitability(PRODUCTS[code], None, None, TODAY)
    check_suitability(PRODUCTS[code], "C1", date(2020, 1, 1), TODAY)


@pytest.mark.parametrize("grade", ["C3", "C4", "C5", "c3", " C3 "])
def test_grade_at_or_above_the_risk_level_is_fine(grade: str) -> None:
    check_suitability(PRODUCTS["fund"], grade, NEXT_YEAR, TODAY)


def test_r3_product_for_a_c2_client_is_unsuitable() -> None:
    with pytest.raises(Unsuitable) as caught:
        check_suitability(PRODUCTS["fund"], "C2", NEXT_YEAR, TODAY)
    message = str(caught.value)
    for part in ("fund", "基金", "R3", "C2", "风险评估", "R2 or below"):
        assert part in message
    assert caught.value.exit_code == 1


def test_r2_product_for_a_c1_client_is_unsuitable() -> None:
    with pytest.raises(Unsuitable, match="R1 or below"):
        check_suitability(PRODUCTS["insurance"], "C1", NEXT_YEAR, TODAY)


def test_no_assessment_is_unsuitable_above_r1() -> None:
    with pytest.raises(Unsuitable, match="风险评估") as caught:
        check_suitability(PRODUCTS["wealth_mgmt"], None, None, TODAY)
    assert "wealth_mgmt" in str(caught.value) and "理财产品" in str(caught.value)


def test_assessment_is_valid_through_its_expiry_date() -> None:
    check_suitability(PRODUCTS["fund"], "C5", TODAY, TODAY)
    with pytest.raises(Unsuitable, match="expired on 2026-11-04"):
        check_suitability(PRODUCTS["fund"], "C5", date(2026, 11, 4), TODAY)


def test_grade_without_expiry_date_counts_as_current() -> None:
    check_suitability(PRODUCTS["gold"], "C3", None, TODAY)


def test_malformed_grade_is_bad_input() -> None:
    with pytest.raises(BadInput, match="C9"):
        check_suitability(PRODUCTS["fund"], "C9", NEXT_YEAR, TODAY)
