"""What the room's screen (the wall) shows of a session: arrivals against the expected, the
latest arrivals and upgrades by surname and title only, forms, and the amount subscribed.

The wall is on a TV in front of clients, so no full name, number or amount of a client leaves
this module: names become `王先生/女士` here, before anything reaches a screen. The lists are
the latest `LATEST` only, so a wall left up all afternoon holds no more than at its start.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from sqlalchemy import Engine
from sqlmodel import col, select

from upgradecamp.domain.errors import NotFound, PermissionDenied
from upgradecamp.domain.salutation import salutation
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import BranchRow, ClientRow
from upgradecamp.store.tables.forms import FormRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

if TYPE_CHECKING:
    from upgradecamp.queries.sessions import SessionView

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor

LATEST = 6
# Approved forms are read newest first until this many upgrades are found: a session has
# at most 20 clients, each with a few forms.
SCAN_FORMS = 200


def check_watcher(actor: Actor) -> None:
    """The wall is for organizers and branch heads (and admins): it shows who arrives."""
    if not (actor.may("sessions.manage") or actor.may("reports.read")):
        raise PermissionDenied(
            f"{actor.code} ({actor.role}) may not open the wall; ask an organizer or the "
            "branch head",
            "wall_may_not_watch",
            staff=actor.code,
            role=actor.role,
        )


class WallSession(TypedDict):
    session_id: str
    branch: str
    branch_name: str
    venue: str
    theme: str
    starts_at: datetime
    duration_minutes: int
    capacity: int
    status: str
    expected: int


class Arrival(TypedDict):
    """A check-in on the wall: only the salutation, never a full name."""

    id: str
    at: datetime
    who: str


class Upgrade(TypedDict):
    id: str
    at: datetime
    tier: str
    tier_name: str
    who: str


class WallState(TypedDict):
    """What the wall shows: the room's figures and its newest arrivals and upgrades."""

    session: WallSession
    arrived: int
    walk_ins: int
    expected: int
    forms: int
    approved: int
    upgrades_count: int
    subscribed: str
    arrivals: list[Arrival]
    upgrades: list[Upgrade]


def _session(conn: Any, session_id: str) -> WallSession:
    row = conn.execute(
        select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
            SessionRow.session_id,
            SessionRow.branch,
            SessionRow.venue,
            SessionRow.theme,
            SessionRow.starts_at,
            SessionRow.duration_minutes,
            SessionRow.capacity,
            SessionRow.status,
            SessionRow.confirmed,
            BranchRow.name,
        )
        .join(BranchRow, col(BranchRow.code) == SessionRow.branch, isouter=True)
        .where(SessionRow.session_id == session_id)
    ).first()
    if row is None:
        raise NotFound(
            f"no session has the id '{session_id}'; see `upgradecamp sessions list`",
            "session_not_found",
            session=session_id,
        )
    return WallSession(
        session_id=row.session_id,
        branch=row.branch,
        branch_name=row.name or row.branch,
        venue=row.venue,
        theme=row.theme,
        starts_at=row.starts_at,
        duration_minutes=row.duration_minutes,
        capacity=row.capacity,
        status=row.status,
        expected=row.confirmed,
    )


def _arrivals(conn: Any, session_id: str) -> list[Arrival]:
    rows = conn.execute(
        select(CheckInRow.checkin_id, CheckInRow.at, ClientRow.name)
        .join(ClientRow, col(ClientRow.client_id) == CheckInRow.client_id, isouter=True)
        .where(CheckInRow.session_id == session_id, col(CheckInRow.annulled).is_(False))
        .order_by(col(CheckInRow.at).desc(), col(CheckInRow.checkin_id).desc())
        .limit(LATEST)
    ).all()
    return [Arrival(id=r.checkin_id, at=r.at, who=salutation(r.name or "")) for r in rows]


def _upgrades(conn: Any, session_id: str) -> list[Upgrade]:
    from upgradecamp.store.rules import tier_ladder

    rows = conn.execute(
        select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
            FormRow.form_id,
            FormRow.decided_at,
            FormRow.tier_before,
            FormRow.tier_after,
            ClientRow.name,
        )
        .join(ClientRow, col(ClientRow.client_id) == FormRow.client_id, isouter=True)
        .where(FormRow.session_id == session_id, FormRow.status == "approved")
        .order_by(col(FormRow.decided_at).desc(), col(FormRow.form_id).desc())
        .limit(SCAN_FORMS)
    ).all()
    if not rows:
        return []
    ladder = tier_ladder(conn)
    ranks = {tier.code: ladder.rank(tier) for tier in ladder.tiers}
    names = {tier.code: tier.name_zh for tier in ladder.tiers}
    out: list[Upgrade] = []
    for r in rows:
        if ranks.get(r.tier_after, -1) > ranks.get(r.tier_before, 10**6):
            out.append(
                Upgrade(
                    id=r.form_id,
                    at=r.decided_at,
                    tier=r.tier_after,
                    tier_name=names[r.tier_after],
                    who=salutation(r.name or ""),
                )
            )
            if len(out) == LATEST:
                break
    return out


def wall_state(engine: Engine, session_id: str, now: datetime) -> WallState:
    """{session, arrived, walk_ins, expected, forms, approved, upgrades_count, subscribed
    ("123000.00"), arrivals [{id, at, who}], upgrades [{id, at, who, tier, tier_name}]}:
    the lists newest first, at most LATEST each."""
    from upgradecamp.queries.reports import session_report

    with read_transaction(engine) as conn:
        session = _session(conn, session_id)
        arrivals = _arrivals(conn, session_id)
        upgrades = _upgrades(conn, session_id)
    figures = session_report(engine, session_id, now)["cluster"]
    return WallState(
        session=session,
        arrived=figures["attended"],
        walk_ins=figures["walk_ins"],
        expected=session["expected"],
        forms=figures["forms"],
        approved=figures["approved"],
        upgrades_count=figures["tier_upgrades"],
        subscribed=figures["amount_subscribed"],
        arrivals=arrivals,
        upgrades=upgrades,
    )


def today_sessions(engine: Engine, now: datetime) -> list[SessionView]:
    """The sessions of today (Shanghai), not cancelled, by start: what the wall can show."""
    from upgradecamp.domain.rules import business_date
    from upgradecamp.queries.sessions import list_sessions

    today = business_date(now)
    return list_sessions(engine, start=today, end=today)
