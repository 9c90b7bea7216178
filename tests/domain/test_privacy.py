"""The pure rules of forgetting: who may, refusals, which prospects a purge takes, age bands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied, RuleRefused
from upgradecamp.domain.masking import mask_mobile
from upgradecamp.domain.privacy import (
    FORGOTTEN_MOBILE,
    PERSONAL_FIELDS,
    PLACEHOLDERS,
    ForgetFacts,
    Prospect,
    age_band,
    check_may_forget,
    check_reason,
    decide_forget,
    prospects_to_purge,
)

NOW = datetime(2026, 11, 20, 7, tzinfo=UTC)


def test_only_an_admin_may_forget():
    check_may_forget("admin", "a1")
    with pytest.raises(PermissionDenied, match="only an admin may forget"):
        check_may_forget("organizer", "org1")


def test_a_reason_is_needed_and_tidied():
    assert check_reason("  client   asked ") == "client asked"
    with pytest.raises(BadInput, match="say why"):
        check_reason("   ")


def test_unknown_and_already_forgotten_clients_are_refused():
    decide_forget(ForgetFacts("C1", exists=True))
    with pytest.raises(NotFound, match="no client C9"):
        decide_forget(ForgetFacts("C9", exists=False))
    with pytest.raises(RuleRefused, match="already forgotten on 2026-11-20 by a1"):
        decide_forget(ForgetFacts("C1", True, NOW, "a1"))


def test_purge_takes_old_unmatched_unforgotten_prospects_only():
    old = NOW - timedelta(days=40)
    prospects = [
        Prospect("P2", old, matched=False, forgotten=False),
        Prospect("P1", old, matched=False, forgotten=False),
        Prospect("P3", old, matched=True, forgotten=False),
        Prospect("P4", old, matched=False, forgotten=True),
        Prospect("P5", NOW - timedelta(days=10), matched=False, forgotten=False),
    ]
    assert prospects_to_purge(prospects, NOW, 30) == ["P1", "P2"]
    with pytest.raises(BadInput, match="at least 1"):
        prospects_to_purge(prospects, NOW, 0)


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (0, "0-30d"),
        (30, "0-30d"),
        (31, "31-180d"),
        (365, "181-365d"),
        (400, "1-3y"),
        (2000, "over 3y"),
    ],
)
def test_age_bands(days, band):
    assert age_band(days) == band


def test_every_personal_field_has_a_placeholder_and_the_forgotten_mobile_shows_as_nothing():
    for _subject, fields in PERSONAL_FIELDS.values():
        assert all(name in PLACEHOLDERS for name in fields)
    assert mask_mobile(FORGOTTEN_MOBILE) == ""
    assert mask_mobile("13812345678") == "138****5678"
