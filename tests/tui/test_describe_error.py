"""Errors are said in the user's language, including the session states they name."""

from __future__ import annotations

import pytest

from upgradecamp.domain.errors import RuleRefused
from upgradecamp.tui import i18n
from upgradecamp.tui.app import describe_error


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def test_a_session_state_in_an_error_is_translated_too():
    error = RuleRefused("session S is planned, not open", "session_not_open", session="S",
                        status="planned")
    i18n.set_language("zh_CN")
    text = describe_error(error)
    assert "计划中" in text and "planned" not in text
    i18n.set_language("en")
    assert "Session S is planned" in describe_error(error)


def test_an_error_without_a_catalogue_entry_keeps_its_english_message():
    i18n.set_language("zh_CN")
    assert describe_error(RuleRefused("plain words", "no_such_code")) == "plain words"
