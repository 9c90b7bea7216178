"""The one clock: Beijing business dates and times from UTC instants, and back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from upgradecamp.domain import clock
from upgradecamp.domain.errors import BadInput

LATE = datetime(2026, 11, 19, 16, 5, tzinfo=UTC)  # 00:05 on 11-20 in Beijing


def test_business_date_is_the_beijing_day_not_the_utc_one():
    assert clock.business_date(LATE) == date(2026, 11, 20)
    assert clock.today(lambda: LATE) == date(2026, 11, 20)
    assert clock.local_hm(LATE) == "00:05"
    assert clock.local_minute("2026-11-19T16:05:00+00:00") == "2026-11-20 00:05"
    assert clock.local_iso(LATE) == "2026-11-20T00:05:00+08:00"


def test_a_time_without_a_zone_is_refused_with_what_to_do():
    with pytest.raises(BadInput, match="has no time zone"):
        clock.business_date(datetime(2026, 11, 20, 9, 0))
    with pytest.raises(BadInput, match="ISO 8601 with an offset"):
        clock.parse_instant("tomorrow")


def test_a_business_day_as_utc_bounds_and_a_wall_clock_time():
    start, end = clock.day_bounds_utc(date(2026, 11, 20))
    assert (start, end) == (
        datetime(2026, 11, 19, 16, tzinfo=UTC),
        datetime(2026, 11, 20, 16, tzinfo=UTC),
    )
    assert clock.at_local(date(2026, 11, 20), time(15, 0)) == datetime(2026, 11, 20, 7, tzinfo=UTC)
    assert clock.to_utc(clock.day_start(date(2026, 11, 20))) == start


def test_screens_get_none_for_what_is_not_an_instant():
    assert clock.local_or_none(None) is None
    assert clock.local_or_none("") is None
    assert clock.local_or_none("2026-11-20 15:00") is None  # no zone: not guessed
    assert clock.local_or_none(LATE).hour == 0
    assert clock.local_iso_or_none(None) is None


def test_the_system_clock_is_aware_utc():
    assert clock.system_clock().tzinfo is UTC
