"""Rule-set files: the fixtures match SPEC §3.2, bad files are refused by file and key."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import NEXT_QUARTER, two_quarters
from upgradecamp.domain.errors import BadInput, RuleFileError
from upgradecamp.domain.rules import (
    RuleSet,
    business_date,
    load_rule_set,
    load_rule_sets,
    rule_set_for,
)

RULES = Path(__file__).resolve().parents[2] / "fixtures" / "rules"
Q4_TEXT = (RULES / "2026Q4.toml").read_text(encoding="utf-8")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def rule_sets(tmp_path_factory) -> list[RuleSet]:
    return load_rule_sets(two_quarters(tmp_path_factory.mktemp("rules")))


def test_only_the_spec_quarter_ships() -> None:
    assert [r.version for r in load_rule_sets(RULES)] == ["2026Q4"]


def test_2026q4_matches_the_spec() -> None:
    rs = load_rule_set(RULES / "2026Q4.toml")
    assert rs.version == "2026Q4"
    assert (rs.effective_from, rs.effective_to) == (date(2026, 10, 1), date(2026, 12, 31))
    assert rs.points_unit == 100
    assert rs.on_site_multiplier == Decimal("1.2")
    assert rs.other_bank_multiplier == Decimal("1.5")
    table = {
        code: (p.kind, p.coefficient, p.unit_value, p.risk_level) for code, p in rs.products.items()
    }
    d = Decimal
    assert table == {
        "demand_deposit": ("amount", d("1.0"), None, "R1"),
        "time_deposit": ("amount", d("1.0"), None, "R1"),
        "large_cd": ("amount", d("1.0"), None, "R1"),
        "smart_deposit": ("amount", d("1.0"), None, "R1"),
        "wealth_mgmt": ("amount", d("1.0"), None, "R2"),
        "fund": ("amount", d("1.5"), None, "R3"),
        "insurance": ("amount", d("3.0"), None, "R2"),
        "gold": ("amount", d("1.2"), None, "R3"),
        "credit_card": ("count", d("1.0"), d("10000"), None),
    }
    assert rs.products["fund"].name_zh == "基金"
    assert {c: (a.name_zh, a.points) for c, a in rs.actions.items()} == {
        "mobile_banking": ("手机银行签约", 200),
        "wechat_bind": ("微信绑定", 50),
    }
    assert (rs.appointment_bonus, rs.appointment_window_days) == (300, 14)
    assert (rs.referral_checkin, rs.referral_first_approval) == (500, 1000)
    assert rs.holding_points_per == Decimal(1000)
    assert rs.experience_days == 90


def test_multipliers_combine_on_site_and_other_bank() -> None:
    rs = load_rule_set(RULES / "2026Q4.toml")
    assert rs.multiplier(True, "other_bank") == Decimal("1.8")
    assert rs.multiplier(True, "new") == Decimal("1.2")
    assert rs.multiplier(False, "other_bank") == Decimal("1.5")
    assert rs.multiplier(False, "existing") == Decimal(1)


def test_directory_loads_both_quarters_in_order_without_tiers(rule_sets: list[RuleSet]) -> None:
    assert [r.version for r in rule_sets] == ["2026Q4", "2027Q1"]
    q1 = rule_sets[1]
    assert (q1.effective_from, q1.effective_to) == (date(2027, 1, 1), date(2027, 3, 31))
    assert q1.products["fund"].coefficient == Decimal("1.6")


@pytest.mark.parametrize("path", [RULES / "2026Q4.toml", NEXT_QUARTER])
def test_payload_round_trips_exactly_through_json(path: Path) -> None:
    rs = load_rule_set(path)
    payload = json.loads(json.dumps(rs.to_payload()))
    assert payload["products"][5]["coefficient"] in ("1.5", "1.6")
    again = RuleSet.from_payload(payload)
    assert again == rs
    assert again.to_payload() == payload


def test_a_rule_set_is_immutable_and_equal_by_its_fields_only(rule_sets: list[RuleSet]) -> None:
    q4, q1 = rule_sets
    again = RuleSet.from_payload(q4.to_payload())
    again.memo["pricing"] = object()  # a derived table is no part of equality
    assert again == q4 and hash(again) == hash(q4)
    assert q4 != q1 and q4 != q4.to_payload()
    with pytest.raises(AttributeError, match="immutable"):
        q4.version = "2099Q1"
    with pytest.raises(AttributeError, match="immutable"):
        del q4.points_unit
    assert "2026Q4" in repr(q4)


def test_payload_errors_name_the_payload() -> None:
    payload = load_rule_set(RULES / "2026Q4.toml").to_payload()
    payload["products"][0]["coefficient"] = "x"
    with pytest.raises(RuleFileError, match=r"payload: products\[demand_deposit\].coefficient"):
        RuleSet.from_payload(payload)


# --- quarter boundary ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "version"),
    [
        (datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI), "2026Q4"),
        (datetime(2027, 1, 1, 0, 1, tzinfo=SHANGHAI), "2027Q1"),
        (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "2027Q1"),  # 00:30 in Shanghai
        (datetime(2026, 12, 31, 15, 59, tzinfo=UTC), "2026Q4"),  # 23:59 in Shanghai
        (datetime(2026, 10, 1, 0, 0, tzinfo=SHANGHAI), "2026Q4"),
        (datetime(2027, 3, 31, 23, 59, tzinfo=SHANGHAI), "2027Q1"),
    ],
)
def test_quarter_boundary_uses_the_shanghai_business_date(
    rule_sets: list[RuleSet], instant: datetime, version: str
) -> None:
    assert rule_set_for(rule_sets, business_date(instant)).version == version
    assert rule_set_for(rule_sets, instant).version == version


def test_business_date_converts_to_shanghai() -> None:
    assert business_date(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == date(2027, 1, 1)
    assert business_date(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)) == date(2026, 12, 31)


def test_business_date_refuses_a_naive_datetime() -> None:
    with pytest.raises(BadInput, match="time zone"):
        business_date(datetime(2026, 12, 31, 12, 0))


@pytest.mark.parametrize("day", [date(2026, 9, 30), date(2027, 4, 1)])
def test_no_rule_set_in_force_names_the_date(rule_sets: list[RuleSet], day: date) -> None:
    with pytest.raises(BadInput, match=str(day)):
        rule_set_for(rule_sets, day)


# --- invalid files -------------------------------------------------------------------------

FUND = 'code = "fund"\nname_zh = "基金"\nkind = "amount"\ncoefficient = "1.5"\nrisk_level = "R3"'


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        (FUND, FUND.replace('"amount"', '"weight"'), "products[fund].kind", "unknown kind"),
        (FUND, FUND.replace('"1.5"', '"-1.5"'), "products[fund].coefficient", "negative"),
        (FUND, FUND.replace('"1.5"', '"lots"'), "products[fund].coefficient", "not a number"),
        (FUND, FUND.replace('"1.5"', "true"), "products[fund].coefficient", "number"),
        (FUND, FUND.replace('"R3"', '"R9"'), "products[fund].risk_level", "R1..R5"),
        (FUND, FUND.replace('risk_level = "R3"', ""), "products[fund].risk_level", "missing"),
        (FUND, FUND.replace("coefficient", "coeficient"), "products[fund].coeficient", "unknown"),
        (FUND, FUND + '\nunit_value = "1"', "products[fund].unit_value", "only count"),
        ('unit_value = "10000"\n', "", "products[credit_card].unit_value", "missing"),
        ('unit_value = "10000"', 'unit_value = "0"', "products[credit_card].unit_value", "than 0"),
        ("effective_to = 2026-12-31", "effective_to = 2026-09-30", "effective_to", "before"),
        ("effective_from = 2026-10-01", 'effective_from = "soon"', "effective_from", "YYYY-MM-DD"),
        ('version = "2026Q4"\n', "", "version", "missing"),
        ("points_unit = 100", "points_unit = 100.5", "points_unit", "whole number"),
        ("points_unit = 100", "points_unit = 0", "points_unit", "greater than 0"),
        ('on_site_multiplier = "1.2"', 'on_site_multiplier = "0"', "on_site_multiplier", "than 0"),
        ("points = 200", "points = -200", "actions[mobile_banking].points", "0 or more"),
        ('code = "time_deposit"', 'code = "demand_deposit"', "products[demand_deposit]", "twice"),
        ('code = "gold"', 'code = "Gold Bar"', "products[7].code", "lower-case"),
        ("experience_days = 90", "experience_days = 90\nbonus = 1", "bonus", "unknown key"),
    ],
)
def test_invalid_rule_file_names_file_and_key(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    assert old in Q4_TEXT
    path = tmp_path / "broken.toml"
    path.write_text(Q4_TEXT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        load_rule_set(path)
    message = str(caught.value)
    assert str(path) in message
    assert key in message
    assert problem in message


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "syntax.toml"
    path.write_text(Q4_TEXT.replace('version = "2026Q4"', 'version = "2026Q4'), encoding="utf-8")
    with pytest.raises(RuleFileError, match="not valid TOML") as caught:
        load_rule_set(path)
    assert str(path) in str(caught.value)


def test_missing_file_is_a_rule_file_error(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="cannot read"):
        load_rule_set(tmp_path / "nope.toml")


def test_overlapping_rule_sets_are_rejected_naming_both_files(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(Q4_TEXT, encoding="utf-8")
    overlapping = Q4_TEXT.replace('version = "2026Q4"', 'version = "2026Q4b"').replace(
        "effective_from = 2026-10-01", "effective_from = 2026-12-31"
    )
    (tmp_path / "b.toml").write_text(overlapping, encoding="utf-8")
    with pytest.raises(RuleFileError, match="overlap") as caught:
        load_rule_sets(tmp_path)
    assert str(tmp_path / "a.toml") in str(caught.value)
    assert str(tmp_path / "b.toml") in str(caught.value)


def test_adjacent_rule_sets_are_fine_and_tiers_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "2026Q4.toml").write_text(Q4_TEXT, encoding="utf-8")
    (tmp_path / "tiers.toml").write_text("not = rules", encoding="utf-8")
    assert [r.version for r in load_rule_sets(tmp_path)] == ["2026Q4"]


def test_duplicate_versions_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(Q4_TEXT, encoding="utf-8")
    later = Q4_TEXT.replace("effective_from = 2026-10-01", "effective_from = 2027-01-01").replace(
        "effective_to = 2026-12-31", "effective_to = 2027-03-31"
    )
    (tmp_path / "b.toml").write_text(later, encoding="utf-8")
    with pytest.raises(RuleFileError, match="version"):
        load_rule_sets(tmp_path)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="no rule files"):
        load_rule_sets(tmp_path)
