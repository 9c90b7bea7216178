"""Errors are said in the user's language, including the session states they name."""

from __future__ import annotations

import pytest

from upgradecamp.domain.errors import RuleRefused
from upgradecamp.tui import i18n
from upgradecamp.tui.errors import describe_error


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def test_a_session_state_in_an_error_is_translated_too():
    error = RuleRefused(
        "session S is planned, not open", "session_not_open", session="S", status="planned"
    )
    i18n.set_language("zh_CN")
    text = describe_error(error)
    assert "计划中" in text and "planned" not in text
    i18n.set_language("en")
    assert "Session S is planned" in describe_error(error)


def test_an_error_without_a_catalogue_entry_keeps_its_english_message():
    i18n.set_language("zh_CN")
    assert describe_error(RuleRefused("plain words", "no_such_code")) == "plain words"


# The params `service/maintenance._check_due` raises with.
PUSH = {"tier": "gold", "theme": "季度资讯", "frequency": "quarterly", "next_due": "2027-01-01"}


@pytest.mark.parametrize(
    ("code", "params", "en", "zh"),
    [
        (
            "maintenance_push_not_due",
            {**PUSH, "period": "2026-12"},
            "The gold push (季度资讯) is not due in 2026-12; the next is due on 2027-01-01",
            "gold 的维护推送（季度资讯）在 2026-12 尚未到期；下次到期日为 2027-01-01",
        ),
        (
            "maintenance_push_sent",
            {**PUSH, "period": "2026Q4", "sent": "2026-10-08"},
            "its list for 2026Q4 was written on 2026-10-08",
            "gold 的维护推送（季度资讯）2026Q4 的名单已于 2026-10-08 生成",
        ),
    ],
)
def test_the_push_cadence_refusals_are_worded_in_both_languages(code, params, en, zh):
    error = RuleRefused("the service's English words", code, **params)
    i18n.set_language("en")
    assert en in describe_error(error)
    i18n.set_language("zh_CN")
    assert zh in describe_error(error)
