"""Handlers of the sessions commands (see `domain/commands/sessions.py`).

The rules live in `domain/sessions.py`; these handlers read what they need from the read
tables (branches, staff, booked sessions, check-ins, invitations) and record the events on the
session's stream `session-{id}`, at its expected version.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from upgradecamp.domain import sessions as rules
from upgradecamp.domain.commands.sessions import (
    CancelSession,
    ChangeSession,
    CloseSession,
    OpenSession,
    PlanSessions,
)
from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied, RuleRefused
from upgradecamp.domain.events.sessions import (
    SessionCancelled,
    SessionChanged,
    SessionClosed,
    SessionOpened,
    SessionPlanned,
)
from upgradecamp.domain.rules import business_date
from upgradecamp.domain.sessions import Slot
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.tables import BranchRow, StaffRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

# Invitees who said no, or asked not to be contacted, need not hear of a cancellation.
NOT_TOLD_STATES = ("declined", "opted_out")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def session_result(row: dict[str, Any]) -> dict[str, Any]:
    """A session as handlers return it (and `--json` prints it): local ISO times."""
    starts = rules.local(_aware(row["starts_at"]))
    return {
        "session_id": row["session_id"], "series_id": row["series_id"],
        "branch": row["branch"], "venue": row["venue"], "starts_at": starts.isoformat(),
        "duration_minutes": row["duration_minutes"], "capacity": row["capacity"],
        "theme": row["theme"], "host": row["host"], "presenter": row["presenter"],
        "status": row["status"],
    }


def _branch(uow: UnitOfWork, code: str) -> dict[str, Any]:
    branch = uow.rows.get(BranchRow, code)
    if branch is None:
        raise NotFound(f"unknown branch '{code}'; the cluster's branches are B01..B05 "
                       "(see `upgradecamp staff list`)", "session_unknown_branch", branch=code)
    return branch


def _check_staff(uow: UnitOfWork, code: str, branch: str, what: str) -> None:
    member = uow.rows.get(StaffRow, code)
    if member is None:
        raise NotFound(f"no staff member has the code '{code}' (given as {what}); see "
                       "`upgradecamp staff list`", "session_unknown_staff", staff=code)
    if member["branch"] != branch:
        raise RuleRefused(f"{code} ({member['name']}) works at {member['branch']}, not {branch}; "
                          f"the {what} must be staff of {branch}", "session_staff_not_in_branch",
                          staff=code, staff_branch=member["branch"], branch=branch)


def _host_presenter(uow: UnitOfWork, branch: str, host: str | None,
                    presenter: str | None, busy: dict[str, str]) -> tuple[str, str]:
    """The given host and presenter checked, the missing ones chosen by preference among the
    branch's staff who are not `busy` (hosting or presenting another session at the time)."""
    for code, what in ((host, "host"), (presenter, "presenter")):
        if code is not None:
            _check_staff(uow, code, branch, what)
            _check_free(code, what, busy)
    if host is not None and presenter is not None:
        rules.check_host_presenter(host, presenter)
        return host, presenter
    staff = uow.conn.execute(select(StaffRow.code, StaffRow.role, StaffRow.name)
                             .where(StaffRow.branch == branch)).all()
    free = [(s.code, s.role) for s in staff if s.code not in busy]
    pair = rules.choose_host_presenter(free, host, presenter)
    if pair is None and len(free) < len(staff):
        taken = ", ".join(f"{code} ({busy[code]})" for code in sorted(busy)
                          if any(s.code == code for s in staff))
        raise RuleRefused(
            f"{branch} has no two staff free at that time: {taken} are in other sessions; "
            "choose another time or pass --host and --presenter", "session_staff_all_busy",
            branch=branch, busy=taken)
    if pair is None:
        names = ", ".join(f"{s.code} {s.name} ({s.role})" for s in sorted(staff)) or "nobody"
        raise RuleRefused(
            f"a session needs a host and a presenter, two different staff of {branch}, and "
            f"{branch} has {len(staff)} ({names}); add staff with `upgradecamp staff add CODE "
            f"--name N --role marketer --branch {branch}`, then pass --host and --presenter "
            "or let them be chosen", "session_needs_two_staff", branch=branch, count=len(staff))
    return pair


