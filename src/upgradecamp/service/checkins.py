"""Handlers of the check-in commands (签到): sign a client in at the door, annul one made in error.

Check-ins go on the session's stream, so two desks checking in at once are serialised by the
stream version: different clients retry and both succeed, the same client or the last free
seat is decided once and the other desk is told why (who checked the client in, where and
when; or that the room is full).

Seats: an invitee is always admitted, even when the room is full — they were invited, and
turning them away at the door costs more than a chair. A walk-in (厅堂客户: a client without
an invitation to this session, or a prospect added on the spot) takes a free seat; beyond
capacity only with an organizer's (or admin's) override, their code and PIN, recorded on the
check-in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, select

from upgradecamp.domain.commands import VerifyPin
from upgradecamp.domain.commands.checkins import AnnulCheckIn, CheckIn
from upgradecamp.domain.errors import BadInput, NotFound, RuleRefused
from upgradecamp.domain.events.checkins import CheckInAnnulled, ClientCheckedIn
from upgradecamp.domain.events.forms import ProspectRegistered
from upgradecamp.domain.invitations import normalise_code
from upgradecamp.domain.names import compact
from upgradecamp.domain.rules import shanghai
from upgradecamp.io.masking import mask_mobile
from upgradecamp.service.handlers import verify_pin
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.tables import ClientRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

OVERRIDE_ROLES = ("organizer", "admin")
_MOBILE_DIGITS = 11
_PROSPECT_TRIES = 20


def _local_time(value: datetime | str) -> str:
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:  # SQLite hands back naive UTC
        when = when.replace(tzinfo=UTC)
    return when.astimezone(shanghai()).strftime("%H:%M")


def _open_session(uow: UnitOfWork, session_id: str) -> dict[str, Any]:
    session = uow.rows.get(SessionRow, session_id)
    if session is None:
        raise NotFound(f"no session '{session_id}'; pick one from `upgradecamp sessions list`",
                       "session_not_found", session=session_id)
    if session["status"] != "open":
        hint = {"planned": "open it first (`upgradecamp sessions open`, or the check-in desk)",
                "closed": "it is closed and takes no more arrivals",
                "cancelled": "it was cancelled"}.get(session["status"], "")
        raise RuleRefused(f"session {session_id} is {session['status']}, not open for "
                          f"check-in; {hint}", "session_not_open", session=session_id,
                          status=session["status"])
    return session


def _one_way(cmd: CheckIn) -> str:
    """Which way the client is named: "code", "client" or "prospect" (exactly one)."""
    prospect = bool(cmd.prospect_name or cmd.prospect_mobile)
    ways = [w for w, given in (("code", bool(cmd.code)), ("client", bool(cmd.client_id)),
                                ("prospect", prospect)) if given]
    if len(ways) != 1:
        raise BadInput("give one of: a check-in code, a client id, or a walk-in's name and "
                       "mobile", "checkin_needs_one")
    return ways[0]


# Built once: a check-in runs these on every scan at the door.
_BY_CODE = (select(InvitationRow.client_id, InvitationRow.invitation_id, ClientRow.name)
            .outerjoin(ClientRow, ClientRow.client_id == InvitationRow.client_id)
            .where(InvitationRow.code == bindparam("code"),
                   InvitationRow.session_id == bindparam("sid")))
_BY_CLIENT = (select(ClientRow.client_id, ClientRow.name, InvitationRow.invitation_id)
              .outerjoin(InvitationRow, and_(InvitationRow.client_id == ClientRow.client_id,
                                             InvitationRow.session_id == bindparam("sid")))
              .where(ClientRow.client_id == bindparam("cid")))
_IS_CLIENT = select(ClientRow.client_id).where(ClientRow.client_id == bindparam("cid"))
# How many check-ins the session has (the next id) and this client's live one, if any.
_SEATS = (select(func.count(),
                 func.max(case((and_(CheckInRow.client_id == bindparam("cid"),
                                     CheckInRow.annulled.is_(False)), CheckInRow.checkin_id))))
          .where(CheckInRow.session_id == bindparam("sid")))


def _by_code(uow: UnitOfWork, session_id: str, text: str) -> tuple[str, str, str | None]:
    """(client id, name, invitation id) of the invitation with this code for this session."""
    code = normalise_code(text)
    found = uow.conn.execute(_BY_CODE, {"code": code, "sid": session_id}).first()
    if found is None:
        raise NotFound(f"no invitation with code {code} for this session; check the code, "
                       "or search the client by name or mobile", "checkin_code_unknown",
                       checkin_code=code)
    return found.client_id, found.name or "", found.invitation_id


def _by_client(uow: UnitOfWork, session_id: str, client_id: str) -> tuple[str, str, str | None]:
    """(client id, name, invitation id to this session or None: a walk-in)."""
    client_id = client_id.strip()
    found = uow.conn.execute(_BY_CLIENT, {"cid": client_id, "sid": session_id}).first()
    if found is None:
        raise NotFound(f"no client '{client_id}'; search by name or mobile instead",
                       "client_not_found", client=client_id)
    return found.client_id, found.name, found.invitation_id


def _is_client(uow: UnitOfWork, client_id: str) -> bool:
    return uow.conn.execute(_IS_CLIENT, {"cid": client_id}).first() is not None


def _seats(uow: UnitOfWork, session_id: str, client_id: str) -> int:
    """The session's number of check-ins so far; refused if this client is already in."""
    count, earlier = uow.conn.execute(_SEATS, {"sid": session_id, "cid": client_id}).one()
    if earlier is not None:
        _refuse_second(uow, earlier)
    return count


