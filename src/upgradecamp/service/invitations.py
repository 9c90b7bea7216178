"""Handlers of the invitations commands: build an invite list, record a wave's outcome (see
`domain/commands/invitations.py`; the wave files are service/exports.py).

Every build appends to the cluster-wide "invite-register" stream at the version it read, so two
organizers building at once are serialised: the second is retried and sees the first's
invitations, and nobody is invited twice or handed a code already in use.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from upgradecamp.domain.clock import business_date
from upgradecamp.domain.commands.invitations import (
    BuildInviteList,
    RecordInvitationOutcome,
)
from upgradecamp.domain.errors import NotFound, RuleRefused
from upgradecamp.domain.events import streams
from upgradecamp.domain.events.clients import ClientConsentWithdrawn, ClientMarkedUnreachable
from upgradecamp.domain.events.invitations import (
    InvitationIssued,
    InvitationOutcomeRecorded,
    InviteListBuilt,
)
from upgradecamp.domain.invitations import (
    ADVANCE_DAYS,
    RECENT_DAYS,
    Candidate,
    Exclusions,
    check_mix,
    check_outcome,
    check_per_seat,
    check_range,
    decimal_amount,
    invite_target,
    looks_like_code,
    mix_span,
    new_code,
    normalise_code,
    outcome_changes,
    select_invitees,
)
from upgradecamp.domain.waitlist import confirmation_waits
from upgradecamp.io.masking import mask_mobile
from upgradecamp.queries.waitlist import seats
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.tables import ClientRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

UPCOMING = ("planned", "open")
# An invitation the client turned down does not keep them from another session's list.
_RELEASED = ("declined", "opted_out")
EXAMPLES_PER_REASON = 50


def _session(uow: UnitOfWork, session_id: str) -> dict[str, Any]:
    session = uow.rows.get(SessionRow, session_id)
    if session is None:
        raise NotFound(
            f"no session '{session_id}'; pick one from `upgradecamp sessions list`",
            "invite_unknown_session",
            session=session_id,
        )
    return session


def _cents_at_least(amount: Decimal) -> int:
    return math.ceil(amount * 100)


# --- building an invite list --------------------------------------------------------------


def build_invite_list(uow: UnitOfWork, cmd: BuildInviteList) -> dict[str, Any]:
    uow.actor.require("invites.manage", "build invite lists")
    aum_min = decimal_amount(cmd.aum_min, "--aum-min")
    aum_max = decimal_amount(cmd.aum_max, "--aum-max")
    per_seat = decimal_amount(cmd.per_seat, "--per-seat")
    check_range(aum_min, aum_max)
    check_per_seat(per_seat)
    mix = check_mix(cmd.mix)
    if mix is not None:  # each segment is drawn from its own clients: the segments decide
        aum_min, aum_max = mix_span(mix)
    uow.stream_version(streams.INVITE_REGISTER)
    session = _session(uow, cmd.session_id)
    now = uow.clock()
    starts = session["starts_at"]
    if session["status"] not in UPCOMING:
        raise RuleRefused(
            f"session {cmd.session_id} is {session['status']}; invite lists are "
            "built only for planned sessions",
            "invite_session_not_upcoming",
            session=cmd.session_id,
            status=session["status"],
        )
    if starts <= now:
        raise RuleRefused(
            f"session {cmd.session_id} has already started; build lists for sessions in the future",
            "invite_session_started",
            session=cmd.session_id,
        )

    existing = uow.conn.execute(
        select(InvitationRow.invitation_id, InvitationRow.client_id).where(
            InvitationRow.session_id == cmd.session_id
        )
    ).all()
    already = len(existing)
    target = invite_target(session["capacity"], per_seat, already)
    full = (
        f"session {cmd.session_id} already has {already} invitations for "
        f"{session['capacity']} seats at {per_seat} per seat"
    )
    if target == 0 and not cmd.dry_run:
        raise RuleRefused(
            f"{full}; raise --per-seat to invite more",
            "invite_list_full",
            session=cmd.session_id,
            invited=already,
        )

    candidates, names = _candidates(uow, aum_min, aum_max, mix)
    facts = Exclusions(
        invited_elsewhere=_invited_elsewhere(uow, cmd.session_id, now),
        attended_recently=_attended_recently(uow, now),
        already_invited=frozenset(r.client_id for r in existing),
    )
    selection = select_invitees(
        candidates, facts, target=target, home_branch=session["branch"], mix=mix
    )

    if target == 0:
        selection.notes.insert(0, f"{full}: the list is full")
    warnings = []
    days = (business_date(starts) - business_date(now)).days
    if days < ADVANCE_DAYS:
        warnings.append(
            f"session in {days} days: invitations go out at least {ADVANCE_DAYS} days ahead"
        )
    excluded = selection.excluded_counts()
    if not selection.chosen and not cmd.dry_run:
        shown = ", ".join(f"{k} {v}" for k, v in excluded.items()) or "none"
        raise RuleRefused(
            f"nobody qualifies for session {cmd.session_id}: {len(candidates)} "
            f"client(s) in range ({aum_min:.2f}–{aum_max:.2f}), excluded: {shown}; "
            "widen the range or use --dry-run to see who is left out and why",
            "invite_nobody_qualifies",
            session=cmd.session_id,
            candidates=len(candidates),
        )

    next_n = max((int(r.invitation_id.rsplit("-", 1)[1]) for r in existing), default=0) + 1
    taken = None if cmd.dry_run else _codes_in_use(uow)
    invitations = []
    issued_events = []
    for n, chosen in enumerate(selection.chosen, next_n):
        invitation_id = f"{cmd.session_id}-{n:03d}"
        code = None
        if taken is not None:
            code = new_code(uow.rng, taken)
            taken.add(code)
            issued_events.append(
                InvitationIssued(
                    invitation_id=invitation_id,
                    session_id=cmd.session_id,
                    client_id=chosen.client_id,
                    code=code,
                    segment=chosen.segment,
                    aum=chosen.aum,
                )
            )
        invitations.append(
            {
                "invitation_id": invitation_id,
                "client_id": chosen.client_id,
                "code": code,
                "segment": chosen.segment,
                "aum": f"{chosen.aum:.2f}",
            }
        )
    if not cmd.dry_run:
        uow.record(
            InviteListBuilt(
                session_id=cmd.session_id,
                aum_min=aum_min,
                aum_max=aum_max,
                per_seat=per_seat,
                mix=mix,
                target=target,
                issued=len(invitations),
                excluded=excluded,
            )
        )
        for event in issued_events:
            uow.record(event)

    result: dict[str, Any] = {
        "session_id": cmd.session_id,
        "dry_run": cmd.dry_run,
        "criteria": {
            "aum_min": f"{aum_min:.2f}",
            "aum_max": f"{aum_max:.2f}",
            "per_seat": str(per_seat),
            "mix": mix,
        },
        "target": target,
        "already_invited": already,
        "issued": len(invitations),
        "candidates": len(candidates),
        "eligible": selection.eligible,
        "by_segment": selection.by_segment(),
        "invitations": invitations,
        "excluded": excluded,
        "notes": selection.notes,
        "warnings": warnings,
        "days_ahead": days,
    }
    if cmd.dry_run:
        result["excluded_clients"] = [
            {
                "reason": reason,
                "client_id": c.client_id,
                "name": names[c.client_id][0],
                "mobile": mask_mobile(names[c.client_id][1]),
                "branch": c.branch,
                "aum": f"{c.aum:.2f}",
            }
            for reason, group in selection.excluded.items()
            for c in group[:EXAMPLES_PER_REASON]
        ]
    return result


def _candidates(
    uow: UnitOfWork, aum_min: Decimal, aum_max: Decimal, mix: dict[str, int] | None
) -> tuple[list[Candidate], dict[str, tuple[str, str]]]:
    """Clients of any branch with aum_min ≤ AUM < aum_max, or in the mix's segments."""
    stmt = select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
        ClientRow.client_id,
        ClientRow.name,
        ClientRow.mobile,
        ClientRow.branch,
        ClientRow.aum_cents,
        ClientRow.segment,
        ClientRow.marketing_consent,
        ClientRow.contact_status,
    )
    if mix is None:
        stmt = stmt.where(
            ClientRow.aum_cents >= _cents_at_least(aum_min),
            ClientRow.aum_cents < _cents_at_least(aum_max),
        )
    else:
        stmt = stmt.where(col(ClientRow.segment).in_(list(mix)))
    candidates, names = [], {}
    # Fetched at once and unpacked as tuples: thousands of rows a list, and fetching them one
    # by one and a Row's attribute lookups cost more than the list itself.
    rows = uow.conn.execute(stmt).all()
    for client_id, name, mobile, branch, cents, segment, consent, status in rows:
        candidates.append(
            Candidate(
                client_id=client_id,
                branch=branch,
                aum=Decimal(cents) / 100,
                segment=segment,
                consent=bool(consent),
                unreachable=status == "unreachable",
            )
        )
        names[client_id] = (name, mobile)
    return candidates, names