def _booked(uow: UnitOfWork, branch: str, venue: str, first: datetime, last_end: datetime,
            exclude: str | None = None) -> list[Slot]:
    """Sessions of that branch and venue (not cancelled) that could clash with the range."""
    query = (select(SessionRow.session_id, SessionRow.branch, SessionRow.venue,
                    SessionRow.starts_at, SessionRow.ends_at, SessionRow.status)
             .where(SessionRow.branch == branch, SessionRow.venue == venue,
                    SessionRow.status != rules.CANCELLED,
                    SessionRow.starts_at < last_end,
                    SessionRow.ends_at > first))
    if exclude is not None:
        query = query.where(SessionRow.session_id != exclude)
    return [Slot(r.session_id, r.branch, r.venue, _aware(r.starts_at), _aware(r.ends_at),
                 r.status) for r in uow.conn.execute(query)]


def _check_free(code: str, what: str, busy: dict[str, str]) -> None:
    if code in busy:
        raise RuleRefused(f"{code} (the {what}) is already in session {busy[code]} at that "
                          "time; choose someone else or another time", "session_staff_busy",
                          staff=code, other=busy[code])


def _busy_staff(uow: UnitOfWork, slots: list[Slot], exclude: str | None = None) -> dict[str, str]:
    """Staff hosting or presenting a session (any branch, not cancelled) that overlaps one of
    `slots`, each with the first such session: nobody can be in two rooms at once."""
    query = (select(SessionRow.session_id, SessionRow.starts_at, SessionRow.ends_at,
                    SessionRow.host, SessionRow.presenter)
             .where(SessionRow.status != rules.CANCELLED,
                    SessionRow.starts_at < max(s.ends_at for s in slots),
                    SessionRow.ends_at > min(s.starts_at for s in slots))
             .order_by(SessionRow.starts_at, SessionRow.session_id))
    if exclude is not None:
        query = query.where(SessionRow.session_id != exclude)
    busy: dict[str, str] = {}
    for row in uow.conn.execute(query):
        starts, ends = _aware(row.starts_at), _aware(row.ends_at)
        if any(s.starts_at < ends and starts < s.ends_at for s in slots):
            for code in (row.host, row.presenter):
                busy.setdefault(code, row.session_id)
    return busy


def _taken_ids(uow: UnitOfWork, column, prefix: str) -> set[str]:
    return {value for (value,) in uow.conn.execute(
        select(column).where(column.like(f"{prefix}%")).distinct()) if value}


def _short_notice(session_id: str, starts_at: datetime, now: datetime,
                  warnings: list[str], notices: list[dict[str, Any]]) -> None:
    days = rules.short_notice(starts_at, now)
    if days is not None:
        warnings.append(f"{session_id}: invitations go out at least {rules.INVITE_LEAD_DAYS} "
                        f"days ahead; this session is in {days} days")
        notices.append({"session_id": session_id, "days": days})


