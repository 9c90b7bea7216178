"""Crossing the quarter: next names and dates, drafts and their edits, the diff, the warning."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal

import pytest

from tests.helpers import NEXT_QUARTER, RULES
from upgradecamp.domain.errors import BadInput, RuleFileError, RuleRefused
from upgradecamp.domain.rule_quarters import (
    RuleChange,
    draft_next,
    edit_rule_set,
    editable_fields,
    next_version,
    quarter_dates,
    rule_set_changes,
    rules_ending,
)
from upgradecamp.domain.rules import load_rule_set, parse_rule_set
from upgradecamp.io.rule_toml import rule_set_toml

Q4 = load_rule_set(RULES / "2026Q4.toml")
Q1 = load_rule_set(NEXT_QUARTER)


@pytest.mark.parametrize(
    "version, expected",
    [
        ("2026Q4", "2027Q1"),
        ("2027Q1", "2027Q2"),
        ("2027Q3", "2027Q4"),
        ("autumn", None),
        ("2026Q5", None),
    ],
)
def test_next_version_follows_the_calendar_quarter(version, expected):
    assert next_version(version) == expected


@pytest.mark.parametrize(
    "year, quarter, start, end",
    [
        (2027, 1, date(2027, 1, 1), date(2027, 3, 31)),
        (2028, 1, date(2028, 1, 1), date(2028, 3, 31)),
        (2027, 2, date(2027, 4, 1), date(2027, 6, 30)),
        (2027, 4, date(2027, 10, 1), date(2027, 12, 31)),
    ],
)
def test_quarter_dates_are_inclusive(year, quarter, start, end):
    assert quarter_dates(year, quarter) == (start, end)


def test_a_draft_copies_everything_but_its_name_and_dates():
    draft = draft_next(Q4, "2027Q1", ["2026Q4"])
    assert (draft.version, draft.effective_from, draft.effective_to) == (
        "2027Q1",
        date(2027, 1, 1),
        date(2027, 3, 31),
    )
    assert draft.products == Q4.products and draft.actions == Q4.actions
    assert rule_set_changes(Q4, draft) == []


def test_a_draft_must_be_the_next_quarter_and_new():
    with pytest.raises(
        BadInput, match="2027Q2 does not follow 2026Q4: the quarter after 2026Q4 is 2027Q1"
    ):
        draft_next(Q4, "2027Q2", ["2026Q4"])
    with pytest.raises(RuleRefused, match="2027Q1 already exists .* draft 2027Q2 --from 2027Q1"):
        draft_next(Q4, "2027Q1", ["2026Q4", "2027Q1"])
    odd = parse_rule_set({**Q4.to_payload(), "version": "autumn"}, "t")
    with pytest.raises(BadInput, match="not named by quarter"):
        draft_next(odd, "2027Q1", [])


def test_the_toml_file_reads_back_as_the_same_rule_set():
    draft = draft_next(Q4, "2027Q1", ["2026Q4"])
    text = rule_set_toml(draft, "2026Q4")
    assert "drafted from 2026Q4" in text and 'coefficient = "1.5"' in text
    assert parse_rule_set(tomllib.loads(text, parse_float=Decimal), "file") == draft


def test_edits_change_one_value_and_show_in_the_diff():
    draft = draft_next(Q4, "2027Q1", ["2026Q4"])
    edited = edit_rule_set(draft, "products.fund.coefficient", "1.6")
    edited = edit_rule_set(edited, "actions.mobile_banking.points", "250")
    edited = edit_rule_set(edited, "on_site_multiplier", "1.3")
    assert edited.products["fund"].coefficient == Decimal("1.6")
    assert rule_set_changes(Q4, edited) == [
        RuleChange("on_site_multiplier", "1.2", "1.3"),
        RuleChange("products.fund.coefficient", "1.5", "1.6"),
        RuleChange("actions.mobile_banking.points", "200", "250"),
    ]
    assert edit_rule_set(edited, "products.fund.coefficient", "1.60") is edited


def test_the_test_quarter_differs_from_2026q4_by_the_fund_coefficient_only():
    assert rule_set_changes(Q4, Q1) == [RuleChange("products.fund.coefficient", "1.5", "1.6")]


def test_added_and_removed_items_show_as_such():
    payload = Q4.to_payload()
    payload["actions"] = [
        *payload["actions"][1:],
        {"code": "etc_card", "name_zh": "ETC", "points": 30},
    ]
    changes = rule_set_changes(Q4, parse_rule_set(payload, "t"))
    assert RuleChange("actions.etc_card.points", None, "30") in changes
    assert RuleChange("actions.mobile_banking.points", "200", None) in changes


@pytest.mark.parametrize(
    "key, value, error, code",
    [
        ("products.fund.coefficient", "abc", BadInput, "draft_not_number"),
        ("products.fund.coefficient", "-1", BadInput, "draft_not_number"),
        ("actions.wechat_bind.points", "5.5", BadInput, "draft_not_whole"),
        ("products.fund.risk_level", "R1", BadInput, "draft_key_not_editable"),
        ("version", "2027Q2", BadInput, "draft_key_not_editable"),
        ("on_site_multiplier", "0", RuleFileError, "rule_file_invalid"),
    ],
)
def test_bad_edits_are_refused_with_a_message(key, value, error, code):
    with pytest.raises(error) as raised:
        edit_rule_set(Q4, key, value)
    assert raised.value.code == code


def test_editable_fields_are_coefficients_actions_then_bonuses():
    keys = [f.key for f in editable_fields(Q4)]
    assert keys[0] == "products.demand_deposit.coefficient"
    assert "products.credit_card.unit_value" in keys
    assert keys.index("actions.mobile_banking.points") < keys.index("on_site_multiplier")
    assert {"appointment_bonus", "referral_checkin", "experience_days"} <= set(keys)
    assert not any(k.endswith((".risk_level", ".kind", ".name_zh")) for k in keys)


@pytest.mark.parametrize(
    "today, days_left",
    [
        (date(2026, 12, 7), None),
        (date(2026, 12, 16), None),  # 15 days before the end: not yet
        (date(2026, 12, 17), 14),  # 14 days before: the first warning day
        (date(2026, 12, 30), 1),
        (date(2026, 12, 31), 0),  # its last day
        (date(2027, 1, 1), -1),  # lapsed: forms are refused now
    ],
)
def test_the_warning_starts_14_days_before_the_end(today, days_left):
    ending = rules_ending([Q4], today)
    if days_left is None:
        assert ending is None
        return
    assert ending is not None
    assert (
        ending.version,
        ending.ends,
        ending.refused_from,
        ending.days_left,
        ending.next_version,
    ) == ("2026Q4", date(2026, 12, 31), date(2027, 1, 1), days_left, "2027Q1")
    assert ending.lapsed == (days_left < 0)


@pytest.mark.parametrize("today", [date(2026, 12, 17), date(2026, 12, 31)])
def test_no_warning_once_the_next_quarter_is_published(today):
    assert rules_ending([Q4, Q1], today) is None


def test_the_warning_moves_on_to_the_next_quarter():
    assert rules_ending([Q4, Q1], date(2027, 3, 17)).version == "2027Q1"
    assert rules_ending([Q4, Q1], date(2027, 3, 16)) is None


def test_no_warning_without_any_rule_set_or_before_the_first():
    assert rules_ending([], date(2026, 12, 20)) is None
    assert rules_ending([Q1], date(2026, 12, 20)) is None
