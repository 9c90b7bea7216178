"""Session commands: plan one or a weekly series, edit, open, close, cancel."""

from __future__ import annotations

from dataclasses import dataclass

from upgradecamp.domain.commands.base import Command


@dataclass(frozen=True)
class PlanSessions(Command):
    """Plan one session, or a weekly series when `weekly_on` is given (all or nothing).

    `start` is local Asia/Shanghai time, "YYYY-MM-DD HH:MM"; `weekly_on` holds weekday names
    (mon..sun) and `weeks` how many weeks the series runs, counting the week of `start`.
    """

    branch: str
    start: str
    duration_minutes: int = 40
    capacity: int = 10
    venue: str | None = None
    theme: str | None = None
    host: str | None = None
    presenter: str | None = None
    weekly_on: tuple[str, ...] = ()
    weeks: int = 1


@dataclass(frozen=True)
class ChangeSession(Command):
    """Edit a planned session; None leaves a field as it is."""

    session_id: str
    start: str | None = None
    duration_minutes: int | None = None
    capacity: int | None = None
    venue: str | None = None
    theme: str | None = None
    host: str | None = None
    presenter: str | None = None


@dataclass(frozen=True)
class OpenSession(Command):
    session_id: str


@dataclass(frozen=True)
class CloseSession(Command):
    session_id: str


@dataclass(frozen=True)
class CancelSession(Command):
    session_id: str
    reason: str


@dataclass(frozen=True)
class GiveFeedback(Command):
    """An attendee's feedback form, typed at the registration desk or afterwards."""

    session_id: str
    client_id: str
    score: int
    comment: str = ""
    complaint: str = ""
