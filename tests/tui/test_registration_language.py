"""The registration screen's problem lines name the product in the UI language (issue 13)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.helpers import RULES
from upgradecamp import i18n
from upgradecamp.domain.points import FormLine
from upgradecamp.domain.rules import load_rule_set
from upgradecamp.tui.screens.registration_parts import suitability_notes

Q4 = load_rule_set(RULES / "2026Q4.toml")
FUND = [(2, FormLine("fund", Decimal("10000"), "new"))]  # R3


@pytest.fixture
def language():
    yield i18n.set_language
    i18n.set_language("en")


@pytest.mark.parametrize(
    ("lang", "grade", "expires", "name", "other"),
    [
        ("en", "C2", "2027-06-30", "Fund", "基金"),
        ("zh_CN", "C2", "2027-06-30", "基金", "Fund"),
        ("en", "C4", "2026-01-31", "Fund", "基金"),
        ("en", None, None, "Fund", "基金"),
    ],
)
def test_an_unsuitable_line_names_the_product_in_the_ui_language(
    language, lang, grade, expires, name, other
):
    language(lang)
    notes = suitability_notes(Q4, FUND, grade, expires, date(2026, 11, 20))
    assert [n for n, _ in notes] == [2]
    note = notes[0][1]
    assert name in note and other not in note, note
