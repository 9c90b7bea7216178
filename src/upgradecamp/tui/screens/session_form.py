"""The session editor's form without its widgets: the fields, their checks, and the command.

Pure functions (no Textual, no database), so the checks are tested on their own and the
screen (`session_editor.py`) only wires them to its inputs: `check_form` applies the handler's
own rules (`domain/sessions.py`) field by field and says each refusal in the user's language;
`build_command` turns a checked form into the `PlanSessions` or `ChangeSession` Save runs.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from upgradecamp.domain import sessions as rules
from upgradecamp.domain.clock import local_or_none
from upgradecamp.domain.errors import DomainError
from upgradecamp.tui.i18n import t

if TYPE_CHECKING:
    from upgradecamp.domain.commands import Command
    from upgradecamp.queries.sessions import SessionView


MODES = ("new", "series", "edit")
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_TIME = re.compile(r"^\d{1,2}:\d{2}$")

# The fields of the form, top to bottom; `weekdays` and `weeks` only for a series.
FIELDS = (
    "branch",
    "date",
    "time",
    "duration",
    "capacity",
    "venue",
    "theme",
    "host",
    "presenter",
    "weekdays",
    "weeks",
)
SERIES_FIELDS = ("weekdays", "weeks")
HINTED_FIELDS = (
    "date",
    "time",
    "duration",
    "capacity",
    "venue",
    "theme",
    "host",
    "weekdays",
    "weeks",
)
PREVIEW_DATES = 6


# -- checks as the organizer types (no widgets, no database) ---------------------------------
# The rules themselves are `domain/sessions.py`'s, the handler's own; here they are applied
# field by field and their refusals said beside the field, in the user's language.
class Problem(Exception):
    """A field's value is not usable; `text` says why in the user's language."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def parse_date(text: str) -> date:
    text = text.strip()
    if not _DATE.match(text):
        raise Problem(t("session_editor.bad_date"))
    try:
        return date(*(int(part) for part in text.split("-")))
    except ValueError:
        raise Problem(t("session_editor.no_such_date")) from None


def parse_time(text: str) -> time:
    text = text.strip()
    if not _TIME.match(text):
        raise Problem(t("session_editor.bad_time"))
    hours, minutes = (int(part) for part in text.split(":"))
    if hours > 23 or minutes > 59:
        raise Problem(t("session_editor.bad_time"))
    return time(hours, minutes)


