"""Wealth upgrade sessions (财富升级会): start times, weekly series, ids, limits, overlaps, states.

Pure rules, no database: the handlers in `service/sessions.py` feed them what the read tables
hold. Times are Asia/Shanghai for people (a start is typed as local "YYYY-MM-DD HH:MM") and
aware datetimes everywhere else; China keeps UTC+8 all year, so a weekly series never shifts.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from typing import NamedTuple

from upgradecamp.domain.clock import business_date, local_minute, shanghai, to_local
from upgradecamp.domain.errors import BadInput, RuleRefused

DEFAULT_DURATION = 40
MIN_DURATION, MAX_DURATION = 10, 60
DEFAULT_CAPACITY = 10
MIN_CAPACITY, MAX_CAPACITY = 1, 20
MIN_WEEKS, MAX_WEEKS = 1, 52
VIP_ROOM, MEETING_ROOM = "贵宾室", "会议室"
DEFAULT_VENUE = VIP_ROOM
VENUES = (VIP_ROOM, MEETING_ROOM)
INVITE_LEAD_DAYS = 30

PLANNED, OPEN, CLOSED, CANCELLED = "planned", "open", "closed", "cancelled"
STATUSES = (PLANNED, OPEN, CLOSED, CANCELLED)

START_FORMAT = "YYYY-MM-DD HH:MM"
_START = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})\Z")

_DAY_NAMES = (
    ("mon", "monday", "周一", "星期一", "一"),
    ("tue", "tuesday", "周二", "星期二", "二"),
    ("wed", "wednesday", "周三", "星期三", "三"),
    ("thu", "thursday", "周四", "星期四", "四"),
    ("fri", "friday", "周五", "星期五", "五"),
    ("sat", "saturday", "周六", "星期六", "六"),
    ("sun", "sunday", "周日", "星期日", "日", "周天", "星期天", "天"),
)
WEEKDAYS: dict[str, int] = {name: day for day, names in enumerate(_DAY_NAMES) for name in names}
WEEKDAY_CODES = tuple(names[0] for names in _DAY_NAMES)
_LIST_SEPARATORS = re.compile(r"[\s,，、;；]+")


class Slot(NamedTuple):
    """A session's place in a venue's calendar: what the overlap rule compares."""

    session_id: str
    branch: str
    venue: str
    starts_at: datetime
    ends_at: datetime
    status: str = PLANNED


# -- times -----------------------------------------------------------------------------------
def parse_start(text: str) -> datetime:
    """A local start "YYYY-MM-DD HH:MM" (Asia/Shanghai) as an aware datetime."""
    match = _START.match((text or "").strip())
    if match:
        try:
            year, month, day, hour, minute = (int(g) for g in match.groups())
            return datetime(year, month, day, hour, minute, tzinfo=shanghai())
        except ValueError:
            pass
    raise BadInput(
        f"start '{text}' is not a date and time; write it as \"{START_FORMAT}\" "
        'in Beijing time, e.g. "2026-12-01 15:00"',
        "session_bad_start",
        value=text,
    )


# How staff read a session's start ("2026-12-01 15:00", Beijing time): the clock's own.
local = to_local
local_label = local_minute


def ends_at(starts_at: datetime, duration_minutes: int) -> datetime:
    return starts_at + timedelta(minutes=duration_minutes)


def days_until(starts_at: datetime, now: datetime) -> int:
    """Calendar days from today to the session's day, both in Asia/Shanghai."""
    return (business_date(starts_at) - business_date(now)).days