def _refuse_second(uow: UnitOfWork, checkin_id: str) -> None:
    earlier = uow.conn.execute(select(CheckInRow)
                               .where(CheckInRow.checkin_id == checkin_id)).one()
    at = _local_time(earlier.at)
    raise RuleRefused(f"{earlier.client_id} is already checked in: by {earlier.by} at terminal "
                      f"{earlier.terminal} at {at}; nothing to do",
                      "already_checked_in", client=earlier.client_id, by=earlier.by,
                      terminal=earlier.terminal, at=at)


def _prospect(uow: UnitOfWork, session_id: str, cmd: CheckIn) -> tuple[str, str]:
    """A walk-in's name and mobile checked; refused when the mobile is a known client's."""
    name = " ".join((cmd.prospect_name or "").split())
    mobile = compact(cmd.prospect_mobile or "").replace("-", "")
    if not name:
        raise BadInput("a walk-in needs a name as well as a mobile", "checkin_prospect_name")
    if len(mobile) != _MOBILE_DIGITS or not mobile.isdigit() or not mobile.startswith("1"):
        raise BadInput(f"'{cmd.prospect_mobile}' is not a mobile number: 11 digits starting "
                       "with 1", "checkin_bad_mobile", mobile=cmd.prospect_mobile or "")
    known = uow.conn.execute(
        select(ClientRow.client_id, ClientRow.name)
        .where(ClientRow.mobile_last4 == mobile[-4:], ClientRow.mobile == mobile)
        .order_by(ClientRow.client_id)).first()
    if known is not None:
        _seats(uow, session_id, known.client_id)
        masked = mask_mobile(mobile)
        raise RuleRefused(f"{masked} belongs to client {known.client_id} ({known.name}); "
                          "check that client in instead of adding a new one",
                          "checkin_known_mobile", client=known.client_id, name=known.name,
                          mobile=masked)
    return name, mobile


def _new_prospect_id(uow: UnitOfWork) -> str:
    """`P` + 10 random digits, not yet a client (nor a client stream)."""
    for _ in range(_PROSPECT_TRIES):
        client_id = f"P{uow.rng.randrange(10**10):010d}"
        if not _is_client(uow, client_id) and uow.stream_version(f"client-{client_id}") == 0:
            return client_id
    raise RuleRefused("could not draw a free prospect number; try again",  # pragma: no cover
                      "checkin_no_prospect_id")


def _referrer(uow: UnitOfWork, referred_by: str | None, client_id: str) -> str | None:
    if not referred_by or not referred_by.strip():
        return None
    referrer = referred_by.strip()
    if not _is_client(uow, referrer):
        raise NotFound(f"no client '{referrer}' to record as the referrer; search them by "
                       "name or mobile for their client id", "checkin_referrer_unknown",
                       client=referrer)
    if referrer == client_id:
        raise BadInput(f"{client_id} cannot have referred themselves; leave the referrer "
                       "empty or name the client who brought them", "checkin_referrer_self",
                       client=client_id)
    return referrer


def _override(uow: UnitOfWork, cmd: CheckIn, session: dict[str, Any]) -> str | None:
    """The organizer who lets a walk-in in beyond capacity, their PIN checked as at sign-in.

    None after a wrong PIN: the failure is recorded (it counts towards the lock-out) and the
    bus refuses the command after the commit, so nobody is checked in.
    """
    if not cmd.override_code:
        raise RuleRefused(f"session {session['session_id']} is full ({session['capacity']} "
                          "seats taken); a walk-in needs a free seat, or an organizer's "
                          "override with their code and PIN", "session_full",
                          session=session["session_id"], capacity=session["capacity"])
    if not cmd.override_pin:
        raise BadInput(f"the override needs {cmd.override_code}'s PIN as well as their code",
                       "checkin_override_needs_pin", staff=cmd.override_code)
    found = verify_pin(uow, VerifyPin(code=cmd.override_code, pin=cmd.override_pin))
    if not found:
        return None
    if found["role"] not in OVERRIDE_ROLES:
        raise RuleRefused(f"{found['code']} is {found['role']}; only an organizer or an admin "
                          "may seat a walk-in beyond capacity", "checkin_override_not_organizer",
                          staff=found["code"], role=found["role"])
    return found["code"]