def plan_sessions(uow: UnitOfWork, cmd: PlanSessions) -> dict[str, Any]:
    """Plan one session or a weekly series: every date is checked, and all or none is planned.

    The result lists the planned sessions and `warnings` (English text) for those starting
    within 30 days, the invitation lead time; `short_notice` holds the same as
    {session_id, days} for screens that say it in their own words.
    """
    uow.actor.require("sessions.manage", "plan sessions")
    branch = _branch(uow, cmd.branch)
    duration = rules.check_duration(cmd.duration_minutes)
    capacity = rules.check_capacity(cmd.capacity)
    start = rules.parse_start(cmd.start)
    weekdays = rules.parse_weekdays(cmd.weekly_on)
    starts = rules.series_starts(start, weekdays, cmd.weeks)
    if not starts:
        raise BadInput(f"no session falls on {', '.join(cmd.weekly_on)} within {cmd.weeks} "
                       f"week(s) from {rules.local_label(start)}; add weeks or weekdays",
                       "session_empty_series", start=rules.local_label(start))
    now = uow.clock()
    rules.require_future(starts[0], now)
    venue = rules.check_text(rules.DEFAULT_VENUE if cmd.venue is None else cmd.venue, "venue")
    theme = rules.check_text(branch["theme"] if cmd.theme is None else cmd.theme, "theme")

    series_id = None
    if rules.is_series(weekdays, cmd.weeks):
        base = rules.series_id_base(cmd.branch, starts[0])
        series_id = rules.free_id(base, _taken_ids(uow, SessionRow.series_id, base))
    taken: set[str] = set()
    slots = []
    for when in starts:
        base = rules.session_id_base(cmd.branch, when)
        session_id = rules.free_id(base, taken | _taken_ids(uow, SessionRow.session_id, base))
        taken.add(session_id)
        slots.append(Slot(session_id, cmd.branch, venue, when, rules.ends_at(when, duration)))
    clashes = rules.find_overlaps(
        slots, _booked(uow, cmd.branch, venue, slots[0].starts_at, slots[-1].ends_at))
    if clashes:
        raise rules.overlap_error(clashes, len(slots))
    host, presenter = _host_presenter(uow, cmd.branch, cmd.host, cmd.presenter,
                                      _busy_staff(uow, slots))

    results, warnings, notices = [], [], []
    for slot in slots:
        if uow.stream_version(f"session-{slot.session_id}"):
            raise RuleRefused(f"session id {slot.session_id} is already in the log; try again",
                              "session_id_taken", session=slot.session_id)
        event = SessionPlanned(session_id=slot.session_id, series_id=series_id,
                               branch=cmd.branch, venue=venue, starts_at=slot.starts_at,
                               duration_minutes=duration, capacity=capacity, theme=theme,
                               host=host, presenter=presenter)
        uow.record(0, event)
        results.append(session_result({
            **event.model_dump(), "starts_at": slot.starts_at, "status": rules.PLANNED}))
        _short_notice(slot.session_id, slot.starts_at, now, warnings, notices)
    return {"sessions": results, "warnings": warnings, "short_notice": notices}


def _session(uow: UnitOfWork, session_id: str) -> dict[str, Any]:
    row = uow.rows.get(SessionRow, session_id)
    if row is None:
        raise NotFound(f"no session has the id '{session_id}'; see `upgradecamp sessions list`",
                       "session_not_found", session=session_id)
    return row


def _stream(session_id: str) -> str:
    return f"session-{session_id}"


def change_session(uow: UnitOfWork, cmd: ChangeSession) -> dict[str, Any]:
    """Edit a planned session; the same checks as planning, its own slot excluded."""
    uow.actor.require("sessions.manage", "edit sessions")
    row = _session(uow, cmd.session_id)
    version = uow.stream_version(_stream(cmd.session_id))
    rules.check_transition(cmd.session_id, row["status"], "edit")
    now = uow.clock()
    changes: dict[str, Any] = {}
    starts_at = _aware(row["starts_at"])
    if cmd.start is not None:
        new_start = rules.parse_start(cmd.start)
        if new_start != starts_at:
            rules.require_future(new_start, now)
            changes["starts_at"] = starts_at = new_start
    duration = row["duration_minutes"]
    if cmd.duration_minutes is not None and cmd.duration_minutes != duration:
        changes["duration_minutes"] = duration = rules.check_duration(cmd.duration_minutes)
    if cmd.capacity is not None and cmd.capacity != row["capacity"]:
        capacity = rules.check_capacity(cmd.capacity)
        checked_in = uow.conn.execute(
            select(func.count()).select_from(CheckInRow)
            .where(CheckInRow.session_id == cmd.session_id,
                   CheckInRow.annulled.is_(False))).scalar_one()
        rules.check_capacity_covers(cmd.session_id, capacity, checked_in)
        changes["capacity"] = capacity
    venue = row["venue"]
    if cmd.venue is not None and cmd.venue.strip() != venue:
        changes["venue"] = venue = rules.check_text(cmd.venue, "venue")
    if cmd.theme is not None and cmd.theme.strip() != row["theme"]:
        changes["theme"] = rules.check_text(cmd.theme, "theme")
    host = cmd.host if cmd.host is not None else row["host"]
    presenter = cmd.presenter if cmd.presenter is not None else row["presenter"]
    if (host, presenter) != (row["host"], row["presenter"]):
        for code, what in ((host, "host"), (presenter, "presenter")):
            _check_staff(uow, code, row["branch"], what)
        rules.check_host_presenter(host, presenter)
        changes.update({k: v for k, v in (("host", host), ("presenter", presenter))
                        if v != row[k]})
    if not changes:
        return {"session": session_result(row), "changed": [], "warnings": [],
                "short_notice": []}
    slot = Slot(cmd.session_id, row["branch"], venue, starts_at,
                rules.ends_at(starts_at, duration))
    if {"starts_at", "duration_minutes", "venue"} & changes.keys():
        clashes = rules.find_overlaps(
            [slot], _booked(uow, row["branch"], venue, slot.starts_at, slot.ends_at,
                            exclude=cmd.session_id))
        if clashes:
            raise rules.overlap_error(clashes, 1)
    if {"starts_at", "duration_minutes", "host", "presenter"} & changes.keys():
        busy = _busy_staff(uow, [slot], exclude=cmd.session_id)
        _check_free(host, "host", busy)
        _check_free(presenter, "presenter", busy)
    uow.record(version, SessionChanged(session_id=cmd.session_id, **changes))
    warnings: list[str] = []
    notices: list[dict[str, Any]] = []
    if "starts_at" in changes:
        _short_notice(cmd.session_id, starts_at, now, warnings, notices)
    updated = {**row, **changes, "starts_at": starts_at}
    return {"session": session_result(updated), "changed": sorted(changes),
            "warnings": warnings, "short_notice": notices}