def require_future(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise RuleRefused(
            f"{local_label(starts_at)} is not in the future (it is now "
            f"{local_label(now)}); give a later start",
            "session_in_past",
            start=local_label(starts_at),
            now=local_label(now),
        )


def short_notice(starts_at: datetime, now: datetime) -> int | None:
    """Days until the session when that is under the invitation lead time, else None."""
    days = days_until(starts_at, now)
    return days if days < INVITE_LEAD_DAYS else None


# -- weekly series ---------------------------------------------------------------------------
def parse_weekdays(names: Iterable[str]) -> tuple[int, ...]:
    """Weekday names (mon..sun in any case, 周一..周日 or 一..日; "tue,thu" may be one item)
    as sorted weekday numbers, Monday 0."""
    days: set[int] = set()
    for item in names:
        for token in _LIST_SEPARATORS.split(item or ""):
            if not token:
                continue
            day = WEEKDAYS.get(token.lower())
            if day is None:
                raise BadInput(
                    f"'{token}' is not a weekday; use mon, tue, wed, thu, fri, sat, "
                    "sun (or 周一..周日), e.g. --weekly-on tue,thu",
                    "session_bad_weekday",
                    value=token,
                )
            days.add(day)
    return tuple(sorted(days))


def series_starts(start: datetime, weekdays: Collection[int], weeks: int) -> list[datetime]:
    """Every start of a weekly series: the given weekdays at the start's time, for `weeks`
    calendar weeks (Monday to Sunday) counting the week of `start`, never before `start`.

    Without weekdays the series repeats on the start's own weekday. One week and no weekdays
    is a single session.
    """
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise BadInput(
            f"weeks must be between {MIN_WEEKS} and {MAX_WEEKS}, not {weeks}",
            "session_bad_weeks",
            weeks=weeks,
            low=MIN_WEEKS,
            high=MAX_WEEKS,
        )
    start = local(start)
    days = sorted(set(weekdays)) or [start.weekday()]
    monday = start - timedelta(days=start.weekday())
    out = []
    for week in range(weeks):
        for day in days:
            when = monday + timedelta(weeks=week, days=day)
            if when >= start:
                out.append(when)
    return out


def is_series(weekdays: Collection[int], weeks: int) -> bool:
    return bool(weekdays) or weeks > 1


# -- ids -------------------------------------------------------------------------------------
def session_id_base(branch: str, starts_at: datetime) -> str:
    """`B02-20261201-1500`: branch, local date and time."""
    return f"{branch}-{local(starts_at):%Y%m%d-%H%M}"


def series_id_base(branch: str, first_start: datetime) -> str:
    """`B02-S20261201-1500`: branch, local date and time of the series' first session."""
    return f"{branch}-S{local(first_start):%Y%m%d-%H%M}"


def free_id(base: str, taken: Collection[str]) -> str:
    """`base`, or `base-2`, `base-3`… when taken (e.g. another venue at the same time)."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# -- limits ----------------------------------------------------------------------------------
def check_duration(minutes: int) -> int:
    if not isinstance(minutes, int) or not MIN_DURATION <= minutes <= MAX_DURATION:
        raise BadInput(
            f"a session lasts {MIN_DURATION} to {MAX_DURATION} minutes, not "
            f"{minutes}; about 40 is usual",
            "session_bad_duration",
            minutes=minutes,
            low=MIN_DURATION,
            high=MAX_DURATION,
        )
    return minutes


def check_capacity(capacity: int) -> int:
    if not isinstance(capacity, int) or not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        raise BadInput(
            f"a session seats {MIN_CAPACITY} to {MAX_CAPACITY} clients, not "
            f"{capacity}; {DEFAULT_CAPACITY} is usual",
            "session_bad_capacity",
            capacity=capacity,
            low=MIN_CAPACITY,
            high=MAX_CAPACITY,
        )
    return capacity


def check_text(value: str | None, what: str) -> str:
    """A venue or theme (`what`): trimmed and not empty."""
    text = (value or "").strip()
    if not text:
        raise BadInput(
            f"the {what} may not be empty; give one or leave the option out for the default",
            f"session_empty_{what}",
        )
    return text


def check_host_presenter(host: str, presenter: str) -> None:
    if host == presenter:
        raise RuleRefused(
            f"{host} cannot be both host and presenter; a session needs two "
            "different staff members: choose another --host or --presenter",
            "session_same_host_presenter",
            staff=host,
        )


def check_capacity_covers(session_id: str, capacity: int, checked_in: int) -> None:
    if capacity < checked_in:
        raise RuleRefused(
            f"{session_id} already has {checked_in} clients checked in; its "
            f"capacity cannot drop to {capacity}: give at least {checked_in}",
            "session_capacity_below_attendance",
            session=session_id,
            capacity=capacity,
            checked_in=checked_in,
        )


# -- host and presenter ----------------------------------------------------------------------
# Lower ranks are preferred: a wealth manager (marketer) presents, the lobby manager
# (organizer) hosts; any other staff member of the branch can stand in.
_HOST_RANK = {"organizer": 0, "branch_head": 1, "admin": 2, "checkin": 3, "marketer": 4}
_PRESENTER_RANK = {"marketer": 0, "branch_head": 1, "organizer": 2, "admin": 3, "checkin": 4}


def choose_host_presenter(
    staff: Iterable[tuple[str, str]], host: str | None, presenter: str | None
) -> tuple[str, str] | None:
    """The best (host, presenter) pair among a branch's (code, role) staff, keeping whichever
    was given; None when the branch has no two different people for it."""
    people = sorted(staff)
    hosts = [(c, r) for c, r in people if host is None or c == host]
    presenters = [(c, r) for c, r in people if presenter is None or c == presenter]
    best: tuple[tuple[int, str, str], str, str] | None = None
    for h_code, h_role in hosts:
        for p_code, p_role in presenters:
            if h_code == p_code:
                continue
            score = (_HOST_RANK.get(h_role, 9) + _PRESENTER_RANK.get(p_role, 9), h_code, p_code)
            if best is None or score < best[0]:
                best = (score, h_code, p_code)
    return None if best is None else (best[1], best[2])


# -- overlaps --------------------------------------------------------------------------------
def overlaps(a: Slot, b: Slot) -> bool:
    """Same branch and venue, time ranges intersecting, neither cancelled, not the same one."""
    return (
        a.session_id != b.session_id
        and a.branch == b.branch
        and a.venue == b.venue
        and CANCELLED not in (a.status, b.status)
        and a.starts_at < b.ends_at
        and b.starts_at < a.ends_at
    )


def find_overlaps(candidates: list[Slot], existing: Iterable[Slot]) -> list[tuple[Slot, Slot]]:
    """Every (candidate, other) pair that clashes, against booked sessions and each other."""
    booked = list(existing)
    clashes = []
    for i, slot in enumerate(candidates):
        for other in [*booked, *candidates[:i]]:
            if overlaps(slot, other):
                clashes.append((slot, other))
    return clashes


def overlap_error(clashes: list[tuple[Slot, Slot]], planned: int) -> RuleRefused:
    """One refusal naming every clashing date, so a series can be fixed in one go."""
    venue = clashes[0][0].venue
    dates = ", ".join(dict.fromkeys(local_label(s.starts_at) for s, _ in clashes))
    others = ", ".join(
        dict.fromkeys(
            f"{o.session_id} {local(o.starts_at):%H:%M}–{local(o.ends_at):%H:%M}"
            for _, o in clashes
        )
    )
    nothing = " nothing was planned;" if planned > 1 else ""
    return RuleRefused(
        f"{venue} is already booked at {dates} (by {others});{nothing} choose "
        "another time or --venue",
        "session_overlap",
        venue=venue,
        dates=dates,
        others=others,
    )


# -- lifecycle -------------------------------------------------------------------------------
def check_transition(
    session_id: str, status: str, action: str, *, on: date | None = None, today: date | None = None
) -> None:
    """Whether `action` (edit, open, close, cancel) may happen to a session in `status`.

    planned → open (check-in running) → closed; planned or open → cancelled. Closed and
    cancelled sessions never change again. Opening happens on the session's own day (`on`).
    """
    if status == CLOSED:
        raise RuleRefused(
            f"session {session_id} is closed; a closed session does not change "
            "any more: plan a new session instead",
            "session_is_closed",
            session=session_id,
        )
    if status == CANCELLED:
        raise RuleRefused(
            f"session {session_id} is cancelled; a cancelled session does not "
            "change any more: plan a new session instead",
            "session_is_cancelled",
            session=session_id,
        )
    if action == "edit" and status == OPEN:
        raise RuleRefused(
            f"session {session_id} is open (check-in is running) and can no "
            "longer be edited; close it, or cancel it with a reason",
            "session_open_no_edit",
            session=session_id,
        )
    if action == "open":
        if status == OPEN:
            raise RuleRefused(
                f"session {session_id} is already open; check clients in, or "
                "close it when it is over",
                "session_already_open",
                session=session_id,
            )
        if on is not None and today is not None and on != today:
            raise RuleRefused(
                f"session {session_id} is on {on.isoformat()}, not today "
                f"({today.isoformat()}); open it on {on.isoformat()}, or edit "
                "its start if the date changed",
                "session_not_today",
                session=session_id,
                date=on.isoformat(),
                today=today.isoformat(),
            )
    if action == "close" and status == PLANNED:
        raise RuleRefused(
            f"session {session_id} never opened: open it (on its day) or cancel it with a reason",
            "session_never_opened",
            session=session_id,
        )
