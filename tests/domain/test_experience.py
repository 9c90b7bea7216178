"""The 90-day upgrade experience period, counted inclusively from the approval day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from upgradecamp.domain.errors import BadInput
from upgradecamp.domain.experience import experience_active, experience_ends


def test_last_day_of_a_90_day_period() -> None:
    assert experience_ends(date(2026, 10, 10)) == date(2027, 1, 7)
    assert experience_ends(date(2026, 10, 10), days=1) == date(2026, 10, 10)


def test_active_from_the_first_to_the_last_day() -> None:
    start = date(2026, 10, 10)
    assert not experience_active(start, date(2026, 10, 9))
    assert experience_active(start, start)
    assert experience_active(start, date(2027, 1, 7))
    assert not experience_active(start, date(2027, 1, 8))


def test_a_period_lasts_at_least_a_day() -> None:
    with pytest.raises(BadInput):
        experience_ends(date(2026, 10, 10), days=0)


@given(start=st.dates(), days=st.integers(min_value=1, max_value=400))
def test_period_holds_exactly_days_days(start: date, days: int) -> None:
    try:
        end = experience_ends(start, days)
    except OverflowError:
        return  # past date.max; no client is that patient
    assert (end - start).days + 1 == days
    assert experience_active(start, end, days)
    if end < date.max:
        assert not experience_active(start, end + timedelta(days=1), days)