def check_in(uow: UnitOfWork, cmd: CheckIn) -> dict[str, Any]:
    """Check a client in by code, client id, or as a new prospect (name and mobile).

    An invitee is admitted whatever the head count; a walk-in only into a free seat, or with
    an override. `referred_by` (the client who brought this one) earns the referrer a reward
    once the check-in is committed (`service/policies.py`).
    """
    uow.actor.require("checkin.record", "check clients in")
    stream = f"session-{cmd.session_id}"
    version = uow.stream_version(stream)
    session = _open_session(uow, cmd.session_id)
    way = _one_way(cmd)
    prospect: tuple[str, str] | None = None
    if way == "code":
        client_id, name, invitation_id = _by_code(uow, cmd.session_id, cmd.code or "")
    elif way == "client":
        client_id, name, invitation_id = _by_client(uow, cmd.session_id, cmd.client_id or "")
    else:
        prospect = _prospect(uow, cmd.session_id, cmd)
        client_id, name, invitation_id = "", prospect[0], None
    count = _seats(uow, cmd.session_id, client_id)
    referrer = _referrer(uow, cmd.referred_by, client_id)
    walk_in = invitation_id is None
    override_by = None
    if walk_in and session["attended"] >= session["capacity"]:
        override_by = _override(uow, cmd, session)
        if override_by is None:
            return {}
    if prospect is not None:
        client_id = _new_prospect_id(uow)
        uow.record(0, ProspectRegistered(client_id=client_id, name=prospect[0],
                                         mobile=prospect[1], branch=session["branch"],
                                         session_id=cmd.session_id))
    checkin_id = f"{cmd.session_id}-C{count + 1:03d}"
    terminal = uow.meta.get("terminal") or ""
    method = {"code": "code", "client": "search", "prospect": "walk_in"}[way]
    uow.record(version, ClientCheckedIn(
        checkin_id=checkin_id, session_id=cmd.session_id, client_id=client_id,
        invitation_id=invitation_id, walk_in=walk_in, method=method, terminal=terminal,
        referred_by=referrer, override_by=override_by))
    return {"checkin_id": checkin_id, "session_id": cmd.session_id, "client_id": client_id,
            "name": name, "invitation_id": invitation_id, "walk_in": walk_in,
            "prospect": prospect is not None, "method": method, "referred_by": referrer,
            "override_by": override_by, "by": uow.actor.code, "terminal": terminal,
            "at": uow.clock().astimezone(shanghai()).isoformat(timespec="seconds")}


def annul_check_in(uow: UnitOfWork, cmd: AnnulCheckIn) -> dict[str, Any]:
    """Annul a check-in made in error: the row stays with the reason and the seat is freed.

    A referral reward the check-in earned is not taken back (the referrer did bring someone);
    reverse it by hand if it was a mistake.
    """
    uow.actor.require("checkin.record", "annul a check-in")
    row = uow.rows.get(CheckInRow, cmd.checkin_id)
    if row is None:
        raise NotFound(f"no check-in '{cmd.checkin_id}'; the desk's recent check-ins show "
                       "their ids", "checkin_not_found", checkin=cmd.checkin_id)
    if not cmd.reason.strip():
        raise BadInput("say why the check-in is annulled (--reason)", "reason_required")
    version = uow.stream_version(f"session-{row['session_id']}")
    # Read again after the version: an annulment committed since the first read either shows
    # here or makes the append conflict (and the retry sees it).
    annulled, reason = uow.conn.execute(
        select(CheckInRow.annulled, CheckInRow.annul_reason)
        .where(CheckInRow.checkin_id == cmd.checkin_id)).one()
    if annulled:
        raise RuleRefused(f"check-in {cmd.checkin_id} was already annulled: {reason}",
                          "checkin_already_annulled", checkin=cmd.checkin_id, reason=reason)
    uow.record(version, CheckInAnnulled(
        checkin_id=cmd.checkin_id, session_id=row["session_id"], client_id=row["client_id"],
        reason=cmd.reason.strip()))
    return {"checkin_id": cmd.checkin_id, "session_id": row["session_id"],
            "client_id": row["client_id"], "annulled": True, "reason": cmd.reason.strip()}


HANDLERS = {CheckIn: check_in, AnnulCheckIn: annul_check_in}
