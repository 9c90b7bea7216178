"""Read-side queries of the check-in desk: today's sessions, the live board, recent check-ins.

Frozen rows for the TUI and the CLI (whose `--json` prints their fields in order); times in
Asia/Shanghai (ISO 8601 with +08:00, and "HH:MM" for tables); mobiles masked (SPEC §5). The
client search is in `queries/search.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func
from sqlmodel import col, select

from upgradecamp.domain.clock import to_local
from upgradecamp.io.masking import mask_mobile
from upgradecamp.queries.waitlist import WaitingPlace, waiting_list
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

if TYPE_CHECKING:
    from upgradecamp.queries.sessions import SessionView

# Invitees not expected at the door: they said no, or asked not to be contacted again.
NOT_EXPECTED = ("declined", "opted_out")


@dataclass(frozen=True)
class SessionBoard:
    """The live board of one session: who is expected, who came, how many seats are left."""

    session_id: str
    branch: str
    venue: str
    theme: str
    starts_at: str
    time: str
    status: str
    capacity: int
    invited: int
    confirmed: int
    expected: int
    arrived: int
    invitees_arrived: int
    walk_ins: int
    still_expected: int
    free_seats: int
    overrides: int
    referrals: int
    annulled: int
    waiting_list: tuple[WaitingPlace, ...] = ()


@dataclass(frozen=True)
class RecentCheckIn:
    """One check-in of the session's recent list (an annulled one with its reason)."""

    checkin_id: str
    client_id: str
    name: str
    mobile: str
    walk_in: bool
    method: str
    invitation_id: str | None
    at: str
    time: str
    by: str
    terminal: str
    referred_by: str | None
    override_by: str | None
    annulled: bool
    annul_reason: str | None


@dataclass(frozen=True)
class InTheRoom:
    """One person checked in now (F4 at the desk): initials are the name's pinyin initials,
    mobile is masked, kind is "override" (seated beyond capacity by an organizer,
    `override_by`), else "walk_in" or "invited"."""

    checkin_id: str
    client_id: str
    name: str
    initials: str
    mobile: str
    time: str
    at: str
    by: str
    terminal: str
    kind: str
    override_by: str | None


def todays_sessions(engine: Engine, branch: str | None = None, *, on: date) -> list[SessionView]:
    """The sessions of business day `on` (today by the caller's clock), cancelled ones left out,
    in start order, as `queries.sessions.list_sessions` gives them; `branch` narrows to one
    branch (the desk's own), None is the whole cluster."""
    from upgradecamp.queries.sessions import list_sessions

    return list_sessions(engine, start=on, end=on, branch=branch)


def board(engine: Engine, session_id: str) -> SessionBoard | None:
    """The live board of one session, None when no session has that id.

    expected: invitations not declined nor opted out; arrived: check-ins not annulled
    (invitees_arrived of them invited, walk_ins not); still_expected: expected invitees not
    yet arrived; free_seats: capacity minus arrived, never below 0 (beyond capacity only an
    organizer's override seats anyone, counted in overrides); waiting_list: who waits for a
    seat, in order (`queries.waitlist.waiting_list`).
    """

    with read_transaction(engine) as conn:
        session = conn.execute(
            select(SessionRow).where(SessionRow.session_id == session_id)
        ).first()
        if session is None:
            return None
        expected = conn.execute(
            select(func.count())
            .select_from(InvitationRow)
            .where(
                InvitationRow.session_id == session_id,
                col(InvitationRow.state).not_in(NOT_EXPECTED),
            )
        ).scalar_one()
        rows = conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                CheckInRow.walk_in,
                CheckInRow.invitation_id,
                CheckInRow.override_by,
                CheckInRow.referred_by,
                InvitationRow.state,
            )
            .outerjoin(InvitationRow, col(InvitationRow.invitation_id) == CheckInRow.invitation_id)
            .where(CheckInRow.session_id == session_id, col(CheckInRow.annulled).is_(False))
        ).all()
        annulled = conn.execute(
            select(func.count())
            .select_from(CheckInRow)
            .where(CheckInRow.session_id == session_id, col(CheckInRow.annulled).is_(True))
        ).scalar_one()
    arrived = len(rows)
    walk_ins = sum(1 for r in rows if r.walk_in)
    expected_arrived = sum(1 for r in rows if not r.walk_in and r.state not in NOT_EXPECTED)
    starts = to_local(session.starts_at)
    return SessionBoard(
        session_id=session.session_id,
        branch=session.branch,
        venue=session.venue,
        theme=session.theme,
        starts_at=starts.isoformat(),
        time=starts.strftime("%H:%M"),
        status=session.status,
        capacity=session.capacity,
        invited=session.invited,
        confirmed=session.confirmed,
        expected=expected,
        arrived=arrived,
        invitees_arrived=arrived - walk_ins,
        walk_ins=walk_ins,
        still_expected=max(expected - expected_arrived, 0),
        free_seats=max(session.capacity - arrived, 0),
        overrides=sum(1 for r in rows if r.override_by),
        referrals=sum(1 for r in rows if r.referred_by),
        annulled=annulled,
        waiting_list=tuple(waiting_list(engine, session_id)),
    )


