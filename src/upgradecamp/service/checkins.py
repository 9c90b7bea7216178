"""Handlers of the check-in commands (签到): sign a client in at the door, annul one made in error.

The rules live in `domain/checkin.py`; these handlers gather the facts from the read tables,
check an override's PIN and record the events. Check-ins go on the session's stream, whose
version is read before any fact: two desks checking in at once are serialised by it, so
different clients retry and both succeed, while the same client or the last free seat is
decided once and the other desk is told why (who checked the client in, where and when; or
that the room is full).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, case, func
from sqlmodel import and_, col, select

from upgradecamp.domain import checkin as rules
from upgradecamp.domain.clock import local_iso
from upgradecamp.domain.commands import VerifyPin
from upgradecamp.domain.commands.checkins import AnnulCheckIn, CheckIn
from upgradecamp.domain.errors import RuleRefused
from upgradecamp.domain.events import streams
from upgradecamp.domain.events.checkins import ClientCheckedIn
from upgradecamp.domain.invitations import normalise_code
from upgradecamp.service.handlers import verify_pin
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.tables import ClientRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

_PROSPECT_TRIES = 20


# Built once: a check-in runs these on every scan at the door.
_BY_CODE = (
    select(InvitationRow.client_id, InvitationRow.invitation_id, ClientRow.name, ClientRow.mobile)
    .outerjoin(ClientRow, col(ClientRow.client_id) == InvitationRow.client_id)
    .where(InvitationRow.code == bindparam("code"), InvitationRow.session_id == bindparam("sid"))
)
_BY_CLIENT = (
    select(ClientRow.client_id, ClientRow.name, InvitationRow.invitation_id, ClientRow.mobile)
    .outerjoin(
        InvitationRow,
        and_(
            InvitationRow.client_id == ClientRow.client_id,
            InvitationRow.session_id == bindparam("sid"),
        ),
    )
    .where(ClientRow.client_id == bindparam("cid"))
)
_BY_MOBILE = (
    select(ClientRow.client_id, ClientRow.name)
    .where(ClientRow.mobile_last4 == bindparam("last4"), ClientRow.mobile == bindparam("mobile"))
    .order_by(ClientRow.client_id)
)
_IS_CLIENT = select(ClientRow.client_id).where(ClientRow.client_id == bindparam("cid"))
# How many check-ins the session has (the next id) and this client's live one, if any.
_SEATS = select(
    func.count(),
    func.max(
        case(
            (
                and_(CheckInRow.client_id == bindparam("cid"), col(CheckInRow.annulled).is_(False)),
                CheckInRow.checkin_id,
            )
        )
    ),
).where(CheckInRow.session_id == bindparam("sid"))
_EARLIER = (
    select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
        CheckInRow.client_id,
        CheckInRow.by,
        CheckInRow.terminal,
        CheckInRow.at,
        ClientRow.name,
        ClientRow.mobile,
    )
    .outerjoin(ClientRow, col(ClientRow.client_id) == CheckInRow.client_id)
    .where(CheckInRow.checkin_id == bindparam("checkin_id"))
)


def _is_client(uow: UnitOfWork, client_id: str) -> bool:
    return uow.conn.execute(_IS_CLIENT, {"cid": client_id}).first() is not None


def _facts(uow: UnitOfWork, cmd: CheckIn) -> rules.CheckInFacts:
    """The arrival's facts, each read only when a rule can get to it."""
    sid = cmd.session_id
    # Through the row store: the check-in's projection then finds the session row buffered.
    found = uow.rows.get(SessionRow, sid)
    session = (
        None
        if found is None
        else rules.SessionFacts(
            sid, found["status"], found["branch"], found["capacity"], found["attended"]
        )
    )
    if session is None or session.status != rules.OPEN:
        return rules.CheckInFacts(session_id=sid, session=session)
    way = rules.way_of(cmd)
    code, arrival, known = "", None, None
    row: Any  # each way reads its own columns
    if way == "code":
        code = normalise_code(cmd.code or "")
        row = uow.conn.execute(_BY_CODE, {"code": code, "sid": sid}).first()
        if row is not None:
            arrival = rules.Arrival(
                row.client_id, row.name or "", row.invitation_id, row.mobile or ""
            )
    elif way == "client":
        row = uow.conn.execute(
            _BY_CLIENT, {"cid": (cmd.client_id or "").strip(), "sid": sid}
        ).first()
        if row is not None:
            arrival = rules.Arrival(row.client_id, row.name, row.invitation_id, row.mobile or "")
    elif way == "prospect":
        mobile = rules.clean_mobile(cmd.prospect_mobile)
        if rules.is_mobile(mobile):
            row = uow.conn.execute(_BY_MOBILE, {"last4": mobile[-4:], "mobile": mobile}).first()
            if row is not None:
                known = rules.KnownClient(row.client_id, row.name)
    if way is None or (way != "prospect" and arrival is None):
        return rules.CheckInFacts(session_id=sid, session=session, code=code)
    client_id = arrival.client_id if arrival else known.client_id if known else ""
    count, earlier_id = uow.conn.execute(_SEATS, {"sid": sid, "cid": client_id}).one()
    earlier = None
    if earlier_id is not None:
        e = uow.conn.execute(_EARLIER, {"checkin_id": earlier_id}).one()
        earlier = rules.EarlierCheckIn(
            e.client_id, e.by, e.terminal, e.at, e.name or "", e.mobile or ""
        )
    referrer = (cmd.referred_by or "").strip()
    return rules.CheckInFacts(
        session_id=sid,
        session=session,
        code=code,
        arrival=arrival,
        known=known,
        checkins=count,
        earlier=earlier,
        referrer_is_client=bool(referrer) and _is_client(uow, referrer),
    )