def _upcoming_sessions(uow: UnitOfWork, now: datetime) -> list[str]:
    rows = uow.conn.execute(
        select(SessionRow.session_id, SessionRow.starts_at).where(
            col(SessionRow.status).in_(UPCOMING)
        )
    )
    return [r.session_id for r in rows if r.starts_at > now]


def _invited_elsewhere(uow: UnitOfWork, session_id: str, now: datetime) -> frozenset[str]:
    others = [s for s in _upcoming_sessions(uow, now) if s != session_id]
    clients: set[str] = set()
    for start in range(0, len(others), 500):
        chunk = others[start : start + 500]
        clients.update(
            uow.conn.execute(
                select(InvitationRow.client_id).where(
                    col(InvitationRow.session_id).in_(chunk),
                    col(InvitationRow.state).not_in(_RELEASED),
                )
            ).scalars()
        )
    return frozenset(clients)


def _attended_recently(uow: UnitOfWork, now: datetime) -> frozenset[str]:
    since = now - timedelta(days=RECENT_DAYS)
    rows = uow.conn.execute(
        select(CheckInRow.client_id, CheckInRow.at).where(
            col(CheckInRow.annulled).is_(False), CheckInRow.at >= since
        )
    )
    return frozenset(r.client_id for r in rows if r.at <= now)


