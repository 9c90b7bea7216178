"""One clock: UTC instants in storage, Asia/Shanghai business dates and times for people.

The log and the read tables keep aware UTC instants (`store.types` returns them aware); staff
read and type Beijing time, and "today" at a branch is the Shanghai calendar day. Every
conversion between the two lives here, so a date can never come from the machine's own zone.

`system_clock` is the only reading of the wall clock in the package: `bootstrap` injects it as
`Services.clock`, and everything else (handlers, queries, screens) asks that clock, so a test or
the demo can set the time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from upgradecamp.domain.errors import BadInput

Clock = Callable[[], datetime]

# China has kept UTC+8 without daylight saving since 1991: a fixed offset gives the same dates
# as the tz database without loading it at start-up (and without tzdata on Windows).
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def system_clock() -> datetime:
    """Now, as an aware UTC instant: the wall clock `bootstrap` injects by default."""
    return datetime.now(UTC)


def shanghai() -> tzinfo:
    """Asia/Shanghai, the zone of every business date and every time shown to staff."""
    return SHANGHAI


def _require_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise BadInput(
            f"{instant.isoformat()} has no time zone; give a time with an offset",
            "time_without_zone",
            value=instant.isoformat(),
        )
    return instant


def parse_instant(text: str) -> datetime:
    """An ISO 8601 date and time with an offset (as events and files carry them)."""
    try:
        instant = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise BadInput(
            f"{text!r} is not a date and time; use ISO 8601 with an offset",
            "not_a_date_time",
            value=str(text),
        ) from None
    return _require_aware(instant)


def to_utc(instant: datetime | str) -> datetime:
    """An aware instant (or its ISO text) in UTC, as the log and read tables keep it."""
    value = parse_instant(instant) if isinstance(instant, str) else _require_aware(instant)
    return value.astimezone(UTC)


def to_local(instant: datetime | str) -> datetime:
    """An aware instant (or its ISO text) in Asia/Shanghai: what a clock at the branch shows."""
    value = parse_instant(instant) if isinstance(instant, str) else _require_aware(instant)
    return value.astimezone(SHANGHAI)


def business_date(instant: datetime) -> date:
    """The Asia/Shanghai calendar day of an instant: what 'today' means at the branch."""
    return _require_aware(instant).astimezone(SHANGHAI).date()


def today(clock: Clock) -> date:
    """The business date now, by the injected clock."""
    return business_date(clock())


def local_hm(instant: datetime | str) -> str:
    """ "15:00": an instant's Beijing time of day."""
    return to_local(instant).strftime("%H:%M")


def local_minute(instant: datetime | str) -> str:
    """ "2026-12-01 15:00": an instant in Beijing time, to the minute."""
    return to_local(instant).strftime("%Y-%m-%d %H:%M")


def local_iso(instant: datetime | str, timespec: str = "auto") -> str:
    """An instant as ISO 8601 text with the +08:00 offset (results and exports)."""
    return to_local(instant).isoformat(timespec=timespec)


def local_iso_or_none(instant: datetime | None) -> str | None:
    """`local_iso` of an instant that may be missing (a form not decided yet)."""
    return None if instant is None else local_iso(instant)


def local_or_none(value: object) -> datetime | None:
    """An aware datetime or ISO text with an offset in Beijing time; None for anything else.

    For screens, which show what a query gave them and must not fail on a blank cell.
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        return None
    return value.astimezone(SHANGHAI)


def at_local(day: date, at: time) -> datetime:
    """A Beijing wall-clock time on a business day, as an aware instant."""
    return datetime.combine(day, at, SHANGHAI)


def day_start(day: date) -> datetime:
    """The first instant of a business day (Shanghai midnight), aware."""
    return datetime.combine(day, time(0), SHANGHAI)


def day_bounds_utc(day: date) -> tuple[datetime, datetime]:
    """A business day as a half-open UTC range [start, end): for range queries on instants."""
    start = day_start(day)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)