def _whole(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def parse_duration(text: str) -> int:
    try:
        return rules.check_duration(_whole(text))  # type: ignore[arg-type]
    except DomainError:
        raise Problem(
            t("session_editor.bad_duration", low=rules.MIN_DURATION, high=rules.MAX_DURATION)
        ) from None


def parse_capacity(text: str) -> int:
    try:
        return rules.check_capacity(_whole(text))  # type: ignore[arg-type]
    except DomainError:
        raise Problem(
            t("session_editor.bad_capacity", low=rules.MIN_CAPACITY, high=rules.MAX_CAPACITY)
        ) from None


def parse_weeks(text: str) -> int:
    weeks = _whole(text)
    if weeks is None or not rules.MIN_WEEKS <= weeks <= rules.MAX_WEEKS:
        raise Problem(t("session_editor.bad_weeks", low=rules.MIN_WEEKS, high=rules.MAX_WEEKS))
    return weeks


def parse_weekdays(text: str) -> tuple[str, ...]:
    """'tue,thu', '二、四' or '周二 周四' → ('tue', 'thu'), in week order."""
    try:
        days = rules.parse_weekdays([text])
    except DomainError as err:
        raise Problem(
            t("session_editor.bad_weekday", word=str(err.params.get("value", text)))
        ) from None
    if not days:
        raise Problem(t("session_editor.no_weekdays"))
    return tuple(rules.WEEKDAY_CODES[day] for day in days)


@dataclass
class FormCheck:
    """The outcome of checking the whole form: problems and hints by field, parsed values."""

    problems: dict[str, str]
    values: dict[str, Any]
    hints: dict[str, str] = dataclasses.field(default_factory=dict)
    starts: list[datetime] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_form(
    raw: dict[str, str], mode: str, now: datetime, before: datetime | None = None
) -> FormCheck:
    """Check every field of the form as typed (`raw`: field → text; '' for an empty picker).

    The handler's own rules, minus those that need the database (overlaps, whether staff
    exist and work at the branch): those come back as the handler's refusal on Save.
    `starts` are the sessions Save would plan (several for a series), for the preview;
    `before` is an edited session's start (kept as it is, it need not be in the future).
    """
    check = FormCheck({}, {})
    problems, values = check.problems, check.values

    def attempt(name: str, parse: Callable[[str], Any]) -> None:
        try:
            values[name] = parse(raw.get(name, ""))
        except Problem as problem:
            problems[name] = problem.text

    if mode != "edit" and not raw.get("branch"):
        problems["branch"] = t("session_editor.no_branch")
    values["branch"] = raw.get("branch") or None
    attempt("date", parse_date)
    attempt("time", parse_time)
    attempt("duration", parse_duration)
    attempt("capacity", parse_capacity)
    values["venue"] = raw.get("venue", "").strip()
    if not values["venue"]:
        problems["venue"] = t("session_editor.no_venue")
    values["theme"] = raw.get("theme", "").strip()
    if mode == "edit" and not values["theme"]:
        problems["theme"] = t("session_editor.no_theme")
    values["host"] = raw.get("host") or None
    values["presenter"] = raw.get("presenter") or None
    if values["host"] and values["host"] == values["presenter"]:
        problems["presenter"] = t("session_editor.same_person")
    if mode == "series":
        attempt("weekdays", parse_weekdays)
        attempt("weeks", parse_weeks)
    if "date" in values and "time" in values:
        start = datetime.combine(values["date"], values["time"], rules.shanghai())
        values["start"] = start
        if mode == "series" and "weekdays" in values and "weeks" in values:
            check.starts = rules.series_starts(
                start, rules.parse_weekdays(values["weekdays"]), values["weeks"]
            )
            if not check.starts:
                problems["weekdays"] = t("session_editor.empty_series")
        elif mode != "series":
            check.starts = [start]
        if start <= now and not (mode == "edit" and start == before):
            problems[
                "time" if values["date"] == now.astimezone(start.tzinfo).date() else "date"
            ] = t("session_editor.in_past")
        elif check.starts:
            days = rules.short_notice(check.starts[0], now)
            if days is not None:
                check.hints["date"] = t(
                    "session_editor.short_notice", days=days, lead=rules.INVITE_LEAD_DAYS
                )
    return check


def weekday_name(day: date) -> str:
    """'Tue' / '周二'."""
    names = t("planning.weekdays").split()
    return names[day.weekday()] if len(names) == 7 else day.strftime("%a")


def series_preview(starts: list[datetime]) -> str:
    """'4 sessions: 12-01 Tue, 12-03 Thu, …' — what Save would plan."""
    shown = [f"{s:%m-%d} {weekday_name(s.date())}" for s in starts[:PREVIEW_DATES]]
    if len(starts) > PREVIEW_DATES:
        shown.append("…")
    return t("session_editor.preview", count=len(starts), dates=", ".join(shown))


def local_start(value: Any) -> datetime | None:
    """A session's `starts_at` (aware datetime or ISO text) in Asia/Shanghai."""
    return local_or_none(value)


def build_command(
    mode: str, values: dict[str, Any], session: SessionView | None = None
) -> Command | None:
    """The command Save runs; for an edit only the changed fields (None when nothing changed)."""
    from upgradecamp.domain.commands.sessions import ChangeSession, PlanSessions

    start_text = values["start"].strftime("%Y-%m-%d %H:%M")
    if mode == "edit":
        assert session is not None
        before = local_start(session.get("starts_at"))
        changes = {
            "start": None
            if before and before.strftime("%Y-%m-%d %H:%M") == start_text
            else start_text,
            "duration_minutes": _changed(session.get("duration_minutes"), values["duration"]),
            "capacity": _changed(session.get("capacity"), values["capacity"]),
            "venue": _changed(session.get("venue"), values["venue"]),
            "theme": _changed(session.get("theme"), values["theme"] or None),
            "host": _changed(session.get("host"), values["host"]),
            "presenter": _changed(session.get("presenter"), values["presenter"]),
        }
        if all(value is None for value in changes.values()):
            return None
        return ChangeSession(session_id=session["session_id"], **changes)
    return PlanSessions(
        branch=values["branch"],
        start=start_text,
        duration_minutes=values["duration"],
        capacity=values["capacity"],
        venue=values["venue"] or None,
        theme=values["theme"] or None,
        host=values["host"],
        presenter=values["presenter"],
        weekly_on=values.get("weekdays", ()) if mode == "series" else (),
        weeks=values.get("weeks", 1) if mode == "series" else 1,
    )


def _changed(before: Any, after: Any) -> Any:
    return None if after is None or after == before else after
