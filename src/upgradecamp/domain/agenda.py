"""The session's agenda (议程) on its clock: sign-in, opening and ice-breaker, the upgrade plan,
registration (SPEC §1), and where the room is in it now.

The seeds describe a 40-minute session; a shorter or longer one keeps the same proportions, so
the briefing's minute marks and the wall's "minutes left" always add up to the session's length.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

BASE_MINUTES = 40
# (code, Chinese name, minutes in a 40-minute session)
STEPS: tuple[tuple[str, str, int], ...] = (
    ("sign_in", "客户签到", 5),
    ("opening", "开场与破冰", 10),
    ("plan", "升级方案介绍", 15),
    ("registration", "现场登记与行长审批", 10),
)
BEFORE, RUNNING, OVER = "before", "running", "over"


@dataclass(frozen=True)
class AgendaStep:
    code: str
    name_zh: str
    start: int  # minutes after the session's start
    end: int


@dataclass(frozen=True)
class AgendaNow:
    """Where the room is: `phase` before, running or over; during the session `step` is the
    current step and `step_left` / `session_left` whole minutes (rounded up) still to go;
    before it, `to_start` minutes until it begins."""

    phase: str
    step: AgendaStep | None = None
    step_left: int = 0
    session_left: int = 0
    to_start: int = 0


def agenda(duration_minutes: int) -> tuple[AgendaStep, ...]:
    """The four steps with their minute marks, scaled to the session's length."""
    steps = []
    elapsed = 0
    start = 0
    for code, name, minutes in STEPS:
        elapsed += minutes
        end = (duration_minutes * elapsed * 2 + BASE_MINUTES) // (BASE_MINUTES * 2)  # half up
        steps.append(AgendaStep(code, name, start, end))
        start = end
    return tuple(steps)


def minute_marks(duration_minutes: int, every: int = 5) -> list[int]:
    """The marks of the printed clock: every `every` minutes, and the end."""
    marks = list(range(0, duration_minutes, every))
    return [*marks, duration_minutes]


def _minutes_up(delta: timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds() / 60))


def agenda_now(starts_at: datetime, duration_minutes: int, now: datetime) -> AgendaNow:
    """The current step and the minutes left, from the session's start and the clock."""
    if now < starts_at:
        return AgendaNow(BEFORE, to_start=_minutes_up(starts_at - now))
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    if now >= ends_at:
        return AgendaNow(OVER)
    for step in agenda(duration_minutes):
        step_end = starts_at + timedelta(minutes=step.end)
        if now < step_end:
            return AgendaNow(RUNNING, step, _minutes_up(step_end - now), _minutes_up(ends_at - now))
    return AgendaNow(OVER)  # pragma: no cover - the last step ends with the session
