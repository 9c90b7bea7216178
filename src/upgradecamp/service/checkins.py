"""Handlers of the check-in commands: sign a client in at the door, annul one made in error.

Check-ins go on the session's stream, so two desks checking in at once are serialised by the
stream version: different clients retry and both succeed, the same client or the last free
seat is decided once and the other desk is told why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from upgradecamp.domain.commands.checkins import AnnulCheckIn, CheckIn
from upgradecamp.domain.errors import BadInput, NotFound, RuleRefused
from upgradecamp.domain.events.checkins import CheckInAnnulled, ClientCheckedIn
from upgradecamp.domain.rules import shanghai
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.tables import ClientRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow


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
                "closed": "it is closed; a late arrival is recorded as a follow-up",
                "cancelled": "it was cancelled"}.get(session["status"], "")
        raise RuleRefused(f"session {session_id} is {session['status']}, not open for "
                          f"check-in; {hint}", "session_not_open", session=session_id,
                          status=session["status"])
    return session


def check_in(uow: UnitOfWork, cmd: CheckIn) -> dict[str, Any]:
    uow.actor.require("checkin.record", "check clients in")
    stream = f"session-{cmd.session_id}"
    version = uow.stream_version(stream)
    session = _open_session(uow, cmd.session_id)
    if bool(cmd.code) == bool(cmd.client_id):
        raise BadInput("give either a check-in code or a client id", "checkin_needs_one")
    invitation = None
    if cmd.code:
        code = cmd.code.strip().upper()
        invitation = uow.conn.execute(
            select(InvitationRow).where(InvitationRow.code == code,
                                        InvitationRow.session_id == cmd.session_id)).first()
        if invitation is None:
            raise NotFound(f"no invitation with code {code} for this session; check the code, "
                           "or search the client by name or mobile", "checkin_code_unknown",
                           checkin_code=code)
        client_id = invitation.client_id
    else:
        client_id = cmd.client_id
        if uow.rows.get(ClientRow, client_id) is None:
            raise NotFound(f"no client '{client_id}'; search by name or mobile instead",
                           "client_not_found", client=client_id)
        invitation = uow.conn.execute(
            select(InvitationRow).where(InvitationRow.client_id == client_id,
                                        InvitationRow.session_id == cmd.session_id)).first()
    earlier = uow.conn.execute(
        select(CheckInRow).where(CheckInRow.session_id == cmd.session_id,
                                 CheckInRow.client_id == client_id,
                                 CheckInRow.annulled.is_(False))).first()
    if earlier is not None:
        at = _local_time(earlier.at)
        raise RuleRefused(f"{client_id} is already checked in: by {earlier.by} at terminal "
                          f"{earlier.terminal} at {at}; nothing to do",
                          "already_checked_in", client=client_id, by=earlier.by,
                          terminal=earlier.terminal, at=at)
    walk_in = invitation is None
    if walk_in and session["attended"] >= session["capacity"]:
        raise RuleRefused(f"session {cmd.session_id} is full ({session['capacity']} seats "
                          "taken); a walk-in needs a free seat", "session_full",
                          session=cmd.session_id, capacity=session["capacity"])
    count = uow.conn.execute(select(func.count()).select_from(CheckInRow)
                             .where(CheckInRow.session_id == cmd.session_id)).scalar_one()
    checkin_id = f"{cmd.session_id}-C{count + 1:03d}"
    terminal = uow.meta.get("terminal") or ""
    uow.record(version, ClientCheckedIn(
        checkin_id=checkin_id, session_id=cmd.session_id, client_id=client_id,
        invitation_id=invitation.invitation_id if invitation else None, walk_in=walk_in,
        method="code" if cmd.code else "search", terminal=terminal,
        referred_by=cmd.referred_by))
    return {"checkin_id": checkin_id, "session_id": cmd.session_id, "client_id": client_id,
            "invitation_id": invitation.invitation_id if invitation else None,
            "walk_in": walk_in}


def annul_check_in(uow: UnitOfWork, cmd: AnnulCheckIn) -> dict[str, Any]:
    uow.actor.require("checkin.record", "annul a check-in")
    row = uow.rows.get(CheckInRow, cmd.checkin_id)
    if row is None:
        raise NotFound(f"no check-in '{cmd.checkin_id}'", "checkin_not_found",
                       checkin=cmd.checkin_id)
    if not cmd.reason.strip():
        raise BadInput("say why the check-in is annulled (--reason)", "reason_required")
    if row["annulled"]:
        raise RuleRefused(f"check-in {cmd.checkin_id} was already annulled: "
                          f"{row['annul_reason']}", "checkin_already_annulled",
                          checkin=cmd.checkin_id)
    stream = f"session-{row['session_id']}"
    uow.record(uow.stream_version(stream), CheckInAnnulled(
        checkin_id=cmd.checkin_id, session_id=row["session_id"], client_id=row["client_id"],
        reason=cmd.reason.strip()))
    return {"checkin_id": cmd.checkin_id, "annulled": True}


HANDLERS = {CheckIn: check_in, AnnulCheckIn: annul_check_in}
