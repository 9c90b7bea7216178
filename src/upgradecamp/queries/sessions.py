"""Read-side queries of sessions for the sessions screens, the check-in desk and the CLI.

A stable interface (the TUI calls these): every function takes an Engine, reads the read
tables only, and returns typed rows (`TypedDict`s: what a table, a screen and `--json` print
as they are, with mypy checking every key a caller reads). Times come back as ISO 8601 text
in Asia/Shanghai (`starts_at`, `ends_at`, with +08:00) plus `date` ("YYYY-MM-DD"), `time`
and `end_time` ("HH:MM") for tables on screen. Mobiles are masked (SPEC §5).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, TypedDict

from sqlalchemy import Engine, func
from sqlmodel import col, select

from upgradecamp.domain.clock import day_start, shanghai, to_local
from upgradecamp.domain.sessions import CANCELLED, DEFAULT_VENUE, VENUES, choose_host_presenter
from upgradecamp.store.db import Source, read_transaction, reading
from upgradecamp.store.tables import BranchRow, ClientRow, StaffRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import SessionRow


def _instant(value: date | datetime, *, end: bool = False) -> datetime:
    """A bound as an aware instant: a date is that Asia/Shanghai day (its end when `end`)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=shanghai())
    day = day_start(value)
    return day + timedelta(days=1) if end else day


class SessionView(TypedDict):
    """One session as lists and desks show it: local times as text, names beside codes."""

    session_id: str
    series_id: str | None
    branch: str
    branch_name: str
    venue: str
    starts_at: str
    ends_at: str
    date: str
    time: str
    end_time: str
    duration_minutes: int
    capacity: int
    theme: str
    theme_en: str | None  # the branch theme's English name, when the session is on it
    host: str
    host_name: str
    presenter: str
    presenter_name: str
    status: str
    cancel_reason: str | None
    invited: int
    confirmed: int
    attended: int
    walk_ins: int


class ToTell(TypedDict):
    """An invitee of a cancelled session not yet told (mobile masked)."""

    invitation_id: str
    client_id: str
    name: str
    mobile: str
    state: str


class SessionDetail(SessionView):
    """A session with its planning, invitation counts by state and who is still to be told."""

    planned_at: str
    planned_by: str
    invitations: dict[str, int]
    invitations_total: int
    to_tell: list[ToTell]


class StaffChoice(TypedDict):
    code: str
    name: str
    role: str


class PlanningDefaults(TypedDict):
    venue: str
    venues: list[str]
    theme: str
    host: str | None
    presenter: str | None


def _session_dict(
    row: Any,
    branch_names: dict[str, str],
    staff_names: dict[str, str],
    themes: dict[str, tuple[str, str | None]] | None = None,
) -> SessionView:
    starts, ends = to_local(row.starts_at), to_local(row.ends_at)
    return {
        "session_id": row.session_id,
        "series_id": row.series_id,
        "branch": row.branch,
        "branch_name": branch_names.get(row.branch, row.branch),
        "venue": row.venue,
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(),
        "date": starts.date().isoformat(),
        "time": starts.strftime("%H:%M"),
        "end_time": ends.strftime("%H:%M"),
        "duration_minutes": row.duration_minutes,
        "capacity": row.capacity,
        "theme": row.theme,
        "theme_en": _theme_en(row, themes),
        "host": row.host,
        "host_name": staff_names.get(row.host, row.host),
        "presenter": row.presenter,
        "presenter_name": staff_names.get(row.presenter, row.presenter),
        "status": row.status,
        "cancel_reason": row.cancel_reason,
        "invited": row.invited,
        "confirmed": row.confirmed,
        "attended": row.attended,
        "walk_ins": row.walk_ins,
    }


def _theme_en(row: Any, themes: dict[str, tuple[str, str | None]] | None) -> str | None:
    """The English name of the session's theme when it is its branch's own theme (a theme an
    organizer typed stays as typed, in every language)."""
    zh, en = (themes or {}).get(row.branch, ("", None))
    return en if row.theme == zh else None


def _names(conn) -> tuple[dict[str, str], dict[str, str]]:
    branches = {r.code: r.name for r in conn.execute(select(BranchRow.code, BranchRow.name))}
    staff = {r.code: r.name for r in conn.execute(select(StaffRow.code, StaffRow.name))}
    return branches, staff


def branch_themes(conn: Any) -> dict[str, tuple[str, str | None]]:
    """Each branch's theme and its English name."""
    return {
        r.code: (r.theme, r.theme_en)
        for r in conn.execute(select(BranchRow.code, BranchRow.theme, BranchRow.theme_en))
    }


