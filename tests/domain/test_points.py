"""Line arithmetic (SPEC §3.2): deltas rounded half up to the cent, points floored."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from upgradecamp.domain.errors import BadInput
from upgradecamp.domain.points import (
    FormLine,
    action_points,
    holding_points,
    parse_line_spec,
    price_line,
)
from upgradecamp.domain.rules import SOURCES, load_rule_set

RULES = Path(__file__).resolve().parents[2] / "fixtures" / "rules"
Q4 = load_rule_set(RULES / "2026Q4.toml")
D = Decimal


@pytest.mark.parametrize(
    ("line", "delta", "points"),
    [
        (FormLine("large_cd", D(50000), "existing"), D("0.00"), 600),
        (FormLine("fund", D(10000), "new"), D("15000.00"), 180),
        (FormLine("insurance", D(8000), "new"), D("24000.00"), 288),
        (FormLine("credit_card", D(1), "new"), D("10000.00"), 120),
    ],
)
def test_worked_example_lines(line: FormLine, delta: Decimal, points: int) -> None:
    result = price_line(Q4, line, on_site=True)
    assert result.converted_delta == delta
    assert result.points == points


def test_worked_example_action() -> None:
    assert action_points(Q4, "mobile_banking") == 200


def test_formula_explains_the_points() -> None:
    result = price_line(Q4, FormLine("fund", D(10000)), on_site=True)
    assert result.formula == "floor(10000.00 × 1.5 × 1.2 / 100) = 180"
    card = price_line(Q4, FormLine("credit_card", D(2)), on_site=False)
    assert card.formula == "floor(2 × 10000 × 1.0 × 1.0 / 100) = 200"
    assert (card.value, card.units) == (D("20000.00"), 2)


@pytest.mark.parametrize(
    ("source", "on_site", "multiplier", "points"),
    [
        ("new", False, "1.0", 150),
        ("new", True, "1.2", 180),
        ("other_bank", False, "1.5", 225),
        ("other_bank", True, "1.8", 270),
        ("existing", True, "1.2", 180),
    ],
)
def test_multipliers(source: str, on_site: bool, multiplier: str, points: int) -> None:
    result = price_line(Q4, FormLine("fund", D(10000), source), on_site)
    assert result.multiplier == D(multiplier)
    assert result.points == points


def test_existing_money_counts_only_the_uplift() -> None:
    assert price_line(Q4, FormLine("insurance", D(8000), "existing"), True).converted_delta == D(
        "16000.00"
    )
    assert price_line(Q4, FormLine("fund", D(10000), "existing"), True).converted_delta == D(
        "5000.00"
    )
    other = price_line(Q4, FormLine("time_deposit", D(10000), "other_bank"), True)
    assert other.converted_delta == D("10000.00")


def test_money_rounds_half_up_to_the_cent() -> None:
    assert price_line(Q4, FormLine("fund", D("100.010")), False).value == D("100.01")
    # 0.01 × 1.5 = 0.015 → 0.02 (half up, not banker's 0.02/0.01 ambiguity)
    assert price_line(Q4, FormLine("fund", D("0.01")), False).converted_delta == D("0.02")
    assert price_line(Q4, FormLine("gold", D("0.01")), False).converted_delta == D("0.01")


def test_points_are_floored() -> None:
    # 83.33 × 1.2 / 100 = 0.99996 → 0
    assert price_line(Q4, FormLine("gold", D("83.33")), False).points == 0
    assert price_line(Q4, FormLine("gold", D("83.34")), False).points == 1


def test_unknown_product_lists_the_known_codes() -> None:
    with pytest.raises(BadInput, match="unknown product 'stocks'") as caught:
        price_line(Q4, FormLine("stocks", D(1)), False)
    for code in Q4.products:
        assert code in str(caught.value)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (FormLine("fund", D(0)), "greater than 0"),
        (FormLine("fund", D(-5)), "greater than 0"),
        (FormLine("fund", D("NaN")), "greater than 0"),
        (FormLine("fund", D("Infinity")), "greater than 0"),
        (FormLine("fund", 10.5), "decimal number"),  # type: ignore[arg-type]
        (FormLine("fund", "100"), "decimal number"),  # type: ignore[arg-type]
        (FormLine("fund", True), "decimal number"),  # type: ignore[arg-type]
        (FormLine("fund", D("0.004")), "more than two decimals"),
        (FormLine("fund", D("1000.123")), "1000.123 has more than two decimals"),
        (FormLine("fund", D("100.005")), "more than two decimals"),
        (FormLine("fund", D("1e13")), "more than one line"),
        (FormLine("fund", D(1), "cash"), "unknown source of funds 'cash'"),
        (FormLine("credit_card", D("1.5")), "whole units"),
        (FormLine("credit_card", D(0)), "greater than 0"),
    ],
)
def test_bad_lines_are_bad_input(line: FormLine, problem: str) -> None:
    with pytest.raises(BadInput, match=problem):
        price_line(Q4, line, on_site=True)


def test_integer_values_are_accepted() -> None:
    assert price_line(Q4, FormLine("fund", 10000), True).points == 180  # type: ignore[arg-type]


def test_unknown_action_lists_the_known_codes() -> None:
    with pytest.raises(BadInput, match="mobile_banking, wechat_bind"):
        action_points(Q4, "tiktok_follow")


@pytest.mark.parametrize(
    ("aum", "points"),
    [(D(0), 0), (D("999.99"), 0), (D(1000), 1), (D(120000), 120), (D("123456.78"), 123)],
)
def test_holding_points_per_full_thousand(aum: Decimal, points: int) -> None:
    assert holding_points(aum) == points
    assert holding_points(aum, Q4.holding_points_per) == points


def test_holding_points_refuse_negative_aum() -> None:
    with pytest.raises(BadInput):
        holding_points(D(-1))


@pytest.mark.parametrize(
    ("spec", "line"),
    [
        ("fund:10000:new", FormLine("fund", D(10000), "new")),
        ("fund:10000", FormLine("fund", D(10000), "new")),
        ("large_cd:50000:existing", FormLine("large_cd", D(50000), "existing")),
        (
            "time_deposit:10,000.50:other_bank",
            FormLine("time_deposit", D("10000.50"), "other_bank"),
        ),
        ("credit_card:2", FormLine("credit_card", D(2), "new")),
        (" FUND：10000 ", FormLine("fund", D(10000), "new")),
    ],
)
def test_parse_line_spec(spec: str, line: FormLine) -> None:
    assert parse_line_spec(spec, Q4) == line


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("fund", "PRODUCT:VALUE"),
        ("fund:", "PRODUCT:VALUE"),
        (":100", "PRODUCT:VALUE"),
        ("fund:1:new:extra", "PRODUCT:VALUE"),
        ("fund:abc", "not a number"),
        ("bogus:100", "unknown product"),
        ("fund:100:cash", "unknown source"),
        ("credit_card:1.5", "whole units"),
        ("fund:-5", "greater than 0"),
        ("fund:nan", "greater than 0"),
    ],
)
def test_parse_line_spec_refuses_malformed_input(spec: str, problem: str) -> None:
    with pytest.raises(BadInput, match=problem):
        parse_line_spec(spec, Q4)


amounts = st.decimals(min_value=D("0.01"), max_value=D(10**11), places=2)


@st.composite
def lines(draw: st.DrawFn) -> FormLine:
    product = draw(st.sampled_from(list(Q4.products.values())))
    if product.kind == "count":
        value = D(draw(st.integers(min_value=1, max_value=1000)))
    else:
        value = draw(amounts)
    return FormLine(product.code, value, draw(st.sampled_from(SOURCES)))


@given(line=lines(), on_site=st.booleans())
def test_points_are_never_negative_and_never_exceed_the_exact_value(
    line: FormLine, on_site: bool
) -> None:
    result = price_line(Q4, line, on_site)
    exact = result.value * result.coefficient * result.multiplier / Q4.points_unit
    assert result.points >= 0
    assert result.points <= exact < result.points + 1
    assert result.converted_delta >= 0
    assert result.converted_delta == result.converted_delta.quantize(D("0.01"))


@given(line=lines(), on_site=st.booleans())
def test_parse_line_spec_reads_what_it_prints(line: FormLine, on_site: bool) -> None:
    spec = f"{line.product}:{line.value}:{line.source}"
    assert parse_line_spec(spec, Q4) == line
