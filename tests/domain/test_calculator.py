"""The form calculator: the SPEC worked example, proposals that close the gap, properties."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import NEXT_QUARTER
from upgradecamp.domain.calculator import calculate, proposal_line
from upgradecamp.domain.errors import BadInput
from upgradecamp.domain.points import FormLine
from upgradecamp.domain.rules import SOURCES, RuleSet, load_rule_set
from upgradecamp.domain.tiers import Tier, load_tier_ladder

RULES = Path(__file__).resolve().parents[2] / "fixtures" / "rules"
Q4 = load_rule_set(RULES / "2026Q4.toml")
Q1 = load_rule_set(NEXT_QUARTER)
LADDER = load_tier_ladder(RULES / "tiers.toml")
D = Decimal

EXAMPLE_LINES = [
    FormLine("large_cd", D(50000), "existing"),
    FormLine("fund", D(10000), "new"),
    FormLine("insurance", D(8000), "new"),
    FormLine("credit_card", D(1), "new"),
]


def test_spec_worked_example() -> None:
    calc = calculate(Q4, LADDER, D(120000), EXAMPLE_LINES, ["mobile_banking"], on_site=True)
    assert calc.converted_delta == D("49000.00")
    assert calc.converted_aum == D("169000.00")
    assert calc.tier.code == "potential"
    assert calc.next_tier is not None and calc.next_tier.code == "silver"
    assert calc.gap == D("31000.00")
    assert calc.points == 1388
    assert [line.points for line in calc.lines] == [600, 180, 288, 120]
    assert calc.actions == [("mobile_banking", 200)]
    assert calc.proposals["time_deposit"] == D("31000.00")
    assert calc.proposals["fund"] == D("20666.67")
    assert calc.proposals["insurance"] == D("10333.34")


def test_spec_worked_example_json() -> None:
    calc = calculate(Q4, LADDER, D(120000), EXAMPLE_LINES, ["mobile_banking"], on_site=True)
    doc = json.loads(json.dumps(calc.to_json(), ensure_ascii=False))
    assert doc["rule_set"] == "2026Q4"
    assert doc["converted_delta"] == "49000.00"
    assert doc["converted_aum"] == "169000.00"
    assert (doc["tier"], doc["next_tier"], doc["gap"], doc["points"]) == (
        "potential",
        "silver",
        "31000.00",
        1388,
    )
    assert doc["proposals"]["fund"] == "20666.67"
    assert doc["proposals"]["credit_card"] == "40000.00"  # 4 whole cards
    assert doc["lines"][1] == {
        "product": "fund",
        "source": "new",
        "value": "10000.00",
        "units": None,
        "coefficient": "1.5",
        "multiplier": "1.2",
        "converted_delta": "15000.00",
        "points": 180,
        "formula": "floor(10000.00 × 1.5 × 1.2 / 100) = 180",
    }
    assert doc["actions"] == [{"code": "mobile_banking", "points": 200}]


def test_next_quarter_prices_the_same_form_differently() -> None:
    calc = calculate(Q1, LADDER, D(120000), EXAMPLE_LINES, ["mobile_banking"], on_site=True)
    assert calc.rule_set_version == "2027Q1"
    assert calc.converted_delta == D("50000.00")  # fund 10,000 × 1.6
    assert calc.points == 600 + 192 + 288 + 120 + 200


def test_top_tier_has_no_gap_and_no_proposals() -> None:
    calc = calculate(Q4, LADDER, D(8_000_000), [], [], on_site=False)
    assert (calc.tier.code, calc.next_tier, calc.gap, calc.proposals) == (
        "private",
        None,
        D("0.00"),
        {},
    )
    assert calc.to_json()["gap"] == "0.00"
    assert calc.to_json()["next_tier"] is None


def test_empty_form_for_a_new_client() -> None:
    calc = calculate(Q4, LADDER, D(0), [], [], on_site=False)
    assert (calc.tier.code, calc.next_tier.code, calc.gap) == ("standard", "valid", D("20000.00"))
    assert calc.points == 0
    assert calc.converted_delta == D("0.00")
    assert calc.proposals["credit_card"] == D("20000.00")


@pytest.mark.parametrize("tier", LADDER.tiers[1:], ids=lambda t: t.code)
def test_tier_thresholds_through_the_calculator(tier: Tier) -> None:
    below = calculate(Q4, LADDER, tier.minimum - D("0.01"), [], [], on_site=False)
    assert below.next_tier == tier
    assert below.gap == D("0.01")
    assert below.proposals["fund"] == D("0.01")  # 0.01 × 1.5 = 0.015 → 0.02
    at = calculate(Q4, LADDER, tier.minimum, [], [], on_site=False)
    assert at.tier == tier


def test_zero_coefficient_products_are_not_proposed() -> None:
    payload = Q4.to_payload()
    payload["products"].append(
        {
            "code": "lottery",
            "name_zh": "彩票",
            "kind": "amount",
            "coefficient": "0",
            "risk_level": None,
        }
    )
    rules = RuleSet.from_payload(payload)
    calc = calculate(rules, LADDER, D(120000), [FormLine("lottery", D(500))], [], on_site=True)
    assert "lottery" not in calc.proposals
    assert calc.converted_delta == D("0.00")
    assert calc.lines[0].points == 0


@pytest.mark.parametrize(
    ("aum", "actions", "problem"),
    [
        (D(-1), [], "0 or more"),
        (D("NaN"), [], "0 or more"),
        (D("1e16"), [], "beyond"),
        (120000.0, [], "decimal number"),
        (D(1), ["mobile_banking", "mobile_banking"], "twice"),
        (D(1), ["follow_us"], "unknown action"),
    ],
)
def test_bad_forms_are_bad_input(aum: object, actions: list[str], problem: str) -> None:
    with pytest.raises(BadInput, match=problem):
        calculate(Q4, LADDER, aum, [], actions, on_site=False)


def test_a_bad_line_is_bad_input() -> None:
    with pytest.raises(BadInput, match="unknown product"):
        calculate(Q4, LADDER, D(1), [FormLine("stocks", D(1))], [], on_site=False)


# --- properties ----------------------------------------------------------------------------

aums = st.decimals(min_value=D(0), max_value=D(10_000_000), places=2)


@st.composite
def form_lines(draw: st.DrawFn) -> FormLine:
    product = draw(st.sampled_from(list(Q4.products.values())))
    if product.kind == "count":
        value = D(draw(st.integers(min_value=1, max_value=20)))
    else:
        value = draw(st.decimals(min_value=D("0.01"), max_value=D(2_000_000), places=2))
    return FormLine(product.code, value, draw(st.sampled_from(SOURCES)))


Form = tuple[Decimal, list[FormLine], list[str], bool]
forms = st.tuples(
    aums,
    st.lists(form_lines(), max_size=6),
    st.lists(st.sampled_from(list(Q4.actions)), unique=True),
    st.booleans(),
)


@given(form=forms)
def test_totals_add_up_and_are_never_negative(form: Form) -> None:
    aum, lines, actions, on_site = form
    calc = calculate(Q4, LADDER, aum, lines, actions, on_site)
    assert calc.points >= 0
    assert calc.points == sum(r.points for r in calc.lines) + sum(p for _, p in calc.actions)
    assert calc.converted_aum == aum + sum((r.converted_delta for r in calc.lines), D(0))
    assert calc.tier == LADDER.tier_for(calc.converted_aum)
    if calc.next_tier is not None:
        assert calc.gap == calc.next_tier.minimum - calc.converted_aum > 0


@given(form=forms, extra=form_lines())
def test_adding_a_line_never_lowers_converted_aum_or_points(form: Form, extra: FormLine) -> None:
    aum, lines, actions, on_site = form
    before = calculate(Q4, LADDER, aum, lines, actions, on_site)
    after = calculate(Q4, LADDER, aum, [*lines, extra], actions, on_site)
    assert after.converted_aum >= before.converted_aum
    assert after.points >= before.points
    assert LADDER.rank(after.tier) >= LADDER.rank(before.tier)


@settings(max_examples=200)
@given(form=forms, rules=st.sampled_from([Q4, Q1]))
def test_every_proposal_closes_the_gap(form: Form, rules: RuleSet) -> None:
    aum, lines, actions, on_site = form
    calc = calculate(rules, LADDER, aum, lines, actions, on_site)
    if calc.next_tier is None:
        assert calc.proposals == {}
        return
    assert set(calc.proposals) == set(rules.products)
    for code, amount in calc.proposals.items():
        line = proposal_line(rules, code, amount)
        after = calculate(rules, LADDER, aum, [*lines, line], actions, on_site)
        assert LADDER.rank(after.tier) >= LADDER.rank(calc.next_tier), (code, amount)
        if rules.products[code].kind == "amount":
            # rounded up to the cent, and no further: one cent less would not close the gap
            assert amount * rules.products[code].coefficient - calc.gap < (
                D("0.01") * rules.products[code].coefficient
            )