def list_sessions(
    engine: Engine,
    *,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    branch: str | None = None,
    include_cancelled: bool = False,
) -> list[SessionView]:
    """Sessions in start order, with branch, host and presenter names and their counters.

    `start` and `end` bound the start time; a date means that Asia/Shanghai day and both ends
    are inclusive (end=2026-12-31 includes sessions on the 31st); a naive datetime is read as
    Asia/Shanghai. Cancelled sessions are left out unless `include_cancelled`.
    """
    query = select(SessionRow).order_by(col(SessionRow.starts_at), SessionRow.session_id)
    if start is not None:
        query = query.where(SessionRow.starts_at >= _instant(start))
    if isinstance(end, datetime):
        query = query.where(SessionRow.starts_at <= _instant(end))
    elif end is not None:
        query = query.where(SessionRow.starts_at < _instant(end, end=True))
    if branch is not None:
        query = query.where(SessionRow.branch == branch)
    if not include_cancelled:
        query = query.where(SessionRow.status != CANCELLED)
    with read_transaction(engine) as conn:
        branch_names, staff_names = _names(conn)
        themes = branch_themes(conn)
        rows = conn.execute(query).all()
    return [_session_dict(r, branch_names, staff_names, themes) for r in rows]


def session_detail(source: Source, session_id: str) -> SessionDetail | None:
    """One session as `list_sessions` gives it, plus planning details, invitation counts by
    state (`invitations`: {"confirmed": 3, …}) and `to_tell`: the invitees of a cancelled
    session not yet told ({invitation_id, client_id, name, mobile (masked), state}).

    None when no session has that id.
    """
    from upgradecamp.io.masking import mask_mobile

    with reading(source) as conn:
        row = conn.execute(select(SessionRow).where(SessionRow.session_id == session_id)).first()
        if row is None:
            return None
        branch_names, staff_names = _names(conn)
        themes = branch_themes(conn)
        by_state = {
            r.state: r.n
            for r in conn.execute(
                select(InvitationRow.state, func.count().label("n"))
                .where(InvitationRow.session_id == session_id)
                .group_by(InvitationRow.state)
            )
        }
        to_tell = conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                InvitationRow.invitation_id,
                InvitationRow.client_id,
                InvitationRow.state,
                ClientRow.name,
                ClientRow.mobile,
            )
            .join(ClientRow, col(ClientRow.client_id) == InvitationRow.client_id, isouter=True)
            .where(InvitationRow.session_id == session_id, col(InvitationRow.to_tell).is_(True))
            .order_by(InvitationRow.invitation_id)
        ).all()
    return SessionDetail(
        **_session_dict(row, branch_names, staff_names, themes),
        planned_at=to_local(row.planned_at).isoformat(),
        planned_by=row.planned_by,
        invitations=dict(sorted(by_state.items())),
        invitations_total=sum(by_state.values()),
        to_tell=[
            ToTell(
                invitation_id=r.invitation_id,
                client_id=r.client_id,
                name=r.name or "",
                mobile=mask_mobile(r.mobile),
                state=r.state,
            )
            for r in to_tell
        ],
    )


def staff_of_branch(engine: Engine, branch: str) -> list[StaffChoice]:
    """A branch's staff ({code, name, role}) for the host and presenter pickers, by code."""
    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(StaffRow.code, StaffRow.name, StaffRow.role)
            .where(StaffRow.branch == branch)
            .order_by(StaffRow.code)
        ).all()
    return [StaffChoice(code=r.code, name=r.name, role=r.role) for r in rows]


def planning_defaults(engine: Engine, branch: str) -> PlanningDefaults | None:
    """What `PlanSessions` would choose for a branch when left blank: venue, theme, host and
    presenter (None when the branch lacks two staff), plus the usual venues for a picker.

    None when the branch does not exist.
    """
    with read_transaction(engine) as conn:
        found = conn.execute(select(BranchRow.theme).where(BranchRow.code == branch)).first()
        if found is None:
            return None
        staff = conn.execute(
            select(StaffRow.code, StaffRow.role).where(StaffRow.branch == branch)
        ).all()
    pair = choose_host_presenter([(s.code, s.role) for s in staff], None, None)
    return PlanningDefaults(
        venue=DEFAULT_VENUE,
        venues=list(VENUES),
        theme=found.theme,
        host=pair[0] if pair else None,
        presenter=pair[1] if pair else None,
    )