def open_session(uow: UnitOfWork, cmd: OpenSession) -> dict[str, Any]:
    """Start check-in at the door, on the session's own business day."""
    if not (uow.actor.may("sessions.manage") or uow.actor.may("checkin.record")):
        raise PermissionDenied(f"{uow.actor.code} ({uow.actor.role}) may not open a session; "
                               "ask an organizer or check-in staff", "session_may_not_open",
                               staff=uow.actor.code)
    row = _session(uow, cmd.session_id)
    version = uow.stream_version(_stream(cmd.session_id))
    rules.check_transition(cmd.session_id, row["status"], "open",
                           on=business_date(_aware(row["starts_at"])),
                           today=business_date(uow.clock()))
    uow.record(version, SessionOpened(session_id=cmd.session_id))
    return session_result({**row, "status": rules.OPEN})


def close_session(uow: UnitOfWork, cmd: CloseSession) -> dict[str, Any]:
    uow.actor.require("sessions.manage", "close sessions")
    row = _session(uow, cmd.session_id)
    version = uow.stream_version(_stream(cmd.session_id))
    rules.check_transition(cmd.session_id, row["status"], "close")
    uow.record(version, SessionClosed(session_id=cmd.session_id))
    return session_result({**row, "status": rules.CLOSED})


def cancel_session(uow: UnitOfWork, cmd: CancelSession) -> dict[str, Any]:
    """Cancel a planned or open session; its invitees who did not say no are to be told."""
    uow.actor.require("sessions.manage", "cancel sessions")
    reason = (cmd.reason or "").strip()
    if not reason:
        raise BadInput("a cancellation needs a reason (the invitees will be told); pass "
                       "--reason", "session_reason_required", session=cmd.session_id)
    row = _session(uow, cmd.session_id)
    version = uow.stream_version(_stream(cmd.session_id))
    rules.check_transition(cmd.session_id, row["status"], "cancel")
    to_tell = [i for (i,) in uow.conn.execute(
        select(InvitationRow.invitation_id)
        .where(InvitationRow.session_id == cmd.session_id,
               InvitationRow.state.not_in(NOT_TOLD_STATES))
        .order_by(InvitationRow.invitation_id))]
    uow.record(version, SessionCancelled(session_id=cmd.session_id, reason=reason,
                                         to_tell=to_tell))
    return {**session_result({**row, "status": rules.CANCELLED}), "reason": reason,
            "to_tell": to_tell}


HANDLERS = {
    PlanSessions: plan_sessions,
    ChangeSession: change_session,
    OpenSession: open_session,
    CloseSession: close_session,
    CancelSession: cancel_session,
}
