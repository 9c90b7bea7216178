"""Amounts and rates on screen come from Decimal, never through float."""

from decimal import Decimal

from upgradecamp.tui.formats import percent, whole_yuan


def test_an_amount_to_the_whole_yuan_keeps_every_digit_of_a_large_balance():
    assert whole_yuan(Decimal("12345678901234567.49")) == "12,345,678,901,234,567"
    assert whole_yuan("200000.00") == "200,000"
    assert whole_yuan("—") == "—"


def test_a_rate_as_a_whole_percentage():
    assert percent(Decimal("0.5")) == "50%"
    assert percent("0.2851") == "29%"
    assert percent(None) == "-"
