"""A session's seats and waiting list (候补名单) as the read tables hold them.

`seats` reads on an open connection, so the outcome handler decides a confirmation on the same
reads the call list and the board show (`domain/waitlist.py` does the arithmetic);
`waiting_list` is the screens' view: who waits, in order, and who is to be offered a seat now.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BindParameter, Connection, Engine, bindparam, func
from sqlmodel import and_, col, or_, select

from upgradecamp.domain.waitlist import Seats, offered
from upgradecamp.io.masking import mask_mobile
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

WAITLISTED = "waitlisted"
CONFIRMED = "confirmed"


# Built once: an outcome handler asks for a session's seats on every call it records, and
# building these statements cost more than running them. `without` is "" when no invitation
# is left out (no invitation has an empty id).
_SESSION: BindParameter[str] = bindparam("session_id")
_WITHOUT: BindParameter[str] = bindparam("without")
_CONFIRMED = (
    select(func.count())
    .select_from(InvitationRow)
    .where(
        InvitationRow.session_id == _SESSION,
        InvitationRow.state == CONFIRMED,
        col(InvitationRow.invitation_id) != _WITHOUT,
    )
)
# Everyone at the door not holding a confirmed seat: walk-ins and unconfirmed invitees.
_ARRIVED_OTHER = (
    select(func.count())
    .select_from(CheckInRow)
    .outerjoin(InvitationRow, col(InvitationRow.invitation_id) == CheckInRow.invitation_id)
    .where(
        CheckInRow.session_id == _SESSION,
        col(CheckInRow.annulled).is_(False),
        or_(
            col(InvitationRow.state).is_(None),
            InvitationRow.state != CONFIRMED,
            InvitationRow.invitation_id == _WITHOUT,
        ),
    )
)
_WAITING = (
    select(InvitationRow.invitation_id)
    .outerjoin(
        CheckInRow,
        and_(
            CheckInRow.invitation_id == InvitationRow.invitation_id,
            col(CheckInRow.annulled).is_(False),
        ),
    )
    .where(
        InvitationRow.session_id == _SESSION,
        InvitationRow.state == WAITLISTED,
        col(CheckInRow.checkin_id).is_(None),
    )
    .order_by(col(InvitationRow.waitlisted_at), col(InvitationRow.invitation_id))
)


def seats(conn: Connection, session_id: str, capacity: int, without: str | None = None) -> Seats:
    """The session's seats; `without` leaves one invitation out (the one being decided)."""
    params = {"session_id": session_id, "without": without or ""}
    return Seats(
        capacity=capacity,
        confirmed=conn.execute(_CONFIRMED, params).scalar_one(),
        arrived_other=conn.execute(_ARRIVED_OTHER, params).scalar_one(),
        waiting=tuple(conn.execute(_WAITING, params).scalars().all()),
    )


@dataclass(frozen=True)
class WaitingPlace:
    """One place on a waiting list: place (1, 2, …), who holds it (mobile masked), and
    `offer_seat` when a free seat is to be offered to them now."""

    place: int
    invitation_id: str
    client_id: str
    name: str
    mobile_masked: str
    offer_seat: bool


def waiting_list(engine: Engine, session_id: str) -> list[WaitingPlace]:
    """Who waits for a seat, in order. [] for a session that is over, cancelled or unknown."""
    with read_transaction(engine) as conn:
        session = conn.execute(
            select(SessionRow.capacity, SessionRow.status).where(
                SessionRow.session_id == session_id
            )
        ).first()
        if session is None or session.status not in ("planned", "open"):
            return []
        now = seats(conn, session_id, session.capacity)
        if not now.waiting:
            return []
        people = {
            r.invitation_id: r
            for r in conn.execute(
                select(
                    InvitationRow.invitation_id,
                    InvitationRow.client_id,
                    ClientRow.name,
                    ClientRow.mobile,
                )
                .join(ClientRow, col(ClientRow.client_id) == InvitationRow.client_id)
                .where(col(InvitationRow.invitation_id).in_(now.waiting))
            )
        }
    offer = set(offered(now))
    return [
        WaitingPlace(
            place=n,
            invitation_id=i,
            client_id=people[i].client_id,
            name=people[i].name,
            mobile_masked=mask_mobile(people[i].mobile),
            offer_seat=i in offer,
        )
        for n, i in enumerate(now.waiting, 1)
        if i in people
    ]