def _codes_in_use(uow: UnitOfWork) -> set[str]:
    return set(
        uow.conn.execute(
            select(InvitationRow.code)
            .join(SessionRow, col(SessionRow.session_id) == InvitationRow.session_id)
            .where(col(SessionRow.status).in_(UPCOMING))
        ).scalars()
    )


# --- outcomes of the waves ----------------------------------------------------------------


def find_invitation_row(uow: UnitOfWork, id_or_code: str) -> dict[str, Any]:
    """An invitation by its id, or by its check-in code among planned and open sessions."""
    text = id_or_code.strip()
    row = uow.rows.get(InvitationRow, text)
    if row is not None:
        return row
    if looks_like_code(text):
        found = (
            uow.conn.execute(
                select(InvitationRow.invitation_id)
                .join(SessionRow, col(SessionRow.session_id) == InvitationRow.session_id)
                .where(
                    InvitationRow.code == normalise_code(text), col(SessionRow.status).in_(UPCOMING)
                )
            )
            .scalars()
            .all()
        )
        if len(found) == 1 and (row := uow.rows.get(InvitationRow, found[0])) is not None:
            return row
    raise NotFound(
        f"no invitation '{text}'; give an invitation id (e.g. S-…-001) or the "
        "check-in code of a planned or open session",
        "invite_unknown_invitation",
        invitation=text,
    )


def record_invitation_outcome(uow: UnitOfWork, cmd: RecordInvitationOutcome) -> dict[str, Any]:
    if not uow.actor.may("followups.work"):
        uow.actor.require("invites.manage", "record invitation outcomes")
    invitation = find_invitation_row(uow, cmd.invitation)
    invitation_id = invitation["invitation_id"]
    uow.stream_version(streams.invitation(invitation_id))
    session = _session(uow, invitation["session_id"])
    check_outcome(cmd.channel, cmd.result, session["status"])
    waits = False
    if (
        cmd.result == "confirmed"
        and invitation["state"] != "confirmed"
        and session["status"] in UPCOMING
    ):
        # A confirmation beyond capacity waits for a seat (the door enforces the head count
        # whatever the list says, so two confirmations of the last seat at once cannot fill
        # the room beyond capacity).
        waits = confirmation_waits(
            seats(uow.conn, invitation["session_id"], session["capacity"], without=invitation_id),
            invitation_id,
        )
    uow.record(
        InvitationOutcomeRecorded(
            invitation_id=invitation_id,
            session_id=invitation["session_id"],
            client_id=invitation["client_id"],
            channel=cmd.channel,
            result=cmd.result,
            note=cmd.note.strip(),
            waitlisted=waits,
        )
    )
    client_id = invitation["client_id"]
    client = uow.rows.get(ClientRow, client_id) or {}
    marked_unreachable = consent_withdrawn = False
    if cmd.result == "wrong_number" and client.get("contact_status") != "unreachable":
        uow.stream_version(streams.client(client_id))
        uow.record(
            ClientMarkedUnreachable(
                client_id=client_id,
                reason=f"wrong number ({cmd.channel})",
                invitation_id=invitation_id,
            )
        )
        marked_unreachable = True
    if cmd.result == "opted_out" and not client.get("consent_withdrawn"):
        uow.stream_version(streams.client(client_id))
        uow.record(
            ClientConsentWithdrawn(
                client_id=client_id, channel=cmd.channel, invitation_id=invitation_id
            )
        )
        consent_withdrawn = True
    changes = outcome_changes(invitation, cmd.channel, cmd.result, waits)
    return {
        "invitation_id": invitation_id,
        "session_id": invitation["session_id"],
        "client_id": client_id,
        "channel": cmd.channel,
        "result": cmd.result,
        "state": changes["state"],
        "waitlisted": waits,
        "wechat_added": changes.get("wechat_added", invitation["wechat_added"]),
        "client_marked_unreachable": marked_unreachable,
        "consent_withdrawn": consent_withdrawn,
    }


HANDLERS: Handlers = {
    BuildInviteList: build_invite_list,
    RecordInvitationOutcome: record_invitation_outcome,
}
