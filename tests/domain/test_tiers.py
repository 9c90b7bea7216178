"""The tier ladder (SPEC §3.1): thresholds, VIP, segments, and refusing broken ladders."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from upgradecamp.domain.errors import BadInput, RuleFileError
from upgradecamp.domain.tiers import Tier, TierLadder, load_tier_ladder, segment_for

TIERS_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "rules" / "tiers.toml"
TIERS_TEXT = TIERS_FILE.read_text(encoding="utf-8")
LADDER = load_tier_ladder(TIERS_FILE)
D = Decimal
CENT = D("0.01")


def test_fixture_matches_the_spec() -> None:
    assert [(t.code, t.name_zh, t.minimum) for t in LADDER.tiers] == [
        ("standard", "普通客户", D(0)),
        ("valid", "有效客户", D(20_000)),
        ("potential", "潜力客户", D(50_000)),
        ("silver", "银卡贵宾", D(200_000)),
        ("gold", "金卡贵宾", D(500_000)),
        ("diamond", "金钻贵宾", D(1_000_000)),
        ("quasi_private", "准私银客户", D(5_000_000)),
        ("private", "私人银行客户", D(8_000_000)),
    ]
    assert LADDER.vip_from == "silver"


@pytest.mark.parametrize(
    ("lower", "upper"), list(zip(LADDER.tiers, LADDER.tiers[1:], strict=False)), ids=str
)
def test_each_threshold(lower: Tier, upper: Tier) -> None:
    assert LADDER.tier_for(upper.minimum - CENT) == lower
    assert LADDER.tier_for(upper.minimum) == upper
    assert LADDER.next_tier(lower) == upper


def test_zero_is_standard_and_the_top_has_no_next() -> None:
    assert LADDER.tier_for(D(0)).code == "standard"
    assert LADDER.tier_for(D(10**12)).code == "private"
    assert LADDER.next_tier(LADDER.tier("private")) is None


def test_negative_converted_aum_is_bad_input() -> None:
    with pytest.raises(BadInput):
        LADDER.tier_for(D("-0.01"))


def test_vip_means_silver_or_above() -> None:
    vip = [t.code for t in LADDER.tiers if LADDER.is_vip(t)]
    assert vip == ["silver", "gold", "diamond", "quasi_private", "private"]


def test_unknown_tier_code() -> None:
    with pytest.raises(BadInput, match="unknown tier 'bronze'"):
        LADDER.tier("bronze")


@pytest.mark.parametrize(
    ("aum", "segment"),
    [
        ("0", "long_tail"),
        ("49999.99", "long_tail"),
        ("50000", "potential"),
        ("199999.99", "potential"),
        ("200000", "mid_high"),
        ("7999999.99", "mid_high"),
        ("8000000", "private"),
    ],
)
def test_segments(aum: str, segment: str) -> None:
    assert segment_for(D(aum)) == segment


def test_payload_round_trips() -> None:
    payload = json.loads(json.dumps(LADDER.to_payload()))
    assert TierLadder.from_payload(payload) == LADDER


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ('minimum = "0"', 'minimum = "1"', "tiers[standard].minimum", "start at 0"),
        ('minimum = "50000"', 'minimum = "20000"', "tiers[potential].minimum", "must be above"),
        ('minimum = "50000"', 'minimum = "10000"', "tiers[potential].minimum", "must be above"),
        ('minimum = "50000"', 'minimum = "fifty"', "tiers[potential].minimum", "not a number"),
        ('minimum = "50000"', 'minimum = "-5"', "tiers[potential].minimum", "negative"),
        ('vip_from = "silver"', 'vip_from = "platinum"', "vip_from", "not a tier"),
        ('code = "valid"', 'code = "standard"', "tiers[standard]", "twice"),
        ('name_zh = "有效客户"', 'nom = "x"', "tiers[valid].nom", "unknown key"),
    ],
)
def test_broken_ladders_name_file_and_key(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    assert old in TIERS_TEXT
    path = tmp_path / "tiers.toml"
    path.write_text(TIERS_TEXT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        load_tier_ladder(path)
    message = str(caught.value)
    assert str(path) in message and key in message and problem in message


def test_ladder_built_in_code_is_checked_too() -> None:
    with pytest.raises(RuleFileError, match="must be above"):
        TierLadder((Tier("a", "甲", D(0)), Tier("b", "乙", D(0))), vip_from="b")


@given(
    a=st.decimals(min_value=0, max_value=10**8, places=2),
    b=st.decimals(min_value=0, max_value=10**8, places=2),
)
def test_tier_for_is_monotone_and_within_bounds(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert LADDER.rank(LADDER.tier_for(low)) <= LADDER.rank(LADDER.tier_for(high))
    tier = LADDER.tier_for(a)
    above = LADDER.next_tier(tier)
    assert tier.minimum <= a and (above is None or a < above.minimum)


def test_a_ladder_is_immutable_and_equal_by_its_tiers() -> None:
    ladder = load_tier_ladder(TIERS_FILE)
    again = TierLadder(list(ladder.tiers), ladder.vip_from)  # type: ignore[arg-type]
    assert again == ladder and hash(again) == hash(ladder)
    assert again.tiers == ladder.tiers and isinstance(again.tiers, tuple)
    assert TierLadder(ladder.tiers, ladder.tiers[-1].code) != ladder
    with pytest.raises(AttributeError, match="immutable"):
        ladder.vip_from = "x"