def recent_checkins(engine: Engine, session_id: str, limit: int = 20) -> list[RecentCheckIn]:
    """The session's latest check-ins, newest first, annulled ones included (with the reason)."""
    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(
                CheckInRow.__table__,  # type: ignore[attr-defined]  # SQLModel types omit it
                ClientRow.name,
                ClientRow.mobile,
            )
            .outerjoin(ClientRow, col(ClientRow.client_id) == CheckInRow.client_id)
            .where(CheckInRow.session_id == session_id)
            .order_by(col(CheckInRow.at).desc(), col(CheckInRow.checkin_id).desc())
            .limit(limit)
        ).all()
    out = []
    for r in rows:
        at = to_local(r.at)
        out.append(
            RecentCheckIn(
                checkin_id=r.checkin_id,
                client_id=r.client_id,
                name=r.name or "",
                mobile=mask_mobile(r.mobile),
                walk_in=r.walk_in,
                method=r.method,
                invitation_id=r.invitation_id,
                at=at.isoformat(timespec="seconds"),
                time=at.strftime("%H:%M"),
                by=r.by,
                terminal=r.terminal,
                referred_by=r.referred_by,
                override_by=r.override_by,
                annulled=r.annulled,
                annul_reason=r.annul_reason,
            )
        )
    return out


def in_the_room(engine: Engine, session_id: str) -> list[InTheRoom]:
    """Everyone checked in now (annulled check-ins left out), in arrival order."""
    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                CheckInRow.checkin_id,
                CheckInRow.client_id,
                CheckInRow.at,
                CheckInRow.by,
                CheckInRow.terminal,
                CheckInRow.walk_in,
                CheckInRow.override_by,
                ClientRow.name,
                ClientRow.initials,
                ClientRow.mobile,
            )
            .outerjoin(ClientRow, col(ClientRow.client_id) == CheckInRow.client_id)
            .where(CheckInRow.session_id == session_id, col(CheckInRow.annulled).is_(False))
            .order_by(col(CheckInRow.at), col(CheckInRow.checkin_id))
        ).all()
    out = []
    for r in rows:
        at = to_local(r.at)
        kind = "override" if r.override_by else "walk_in" if r.walk_in else "invited"
        out.append(
            InTheRoom(
                checkin_id=r.checkin_id,
                client_id=r.client_id,
                name=r.name or "",
                initials=r.initials or "",
                mobile=mask_mobile(r.mobile),
                time=at.strftime("%H:%M"),
                at=at.isoformat(timespec="seconds"),
                by=r.by,
                terminal=r.terminal,
                kind=kind,
                override_by=r.override_by,
            )
        )
    return out
