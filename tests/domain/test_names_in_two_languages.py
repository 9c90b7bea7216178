"""Rule and tier files carry English names beside Chinese ones; a file without them still
loads, and the English screens then show the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from upgradecamp import i18n
from upgradecamp.config import fixtures_dir
from upgradecamp.domain.form_text import parse_form_text
from upgradecamp.domain.rules import RuleSet, load_rule_set
from upgradecamp.domain.tiers import TierLadder, load_tier_ladder

RULES = fixtures_dir() / "rules"


@pytest.fixture
def q4() -> RuleSet:
    return load_rule_set(RULES / "2026Q4.toml")


def test_every_shipped_product_action_and_tier_has_an_english_name(q4):
    ladder = load_tier_ladder(RULES / "tiers.toml")
    items = [*q4.products.values(), *q4.actions.values(), *ladder.tiers]
    assert [i.code for i in items if not i.name_en] == []


def test_names_follow_the_language(q4):
    fund = q4.products["fund"]
    assert i18n.name_of(fund, "en") == "Fund"
    assert i18n.name_of(fund, "zh_CN") == "基金"
    i18n.set_language("zh_CN", load=False)
    assert i18n.name_of(q4.actions["wechat_bind"]) == "微信绑定"


def test_english_names_survive_the_payload_a_published_rule_set_keeps(q4):
    again = RuleSet.from_payload(q4.to_payload())
    assert again == q4
    assert again.products["large_cd"].name_en == q4.products["large_cd"].name_en
    ladder = load_tier_ladder(RULES / "tiers.toml")
    assert TierLadder.from_payload(ladder.to_payload()).tiers == ladder.tiers


def test_a_file_without_english_names_loads_and_shows_codes_in_english(tmp_path: Path):
    text = (RULES / "2026Q4.toml").read_text(encoding="utf-8")
    plain = "\n".join(line for line in text.splitlines() if not line.startswith("name_en"))
    path = tmp_path / "old.toml"
    path.write_text(plain, encoding="utf-8")
    old = load_rule_set(path)
    assert old.products["fund"].name_en is None
    assert "name_en" not in old.to_payload()["products"][0]  # the payload it always had
    assert i18n.name_of(old.products["fund"], "en") == "fund"
    assert i18n.name_of(old.products["fund"], "zh_CN") == "基金"


def test_the_calculator_text_takes_an_english_name(q4):
    lines, problems = parse_form_text("Fund 10000\nInsurance 8000 existing", q4)
    assert problems == []
    assert [line.product for line in lines] == ["fund", "insurance"]
