"""The upgrade experience period (升级体验期): a tier held for a fixed number of days.

Days are counted inclusively from the approval's business date: with 90 days, a form approved
on 2026-10-10 holds the tier from 2026-10-10 through 2027-01-07, and it lapses on 2027-01-08.
"""

from __future__ import annotations

from datetime import date, timedelta

from upgradecamp.domain.errors import BadInput

DEFAULT_DAYS = 90


def experience_ends(approved_on: date, days: int = DEFAULT_DAYS) -> date:
    """The last day (inclusive) the experience tier is held."""
    if days < 1:
        raise BadInput(
            f"an experience period lasts at least 1 day, got {days}",
            "experience_days_too_few",
            days=days,
        )
    return approved_on + timedelta(days=days - 1)


def experience_active(start: date, on: date, days: int = DEFAULT_DAYS) -> bool:
    """Whether `on` falls within the period starting `start` (both ends inclusive)."""
    return start <= on <= experience_ends(start, days)
