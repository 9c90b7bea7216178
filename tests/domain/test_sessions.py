"""Session rules: start times, weekly series, ids, limits, host/presenter, overlaps, states."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from upgradecamp.domain import sessions as s
from upgradecamp.domain.errors import BadInput, RuleRefused
from upgradecamp.domain.sessions import Slot


def at(text: str) -> datetime:
    return s.parse_start(text)


# -- start times -----------------------------------------------------------------------------
def test_start_is_read_as_shanghai_time():
    start = at("2026-12-01 15:00")
    assert start.utcoffset() == timedelta(hours=8)
    assert start.astimezone(UTC) == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    assert at(" 2026-12-01T09:05 ") == datetime(2026, 12, 1, 1, 5, tzinfo=UTC)
    assert s.local_label(datetime(2026, 12, 1, 7, 0, tzinfo=UTC)) == "2026-12-01 15:00"


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-01",
        "15:00",
        "2026-13-01 15:00",
        "2026-02-30 10:00",
        "2026-12-01 24:00",
        "01/12/2026 15:00",
        "",
        "tomorrow",
    ],
)
def test_bad_start_is_bad_input_with_the_format(text):
    with pytest.raises(BadInput) as err:
        s.parse_start(text)
    assert err.value.code == "session_bad_start"
    assert "YYYY-MM-DD HH:MM" in err.value.message


def test_future_and_short_notice():
    now = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    s.require_future(at("2026-11-20 10:01"), now)
    with pytest.raises(RuleRefused) as err:
        s.require_future(at("2026-11-20 10:00"), now)
    assert err.value.code == "session_in_past"
    assert s.short_notice(at("2026-12-01 15:00"), now) == 11
    assert s.short_notice(at("2026-12-19 08:00"), now) == 29
    assert s.short_notice(at("2026-12-20 08:00"), now) is None
    # Business days are Shanghai days: 23:30 UTC on the 20th is already the 21st there.
    assert s.days_until(at("2026-11-21 07:00"), datetime(2026, 11, 20, 23, 30, tzinfo=UTC)) == 0


# -- weekdays and series ---------------------------------------------------------------------
def test_weekday_names_in_english_and_chinese():
    assert s.parse_weekdays(["tue,thu"]) == (1, 3)
    assert s.parse_weekdays(["TUE", "Thursday"]) == (1, 3)
    assert s.parse_weekdays(["周二、周四"]) == (1, 3)
    assert s.parse_weekdays(["二，四", "星期日"]) == (1, 3, 6)
    assert s.parse_weekdays(["mon mon"]) == (0,)
    assert s.parse_weekdays([]) == ()


def test_unknown_weekday_is_bad_input():
    with pytest.raises(BadInput) as err:
        s.parse_weekdays(["tue,thur"])
    assert err.value.code == "session_bad_weekday" and err.value.params["value"] == "thur"


def test_series_tue_thu_for_six_weeks_from_a_tuesday_is_twelve_sessions():
    starts = s.series_starts(at("2026-12-01 15:00"), (1, 3), 6)
    labels = [s.local_label(x) for x in starts]
    assert len(starts) == 12
    assert labels[:3] == ["2026-12-01 15:00", "2026-12-03 15:00", "2026-12-08 15:00"]
    assert labels[-1] == "2027-01-07 15:00"
    assert {x.weekday() for x in starts} == {1, 3}
    # Fixed UTC+8, no daylight saving: every session is 07:00 UTC.
    assert {x.astimezone(UTC).hour for x in starts} == {7}


def test_series_never_starts_before_the_start_and_counts_the_start_week():
    # A Wednesday start: that week's Tuesday is skipped, its Thursday kept.
    starts = s.series_starts(at("2026-12-02 15:00"), (1, 3), 6)
    assert len(starts) == 11
    assert s.local_label(starts[0]) == "2026-12-03 15:00"
    assert s.local_label(starts[-1]) == "2027-01-07 15:00"
    # Sunday start with Monday sessions: the week of the start has none, the next one does.
    assert [s.local_label(x) for x in s.series_starts(at("2026-12-06 15:00"), (0,), 2)] == [
        "2026-12-07 15:00"
    ]
    assert s.series_starts(at("2026-12-06 15:00"), (0,), 1) == []


def test_series_without_weekdays_repeats_the_start_weekday():
    assert [s.local_label(x) for x in s.series_starts(at("2026-12-01 15:00"), (), 3)] == [
        "2026-12-01 15:00",
        "2026-12-08 15:00",
        "2026-12-15 15:00",
    ]
    assert s.series_starts(at("2026-12-01 15:00"), (), 1) == [at("2026-12-01 15:00")]
    assert not s.is_series((), 1) and s.is_series((1,), 1) and s.is_series((), 2)


@pytest.mark.parametrize("weeks", [0, -1, 53])
def test_series_weeks_are_bounded(weeks):
    with pytest.raises(BadInput) as err:
        s.series_starts(at("2026-12-01 15:00"), (1,), weeks)
    assert err.value.code == "session_bad_weeks"


# -- ids ---------------------------------------------------------------------------------------
def test_ids_use_local_date_and_time_with_a_suffix_when_taken():
    when = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    base = s.session_id_base("B02", when)
    assert base == "B02-20261201-1500"
    assert s.free_id(base, set()) == base
    assert s.free_id(base, {base}) == "B02-20261201-1500-2"
    assert s.free_id(base, {base, f"{base}-2"}) == "B02-20261201-1500-3"
    assert s.series_id_base("B02", when) == "B02-S20261201-1500"
    # 17:30 UTC is already the next day in Shanghai.
    assert (
        s.session_id_base("B01", datetime(2026, 12, 1, 17, 30, tzinfo=UTC)) == "B01-20261202-0130"
    )


# -- limits ------------------------------------------------------------------------------------
@pytest.mark.parametrize("minutes", [10, 40, 60])
def test_durations_within_limits(minutes):
    assert s.check_duration(minutes) == minutes


@pytest.mark.parametrize("minutes", [9, 61, 0, -40])
def test_durations_outside_limits(minutes):
    with pytest.raises(BadInput) as err:
        s.check_duration(minutes)
    assert err.value.code == "session_bad_duration" and err.value.params["minutes"] == minutes


@pytest.mark.parametrize("capacity", [1, 10, 20])
def test_capacities_within_limits(capacity):
    assert s.check_capacity(capacity) == capacity


@pytest.mark.parametrize("capacity", [0, 21, -1])
def test_capacities_outside_limits(capacity):
    with pytest.raises(BadInput) as err:
        s.check_capacity(capacity)
    assert err.value.code == "session_bad_capacity"


def test_texts_host_presenter_and_capacity_against_attendance():
    assert s.check_text("  会议室 ", "venue") == "会议室"
    with pytest.raises(BadInput) as err:
        s.check_text("  ", "venue")
    assert err.value.code == "session_empty_venue"
    with pytest.raises(BadInput) as err:
        s.check_text(None, "theme")
    assert err.value.code == "session_empty_theme"
    s.check_host_presenter("org2", "mk2")
    with pytest.raises(RuleRefused) as err:
        s.check_host_presenter("mk2", "mk2")
    assert err.value.code == "session_same_host_presenter"
    s.check_capacity_covers("X", 8, 8)
    with pytest.raises(RuleRefused) as err:
        s.check_capacity_covers("X", 7, 8)
    assert err.value.code == "session_capacity_below_attendance"
    assert "8 clients checked in" in err.value.message and "at least 8" in err.value.message


# -- host and presenter ----------------------------------------------------------------------
def test_presenter_a_marketer_host_an_organizer_by_preference():
    staff = [("ck2", "checkin"), ("mk2", "marketer"), ("org2", "organizer"), ("mk1", "marketer")]
    assert s.choose_host_presenter(staff, None, None) == ("org2", "mk1")
    assert s.choose_host_presenter(staff, None, "mk2") == ("org2", "mk2")
    host, presenter = s.choose_host_presenter(staff, "mk1", None)
    assert host == "mk1" and presenter == "mk2"


def test_others_stand_in_and_two_people_are_needed():
    assert s.choose_host_presenter([("ck3", "checkin"), ("bh3", "branch_head")], None, None) == (
        "ck3",
        "bh3",
    )
    assert s.choose_host_presenter([("org3", "organizer"), ("ck3", "checkin")], None, None) == (
        "org3",
        "ck3",
    )
    assert s.choose_host_presenter([("mk3", "marketer")], None, None) is None
    assert s.choose_host_presenter([], None, None) is None
    assert s.choose_host_presenter([("mk3", "marketer")], None, "mk3") is None


# -- overlaps ----------------------------------------------------------------------------------
def slot(
    sid: str,
    start: str,
    minutes: int = 40,
    venue: str = "贵宾室",
    branch: str = "B02",
    status: str = "planned",
) -> Slot:
    when = at(start)
    return Slot(sid, branch, venue, when, s.ends_at(when, minutes), status)


def test_overlap_needs_same_branch_venue_and_intersecting_times():
    a = slot("a", "2026-12-01 15:00")
    assert s.overlaps(a, slot("b", "2026-12-01 15:39"))
    assert s.overlaps(a, slot("b", "2026-12-01 14:30", 60))
    assert not s.overlaps(a, slot("b", "2026-12-01 15:40"))  # back to back is fine
    assert not s.overlaps(a, slot("b", "2026-12-01 14:20"))  # ends 15:00
    assert not s.overlaps(a, slot("b", "2026-12-01 15:10", venue="会议室"))
    assert not s.overlaps(a, slot("b", "2026-12-01 15:10", branch="B03"))
    assert not s.overlaps(a, slot("b", "2026-12-01 15:10", status="cancelled"))
    assert not s.overlaps(a, slot("a", "2026-12-01 15:10"))  # itself, when edited


def test_every_clashing_date_of_a_series_is_reported():
    booked = [
        slot("x1", "2026-12-03 15:20"),
        slot("x2", "2026-12-10 14:50"),
        slot("x3", "2026-12-17 15:20", status="cancelled"),
    ]
    candidates = [
        slot(f"c{i}", when)
        for i, when in enumerate(
            [
                "2026-12-01 15:00",
                "2026-12-03 15:00",
                "2026-12-08 15:00",
                "2026-12-10 15:00",
                "2026-12-17 15:00",
            ]
        )
    ]
    clashes = s.find_overlaps(candidates, booked)
    assert [(c.session_id, o.session_id) for c, o in clashes] == [("c1", "x1"), ("c3", "x2")]
    err = s.overlap_error(clashes, len(candidates))
    assert err.code == "session_overlap"
    assert err.params["dates"] == "2026-12-03 15:00, 2026-12-10 15:00"
    assert "x1 15:20–16:00" in err.params["others"] and "x2 14:50–15:30" in err.params["others"]
    assert "nothing was planned" in err.message


def test_candidates_clash_with_each_other():
    clashes = s.find_overlaps([slot("a", "2026-12-01 15:00"), slot("b", "2026-12-01 15:30")], [])
    assert [(c.session_id, o.session_id) for c, o in clashes] == [("b", "a")]


# -- lifecycle ---------------------------------------------------------------------------------
def test_lifecycle_allows_the_forward_moves():
    s.check_transition("X", "planned", "edit")
    s.check_transition("X", "planned", "open", on=date(2026, 12, 1), today=date(2026, 12, 1))
    s.check_transition("X", "open", "close")
    s.check_transition("X", "planned", "cancel")
    s.check_transition("X", "open", "cancel")


@pytest.mark.parametrize(
    ("status", "action", "code"),
    [
        ("closed", "edit", "session_is_closed"),
        ("closed", "open", "session_is_closed"),
        ("closed", "close", "session_is_closed"),
        ("closed", "cancel", "session_is_closed"),
        ("cancelled", "edit", "session_is_cancelled"),
        ("cancelled", "open", "session_is_cancelled"),
        ("cancelled", "close", "session_is_cancelled"),
        ("cancelled", "cancel", "session_is_cancelled"),
        ("open", "edit", "session_open_no_edit"),
        ("open", "open", "session_already_open"),
        ("planned", "close", "session_never_opened"),
    ],
)
def test_lifecycle_refusals(status, action, code):
    with pytest.raises(RuleRefused) as err:
        s.check_transition("B02-20261201-1500", status, action)
    assert err.value.code == code
    assert err.value.params["session"] == "B02-20261201-1500"


def test_open_only_on_the_session_day():
    with pytest.raises(RuleRefused) as err:
        s.check_transition("X", "planned", "open", on=date(2026, 12, 1), today=date(2026, 11, 30))
    assert err.value.code == "session_not_today"
    assert "open it on 2026-12-01" in err.value.message
