"""Read-side queries of the check-in desk: today's sessions, the live board, recent check-ins.

Plain dicts for the TUI and the CLI; times in Asia/Shanghai (ISO 8601 with +08:00, and
"HH:MM" for tables); mobiles masked (SPEC §5). The client search is in `queries/search.py`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from upgradecamp.domain.rules import business_date, shanghai
from upgradecamp.io.masking import mask_mobile
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

# Invitees not expected at the door: they said no, or asked not to be contacted again.
NOT_EXPECTED = ("declined", "opted_out")


def _local(value: datetime) -> datetime:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(shanghai())


def todays_sessions(engine: Engine, branch: str | None = None,
                    on: date | None = None) -> list[dict[str, Any]]:
    """The sessions of one business day (default today, Beijing time), cancelled ones left out,
    in start order, as `queries.sessions.list_sessions` gives them; `branch` narrows to one
    branch (the desk's own), None is the whole cluster."""
    from upgradecamp.queries.sessions import list_sessions

    day = on or business_date(datetime.now(UTC))
    return list_sessions(engine, start=day, end=day, branch=branch)


def board(engine: Engine, session_id: str) -> dict[str, Any] | None:
    """The live board of one session, None when no session has that id.

    expected: invitations not declined nor opted out; arrived: check-ins not annulled
    (invitees_arrived of them invited, walk_ins not); still_expected: expected invitees not
    yet arrived; free_seats: capacity minus arrived, never below 0 (invitees are admitted
    beyond capacity, walk-ins then only with an override, counted in overrides).
    """
    with read_transaction(engine) as conn:
        session = conn.execute(select(SessionRow)
                               .where(SessionRow.session_id == session_id)).first()
        if session is None:
            return None
        expected = conn.execute(
            select(func.count()).select_from(InvitationRow)
            .where(InvitationRow.session_id == session_id,
                   InvitationRow.state.not_in(NOT_EXPECTED))).scalar_one()
        rows = conn.execute(
            select(CheckInRow.walk_in, CheckInRow.invitation_id, CheckInRow.override_by,
                   CheckInRow.referred_by, InvitationRow.state)
            .outerjoin(InvitationRow, InvitationRow.invitation_id == CheckInRow.invitation_id)
            .where(CheckInRow.session_id == session_id,
                   CheckInRow.annulled.is_(False))).all()
        annulled = conn.execute(
            select(func.count()).select_from(CheckInRow)
            .where(CheckInRow.session_id == session_id,
                   CheckInRow.annulled.is_(True))).scalar_one()
    arrived = len(rows)
    walk_ins = sum(1 for r in rows if r.walk_in)
    expected_arrived = sum(1 for r in rows if not r.walk_in and r.state not in NOT_EXPECTED)
    starts = _local(session.starts_at)
    return {
        "session_id": session.session_id,
        "branch": session.branch,
        "venue": session.venue,
        "theme": session.theme,
        "starts_at": starts.isoformat(),
        "time": starts.strftime("%H:%M"),
        "status": session.status,
        "capacity": session.capacity,
        "invited": session.invited,
        "confirmed": session.confirmed,
        "expected": expected,
        "arrived": arrived,
        "invitees_arrived": arrived - walk_ins,
        "walk_ins": walk_ins,
        "still_expected": max(expected - expected_arrived, 0),
        "free_seats": max(session.capacity - arrived, 0),
        "overrides": sum(1 for r in rows if r.override_by),
        "referrals": sum(1 for r in rows if r.referred_by),
        "annulled": annulled,
    }


def recent_checkins(engine: Engine, session_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The session's latest check-ins, newest first, annulled ones included (with the reason)."""
    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(CheckInRow.__table__, ClientRow.name, ClientRow.mobile)
            .outerjoin(ClientRow, ClientRow.client_id == CheckInRow.client_id)
            .where(CheckInRow.session_id == session_id)
            .order_by(CheckInRow.at.desc(), CheckInRow.checkin_id.desc())
            .limit(limit)).all()
    out = []
    for r in rows:
        at = _local(r.at)
        out.append({
            "checkin_id": r.checkin_id, "client_id": r.client_id, "name": r.name or "",
            "mobile": mask_mobile(r.mobile), "walk_in": r.walk_in, "method": r.method,
            "invitation_id": r.invitation_id, "at": at.isoformat(timespec="seconds"),
            "time": at.strftime("%H:%M"), "by": r.by, "terminal": r.terminal,
            "referred_by": r.referred_by, "override_by": r.override_by,
            "annulled": r.annulled, "annul_reason": r.annul_reason,
        })
    return out
