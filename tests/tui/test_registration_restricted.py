"""A client the marketer may not see in full (domain.books.client_view): the form's live result
gives the points of the lines typed, never a tier or a gap worked out from an AUM it hides."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from upgradecamp.domain.calculator import calculate
from upgradecamp.domain.points import FormLine
from upgradecamp.domain.rules import load_rule_set
from upgradecamp.domain.tiers import load_tier_ladder
from upgradecamp.tui import i18n
from upgradecamp.tui.screens.registration_parts import render_calculation

RULES = Path(__file__).resolve().parents[2] / "fixtures" / "rules"
Q4 = load_rule_set(RULES / "2026Q4.toml")
LADDER = load_tier_ladder(RULES / "tiers.toml")
LINES = [FormLine("fund", Decimal(10000), "new")]


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def test_a_restricted_clients_result_shows_points_but_no_tier_or_gap():
    calc = calculate(Q4, LADDER, Decimal(0), LINES, [], on_site=False)
    full = render_calculation(calc, Q4, LADDER, [1])
    shown = render_calculation(calc, Q4, LADDER, [1], restricted=True)
    assert "Tier" in full and "short of" in full  # what an AUM of 0 would wrongly suggest
    assert "Points 150" in shown and "Fund" in shown
    assert "for the client's own manager" in shown
    assert "short of" not in shown and "Converted AUM" not in shown
