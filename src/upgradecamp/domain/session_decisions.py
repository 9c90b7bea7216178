"""Deciding the sessions commands (plan, edit, open, close, cancel) on facts. Pure.

The rules themselves are in `domain/sessions.py`. Planning and editing are decided in two
steps because what must be read depends on the parsed command: `draft_plan` / `draft_change`
check the command and say which times and venue it would take; the handler then reads the
venue's bookings and the staff's other sessions in that range, and `decide_plan` /
`decide_change` finish the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from upgradecamp.domain import sessions as rules
from upgradecamp.domain.commands.sessions import CancelSession, ChangeSession, PlanSessions
from upgradecamp.domain.errors import BadInput, NotFound, RuleRefused
from upgradecamp.domain.events.sessions import (
    SessionCancelled,
    SessionChanged,
    SessionClosed,
    SessionOpened,
    SessionPlanned,
)
from upgradecamp.domain.rules import business_date
from upgradecamp.domain.sessions import Slot

_TIMES = frozenset({"starts_at", "duration_minutes", "venue"})
_PEOPLE = frozenset({"starts_at", "duration_minutes", "host", "presenter"})


@dataclass(frozen=True)
class SessionRecord:
    """A session as the read table holds it; `starts_at` aware."""

    session_id: str
    series_id: str | None
    branch: str
    venue: str
    starts_at: datetime
    duration_minutes: int
    capacity: int
    theme: str
    host: str
    presenter: str
    status: str

    def result(self) -> dict[str, Any]:
        """As handlers return it (and `--json` prints it): local ISO times."""
        return {
            "session_id": self.session_id,
            "series_id": self.series_id,
            "branch": self.branch,
            "venue": self.venue,
            "starts_at": rules.local(self.starts_at).isoformat(),
            "duration_minutes": self.duration_minutes,
            "capacity": self.capacity,
            "theme": self.theme,
            "host": self.host,
            "presenter": self.presenter,
            "status": self.status,
        }


@dataclass(frozen=True)
class StaffMember:
    code: str
    name: str
    role: str
    branch: str


@dataclass(frozen=True)
class Booking:
    """Another session (any branch, not cancelled) near the time: its host and presenter are
    busy while it runs."""

    session_id: str
    starts_at: datetime
    ends_at: datetime
    host: str
    presenter: str


@dataclass(frozen=True)
class Calendar:
    """The venue's bookings and the staff's other sessions around the slots in question."""

    booked: tuple[Slot, ...] = ()
    others: tuple[Booking, ...] = ()


@dataclass(frozen=True)
class Notice:
    """A session starting within the invitation lead time."""

    session_id: str
    days: int

    def warning(self) -> str:
        return (
            f"{self.session_id}: invitations go out at least {rules.INVITE_LEAD_DAYS} "
            f"days ahead; this session is in {self.days} days"
        )


def busy_staff(slots: list[Slot], others: tuple[Booking, ...]) -> dict[str, str]:
    """Staff hosting or presenting a session that overlaps one of `slots`, each with the first
    such session (`others` in start order): nobody can be in two rooms at once."""
    busy: dict[str, str] = {}
    for other in others:
        if any(s.starts_at < other.ends_at and other.starts_at < s.ends_at for s in slots):
            for code in (other.host, other.presenter):
                busy.setdefault(code, other.session_id)
    return busy


def notice(session_id: str, starts_at: datetime, now: datetime) -> list[Notice]:
    days = rules.short_notice(starts_at, now)
    return [] if days is None else [Notice(session_id, days)]


def check_staff(code: str, member: StaffMember | None, branch: str, what: str) -> None:
    if member is None:
        raise NotFound(
            f"no staff member has the code '{code}' (given as {what}); see "
            "`upgradecamp staff list`",
            "session_unknown_staff",
            staff=code,
        )
    if member.branch != branch:
        raise RuleRefused(
            f"{code} ({member.name}) works at {member.branch}, not {branch}; "
            f"the {what} must be staff of {branch}",
            "session_staff_not_in_branch",
            staff=code,
            staff_branch=member.branch,
            branch=branch,
        )


def check_free(code: str, what: str, busy: Mapping[str, str]) -> None:
    if code in busy:
        raise RuleRefused(
            f"{code} (the {what}) is already in session {busy[code]} at that "
            "time; choose someone else or another time",
            "session_staff_busy",
            staff=code,
            other=busy[code],
        )


# -- planning ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanDraft:
    """A plan checked as far as the command alone allows, its session ids not yet chosen."""

    branch: str
    duration: int
    capacity: int
    venue: str
    theme: str
    starts: tuple[datetime, ...]
    series: bool

    @property
    def first(self) -> datetime:
        return self.starts[0]

    @property
    def last_end(self) -> datetime:
        return rules.ends_at(self.starts[-1], self.duration)


def draft_plan(cmd: PlanSessions, branch_theme: str | None, now: datetime) -> PlanDraft:
    """`branch_theme` is the branch's default theme, None when there is no such branch."""
    if branch_theme is None:
        raise NotFound(
            f"unknown branch '{cmd.branch}'; the cluster's branches are B01..B05 "
            "(see `upgradecamp staff list`)",
            "session_unknown_branch",
            branch=cmd.branch,
        )
    duration = rules.check_duration(cmd.duration_minutes)
    capacity = rules.check_capacity(cmd.capacity)
    start = rules.parse_start(cmd.start)
    weekdays = rules.parse_weekdays(cmd.weekly_on)
    starts = rules.series_starts(start, weekdays, cmd.weeks)
    if not starts:
        raise BadInput(
            f"no session falls on {', '.join(cmd.weekly_on)} within {cmd.weeks} "
            f"week(s) from {rules.local_label(start)}; add weeks or weekdays",
            "session_empty_series",
            start=rules.local_label(start),
        )
    rules.require_future(starts[0], now)
    venue = rules.check_text(rules.DEFAULT_VENUE if cmd.venue is None else cmd.venue, "venue")
    theme = rules.check_text(branch_theme if cmd.theme is None else cmd.theme, "theme")
    return PlanDraft(
        cmd.branch,
        duration,
        capacity,
        venue,
        theme,
        tuple(starts),
        rules.is_series(weekdays, cmd.weeks),
    )