def _new_prospect_id(uow: UnitOfWork) -> str:
    """`P` + 10 random digits, not yet a client (nor a client stream)."""
    for _ in range(_PROSPECT_TRIES):
        client_id = f"P{uow.rng.randrange(10**10):010d}"
        if not _is_client(uow, client_id) and uow.stream_version(streams.client(client_id)) == 0:
            return client_id
    raise RuleRefused(
        "could not draw a free prospect number; try again",  # pragma: no cover
        "checkin_no_prospect_id",
    )


def _override(uow: UnitOfWork, cmd: CheckIn) -> str | None:
    """The organizer who lets someone in beyond capacity, their PIN checked as at sign-in.

    None after a wrong PIN: the failure is recorded (it counts towards the lock-out) and the
    bus refuses the command after the commit, so nobody is checked in.
    """
    found = verify_pin(uow, VerifyPin(code=cmd.override_code or "", pin=cmd.override_pin or ""))
    if not found:
        return None
    return rules.override_by(found["code"], found["role"])


def check_in(uow: UnitOfWork, cmd: CheckIn) -> dict[str, Any]:
    """Check a client in by code, client id, or as a new prospect (name and mobile).

    Anyone takes a free seat; beyond capacity, invitee or walk-in, only with an organizer's
    override. `referred_by` (the client who brought this one) earns the referrer a reward
    once the check-in is committed (`service/policies.py`).
    """
    uow.actor.require("checkin.record", "check clients in")
    uow.stream_version(streams.session(cmd.session_id))
    admission = rules.admit(_facts(uow, cmd), cmd)
    override = None
    if admission.needs_override:
        override = _override(uow, cmd)
        if override is None:
            return {}
    prospect_id = _new_prospect_id(uow) if admission.prospect is not None else None
    terminal = uow.meta.get("terminal") or ""
    events = rules.decide_check_in(
        admission, override=override, prospect_id=prospect_id, terminal=terminal
    )
    uow.record(*events)
    checked_in = events[-1]
    assert isinstance(checked_in, ClientCheckedIn)
    return {
        "checkin_id": checked_in.checkin_id,
        "session_id": cmd.session_id,
        "client_id": checked_in.client_id,
        "name": admission.name,
        "invitation_id": checked_in.invitation_id,
        "walk_in": checked_in.walk_in,
        "prospect": admission.prospect is not None,
        "method": checked_in.method,
        "referred_by": checked_in.referred_by,
        "override_by": checked_in.override_by,
        "by": uow.actor.code,
        "terminal": terminal,
        "at": local_iso(uow.clock(), "seconds"),
    }


def annul_check_in(uow: UnitOfWork, cmd: AnnulCheckIn) -> dict[str, Any]:
    """Annul a check-in made in error: the row stays with the reason and the seat is freed.

    A referral reward the check-in earned is not taken back (the referrer did bring someone);
    reverse it by hand if it was a mistake.
    """
    uow.actor.require("checkin.record", "annul a check-in")
    event = rules.decide_annul(_annul_facts(uow, cmd.checkin_id), cmd)
    uow.record(event)
    return {
        "checkin_id": cmd.checkin_id,
        "session_id": event.session_id,
        "client_id": event.client_id,
        "annulled": True,
        "reason": event.reason,
    }


def _annul_facts(uow: UnitOfWork, checkin_id: str) -> rules.AnnulFacts:
    row = uow.rows.get(CheckInRow, checkin_id)
    if row is None:
        return rules.AnnulFacts(checkin_id, None)
    uow.stream_version(streams.session(row["session_id"]))
    # Read again after the version: an annulment committed since the first read either shows
    # here or makes the append conflict (and the retry sees it).
    annulled, reason = uow.conn.execute(
        select(CheckInRow.annulled, CheckInRow.annul_reason).where(
            CheckInRow.checkin_id == checkin_id
        )
    ).one()
    return rules.AnnulFacts(checkin_id, row["session_id"], row["client_id"], annulled, reason)


HANDLERS: Handlers = {CheckIn: check_in, AnnulCheckIn: annul_check_in}
