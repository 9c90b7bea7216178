"""Read-side queries of sessions for the sessions screens, the check-in desk and the CLI.

A stable interface (the TUI calls these): every function takes an Engine, reads the read
tables only, and returns plain dicts. Times come back as ISO 8601 text in Asia/Shanghai
(`starts_at`, `ends_at`, with +08:00) plus `date` ("YYYY-MM-DD"), `time` and `end_time`
("HH:MM") for tables on screen. Mobiles are masked (SPEC §5).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from upgradecamp.domain.rules import shanghai
from upgradecamp.domain.sessions import CANCELLED, DEFAULT_VENUE, VENUES, choose_host_presenter
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import BranchRow, ClientRow, StaffRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import SessionRow


def _local(value: datetime) -> datetime:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(shanghai())


def _instant(value: date | datetime, *, end: bool = False) -> datetime:
    """A bound as an aware instant: a date is that Asia/Shanghai day (its end when `end`)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=shanghai())
    day = datetime.combine(value, time(0), tzinfo=shanghai())
    return day + timedelta(days=1) if end else day


def _session_dict(row: Any, branch_names: dict[str, str],
                  staff_names: dict[str, str]) -> dict[str, Any]:
    starts, ends = _local(row.starts_at), _local(row.ends_at)
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


def _names(conn) -> tuple[dict[str, str], dict[str, str]]:
    branches = {r.code: r.name for r in conn.execute(select(BranchRow.code, BranchRow.name))}
    staff = {r.code: r.name for r in conn.execute(select(StaffRow.code, StaffRow.name))}
    return branches, staff


def list_sessions(engine: Engine, *, start: date | datetime | None = None,
                  end: date | datetime | None = None, branch: str | None = None,
                  include_cancelled: bool = False) -> list[dict[str, Any]]:
    """Sessions in start order, with branch, host and presenter names and their counters.

    `start` and `end` bound the start time; a date means that Asia/Shanghai day and both ends
    are inclusive (end=2026-12-31 includes sessions on the 31st); a naive datetime is read as
    Asia/Shanghai. Cancelled sessions are left out unless `include_cancelled`.
    """
    query = select(SessionRow).order_by(SessionRow.starts_at, SessionRow.session_id)
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
        rows = conn.execute(query).all()
    return [_session_dict(r, branch_names, staff_names) for r in rows]


def session_detail(engine: Engine, session_id: str) -> dict[str, Any] | None:
    """One session as `list_sessions` gives it, plus planning details, invitation counts by
    state (`invitations`: {"confirmed": 3, …}) and `to_tell`: the invitees of a cancelled
    session not yet told ({invitation_id, client_id, name, mobile (masked), state}).

    None when no session has that id.
    """
    from upgradecamp.io.masking import mask_mobile

    with read_transaction(engine) as conn:
        row = conn.execute(select(SessionRow).where(SessionRow.session_id == session_id)).first()
        if row is None:
            return None
        branch_names, staff_names = _names(conn)
        by_state = {r.state: r.n for r in conn.execute(
            select(InvitationRow.state, func.count().label("n"))
            .where(InvitationRow.session_id == session_id).group_by(InvitationRow.state))}
        to_tell = conn.execute(
            select(InvitationRow.invitation_id, InvitationRow.client_id, InvitationRow.state,
                   ClientRow.name, ClientRow.mobile)
            .join(ClientRow, ClientRow.client_id == InvitationRow.client_id, isouter=True)
            .where(InvitationRow.session_id == session_id, InvitationRow.to_tell.is_(True))
            .order_by(InvitationRow.invitation_id)).all()
    detail = _session_dict(row, branch_names, staff_names)
    detail.update({
        "planned_at": _local(row.planned_at).isoformat(),
        "planned_by": row.planned_by,
        "invitations": dict(sorted(by_state.items())),
        "invitations_total": sum(by_state.values()),
        "to_tell": [{"invitation_id": r.invitation_id, "client_id": r.client_id,
                     "name": r.name or "", "mobile": mask_mobile(r.mobile), "state": r.state}
                    for r in to_tell],
    })
    return detail


def staff_of_branch(engine: Engine, branch: str) -> list[dict[str, str]]:
    """A branch's staff ({code, name, role}) for the host and presenter pickers, by code."""
    with read_transaction(engine) as conn:
        rows = conn.execute(select(StaffRow.code, StaffRow.name, StaffRow.role)
                            .where(StaffRow.branch == branch).order_by(StaffRow.code)).all()
    return [{"code": r.code, "name": r.name, "role": r.role} for r in rows]


def planning_defaults(engine: Engine, branch: str) -> dict[str, Any] | None:
    """What `PlanSessions` would choose for a branch when left blank: venue, theme, host and
    presenter (None when the branch lacks two staff), plus the usual venues for a picker.

    None when the branch does not exist.
    """
    with read_transaction(engine) as conn:
        found = conn.execute(select(BranchRow.theme).where(BranchRow.code == branch)).first()
        if found is None:
            return None
        staff = conn.execute(select(StaffRow.code, StaffRow.role)
                             .where(StaffRow.branch == branch)).all()
    pair = choose_host_presenter([(s.code, s.role) for s in staff], None, None)
    return {"venue": DEFAULT_VENUE, "venues": list(VENUES), "theme": found.theme,
            "host": pair[0] if pair else None, "presenter": pair[1] if pair else None}