@dataclass(frozen=True)
class PlanFacts:
    """Ids already taken (by id base), the venue's calendar, the branch's staff and the
    staff members named as host or presenter (None: no such code)."""

    taken_series: frozenset[str] = frozenset()
    taken_sessions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    calendar: Calendar = Calendar()
    branch_staff: tuple[StaffMember, ...] = ()
    named: Mapping[str, StaffMember | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Planned:
    events: tuple[SessionPlanned, ...]
    notices: tuple[Notice, ...]


def slot_ids(draft: PlanDraft, taken: Mapping[str, frozenset[str]]) -> list[Slot]:
    """The planned sessions' slots, each with the first id free for its branch and time."""
    chosen: set[str] = set()
    slots = []
    for when in draft.starts:
        base = rules.session_id_base(draft.branch, when)
        session_id = rules.free_id(base, chosen | taken.get(base, frozenset()))
        chosen.add(session_id)
        slots.append(
            Slot(session_id, draft.branch, draft.venue, when, rules.ends_at(when, draft.duration))
        )
    return slots


def decide_plan(draft: PlanDraft, facts: PlanFacts, cmd: PlanSessions, now: datetime) -> Planned:
    """All the sessions of the plan or none: overlaps, then host and presenter."""
    series_id = None
    if draft.series:
        base = rules.series_id_base(draft.branch, draft.first)
        series_id = rules.free_id(base, facts.taken_series)
    slots = slot_ids(draft, facts.taken_sessions)
    clashes = rules.find_overlaps(slots, facts.calendar.booked)
    if clashes:
        raise rules.overlap_error(clashes, len(slots))
    host, presenter = _host_presenter(
        draft.branch, cmd.host, cmd.presenter, facts, busy_staff(slots, facts.calendar.others)
    )
    events = tuple(
        SessionPlanned(
            session_id=s.session_id,
            series_id=series_id,
            branch=draft.branch,
            venue=draft.venue,
            starts_at=s.starts_at,
            duration_minutes=draft.duration,
            capacity=draft.capacity,
            theme=draft.theme,
            host=host,
            presenter=presenter,
        )
        for s in slots
    )
    notices = tuple(n for s in slots for n in notice(s.session_id, s.starts_at, now))
    return Planned(events, notices)


def _host_presenter(
    branch: str, host: str | None, presenter: str | None, facts: PlanFacts, busy: Mapping[str, str]
) -> tuple[str, str]:
    """The given host and presenter checked, the missing ones chosen by preference among the
    branch's staff who are not `busy`."""
    for code, what in ((host, "host"), (presenter, "presenter")):
        if code is not None:
            check_staff(code, facts.named.get(code), branch, what)
            check_free(code, what, busy)
    if host is not None and presenter is not None:
        rules.check_host_presenter(host, presenter)
        return host, presenter
    staff = facts.branch_staff
    free = [(s.code, s.role) for s in staff if s.code not in busy]
    pair = rules.choose_host_presenter(free, host, presenter)
    if pair is None and len(free) < len(staff):
        codes = {s.code for s in staff}
        taken = ", ".join(f"{code} ({busy[code]})" for code in sorted(busy) if code in codes)
        raise RuleRefused(
            f"{branch} has no two staff free at that time: {taken} are in other sessions; "
            "choose another time or pass --host and --presenter",
            "session_staff_all_busy",
            branch=branch,
            busy=taken,
        )
    if pair is None:
        names = ", ".join(
            f"{s.code} {s.name} ({s.role})"
            for s in sorted(staff, key=lambda s: (s.code, s.role, s.name))
        )
        raise RuleRefused(
            f"a session needs a host and a presenter, two different staff of {branch}, and "
            f"{branch} has {len(staff)} ({names or 'nobody'}); add staff with `upgradecamp "
            f"staff add CODE --name N --role marketer --branch {branch}`, then pass --host and "
            "--presenter or let them be chosen",
            "session_needs_two_staff",
            branch=branch,
            count=len(staff),
        )
    return pair


# -- editing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChangeDraft:
    """The edit's changed fields and the slot the session would then take."""

    record: SessionRecord
    changes: Mapping[str, Any]
    slot: Slot

    @property
    def moves(self) -> bool:
        """Whether the venue's calendar must be checked again."""
        return bool(_TIMES & self.changes.keys())

    @property
    def reseats(self) -> bool:
        """Whether the host's and presenter's other sessions must be checked again."""
        return bool(_PEOPLE & self.changes.keys())


def draft_change(
    record: SessionRecord | None,
    cmd: ChangeSession,
    now: datetime,
    *,
    checked_in: int,
    staff: Mapping[str, StaffMember | None],
) -> ChangeDraft:
    """The same checks as planning, on the fields the edit changes.

    `checked_in` is the session's live check-ins; `staff` the members named as host or
    presenter by the command or the session.
    """
    row = existing(record, cmd.session_id)
    rules.check_transition(cmd.session_id, row.status, "edit")
    changes: dict[str, Any] = {}
    starts_at = row.starts_at
    if cmd.start is not None:
        new_start = rules.parse_start(cmd.start)
        if new_start != starts_at:
            rules.require_future(new_start, now)
            changes["starts_at"] = starts_at = new_start
    duration = row.duration_minutes
    if cmd.duration_minutes is not None and cmd.duration_minutes != duration:
        changes["duration_minutes"] = duration = rules.check_duration(cmd.duration_minutes)
    if cmd.capacity is not None and cmd.capacity != row.capacity:
        capacity = rules.check_capacity(cmd.capacity)
        rules.check_capacity_covers(cmd.session_id, capacity, checked_in)
        changes["capacity"] = capacity
    venue = row.venue
    if cmd.venue is not None and cmd.venue.strip() != venue:
        changes["venue"] = venue = rules.check_text(cmd.venue, "venue")
    if cmd.theme is not None and cmd.theme.strip() != row.theme:
        changes["theme"] = rules.check_text(cmd.theme, "theme")
    host = cmd.host if cmd.host is not None else row.host
    presenter = cmd.presenter if cmd.presenter is not None else row.presenter
    if (host, presenter) != (row.host, row.presenter):
        for code, what in ((host, "host"), (presenter, "presenter")):
            check_staff(code, staff.get(code), row.branch, what)
        rules.check_host_presenter(host, presenter)
        changes.update(
            {k: v for k, v in (("host", host), ("presenter", presenter)) if v != getattr(row, k)}
        )
    slot = Slot(row.session_id, row.branch, venue, starts_at, rules.ends_at(starts_at, duration))
    return ChangeDraft(row, changes, slot)


def decide_change(
    draft: ChangeDraft, calendar: Calendar, now: datetime
) -> tuple[SessionChanged | None, list[Notice]]:
    """The edit, refused when the new slot clashes or its people are busy; None: no change.

    `calendar` holds the bookings and other sessions around the new slot, this one excluded.
    """
    if not draft.changes:
        return None, []
    if draft.moves:
        clashes = rules.find_overlaps([draft.slot], calendar.booked)
        if clashes:
            raise rules.overlap_error(clashes, 1)
    host = draft.changes.get("host", draft.record.host)
    presenter = draft.changes.get("presenter", draft.record.presenter)
    if draft.reseats:
        busy = busy_staff([draft.slot], calendar.others)
        check_free(host, "host", busy)
        check_free(presenter, "presenter", busy)
    event = SessionChanged(session_id=draft.record.session_id, **draft.changes)
    moved = "starts_at" in draft.changes
    return event, notice(draft.slot.session_id, draft.slot.starts_at, now) if moved else []


# -- opening, closing, cancelling -------------------------------------------------------------
def existing(record: SessionRecord | None, session_id: str) -> SessionRecord:
    if record is None:
        raise NotFound(
            f"no session has the id '{session_id}'; see `upgradecamp sessions list`",
            "session_not_found",
            session=session_id,
        )
    return record


def decide_open(record: SessionRecord | None, session_id: str, now: datetime) -> SessionOpened:
    """Check-in starts at the door on the session's own business day."""
    row = existing(record, session_id)
    rules.check_transition(
        session_id, row.status, "open", on=business_date(row.starts_at), today=business_date(now)
    )
    return SessionOpened(session_id=session_id)


def decide_close(record: SessionRecord | None, session_id: str) -> SessionClosed:
    row = existing(record, session_id)
    rules.check_transition(session_id, row.status, "close")
    return SessionClosed(session_id=session_id)


def decide_cancel(
    record: SessionRecord | None, cmd: CancelSession, to_tell: tuple[str, ...]
) -> SessionCancelled:
    """`to_tell`: the session's invitations whose clients did not say no or opt out."""
    reason = (cmd.reason or "").strip()
    if not reason:
        raise BadInput(
            "a cancellation needs a reason (the invitees will be told); pass --reason",
            "session_reason_required",
            session=cmd.session_id,
        )
    row = existing(record, cmd.session_id)
    rules.check_transition(cmd.session_id, row.status, "cancel")
    return SessionCancelled(session_id=cmd.session_id, reason=reason, to_tell=list(to_tell))
