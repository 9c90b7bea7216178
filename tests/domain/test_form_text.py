"""Typed form lines: codes, Chinese names and sources, bad lines reported by number."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from upgradecamp.domain.form_text import parse_form_text
from upgradecamp.domain.rules import load_rule_set

RULES = load_rule_set(Path(__file__).resolve().parents[2] / "fixtures" / "rules" / "2026Q4.toml")


def test_codes_chinese_names_and_sources():
    text = "fund 10000\n大额存单 50,000 存量\n\n# a note\ninsurance:8000:他行\ncredit_card 1"
    lines, problems = parse_form_text(text, RULES)
    assert problems == []
    assert [(ln.product, ln.value, ln.source) for ln in lines] == [
        ("fund", Decimal("10000"), "new"),
        ("large_cd", Decimal("50000"), "existing"),
        ("insurance", Decimal("8000"), "other_bank"),
        ("credit_card", Decimal("1"), "new"),
    ]


def test_bad_lines_are_numbered_and_good_ones_kept():
    lines, problems = parse_form_text("fund 100\nstocks 5\nfund\ncredit_card 1.5", RULES)
    assert [ln.product for ln in lines] == ["fund"]
    assert [p.number for p in problems] == [2, 3, 4]
    assert "unknown product 'stocks'" in problems[0].message
    assert "whole units" in problems[2].message


def test_wan_is_ten_thousand_yuan_in_a_line_and_alone():
    from upgradecamp.domain.points import in_yuan

    assert [in_yuan(t) for t in ("12万", "1.5万", "120000", "万", "12万5")] == [
        "120000",
        "15000",
        "120000",
        "万",
        "12万5",
    ]
    lines, problems = parse_form_text("基金 1万\n大额存单 0.5万 存量\n保险 1万x", RULES)
    assert [(ln.product, ln.value) for ln in lines] == [
        ("fund", Decimal("10000")),
        ("large_cd", Decimal("5000")),
    ]
    assert [p.number for p in problems] == [3]
