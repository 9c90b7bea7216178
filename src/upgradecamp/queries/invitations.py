"""Read-side queries of invitations for the call-list screen, the CLI and the wave exports.

`call_list`, `invitation_counts` and `find_invitation` are what screens use: mobiles masked,
money as "120000.00" strings. `wave_rows` returns real mobile numbers for the SMS file and the
dialling list only: the wave export's handler checks `invites.manage` first and records it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict

from sqlalchemy import Engine, func
from sqlmodel import col, select

from upgradecamp.domain.invitations import looks_like_code, normalise_code
from upgradecamp.io.masking import mask_mobile
from upgradecamp.store.db import Source, read_transaction, reading
from upgradecamp.store.tables import BranchRow, ClientRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import SessionRow

STATES = (
    "invited",
    "sent",
    "confirmed",
    "waitlisted",
    "declined",
    "no_answer",
    "call_back",
    "wrong_number",
    "opted_out",
)
_UPCOMING = ("planned", "open")


class InvitationView(TypedDict):
    """One invitation as the call list and the CLI show it (mobile masked, AUM as text)."""

    invitation_id: str
    session_id: str
    code: str
    client_id: str
    name: str
    mobile_masked: str
    segment: str
    aum: str
    state: str
    calls: int
    last_result: str | None
    last_note: str | None
    sms_sent: bool
    wechat_added: bool
    to_tell: bool


class CallRow(InvitationView):
    """A call-list row: the invitation and, on the waiting list, its place and a free seat."""

    waitlist_place: int | None
    offer_seat: bool


class WaveInvitee(InvitationView):
    """An invitee for the wave files: the real mobile, consent and reachability."""

    mobile: str
    marketing_consent: bool
    contact_status: str


class WaveSession(TypedDict):
    session_id: str
    status: str
    starts_at: datetime
    branch: str
    branch_name: str
    venue: str
    theme: str


class WaveRows(TypedDict):
    session: WaveSession
    invitees: list[WaveInvitee]


def _money(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def _columns():
    return (
        InvitationRow.invitation_id,
        InvitationRow.session_id,
        InvitationRow.code,
        InvitationRow.client_id,
        ClientRow.name,
        ClientRow.mobile,
        InvitationRow.segment,
        InvitationRow.aum_cents,
        InvitationRow.state,
        InvitationRow.calls,
        InvitationRow.last_result,
        InvitationRow.last_note,
        InvitationRow.sms_sent,
        InvitationRow.wechat_added,
        InvitationRow.to_tell,
    )


def _row(r: Any) -> InvitationView:
    return InvitationView(
        invitation_id=r.invitation_id,
        session_id=r.session_id,
        code=r.code,
        client_id=r.client_id,
        name=r.name,
        mobile_masked=mask_mobile(r.mobile),
        segment=r.segment,
        aum=_money(r.aum_cents),
        state=r.state,
        calls=r.calls,
        last_result=r.last_result,
        last_note=r.last_note,
        sms_sent=bool(r.sms_sent),
        wechat_added=bool(r.wechat_added),
        to_tell=bool(r.to_tell),
    )


def call_list(engine: Engine, session_id: str) -> list[CallRow]:
    """A session's invitations in list order, mobiles masked.

    Each row: invitation_id, session_id, code, client_id, name, mobile_masked, segment, aum
    ("120000.00", AUM when invited), state, calls, last_result, last_note, sms_sent,
    wechat_added, to_tell, and for those on the waiting list their place on it
    (`waitlist_place`, else None) and `offer_seat` (a seat is free for them: call now).
    An unknown session gives [] (see `session_status`).
    """
    from upgradecamp.queries.waitlist import waiting_list

    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(*_columns())
            .join(ClientRow, col(ClientRow.client_id) == InvitationRow.client_id)
            .where(InvitationRow.session_id == session_id)
            .order_by(InvitationRow.invitation_id)
        ).all()
    waiting = {w.invitation_id: w for w in waiting_list(engine, session_id)}
    out = []
    for r in rows:
        place = waiting.get(r.invitation_id)
        out.append(
            CallRow(
                **_row(r),
                waitlist_place=place.place if place else None,
                offer_seat=bool(place and place.offer_seat),
            )
        )
    return out


def invitation_counts(engine: Engine, session_id: str) -> dict[str, int]:
    """How many of a session's invitations are in each state (every state, 0 when none),
    plus `total`, `wechat_added` and `to_tell`."""
    counts = dict.fromkeys(STATES, 0)
    with read_transaction(engine) as conn:
        for state, n in conn.execute(
            select(InvitationRow.state, func.count())
            .where(InvitationRow.session_id == session_id)
            .group_by(InvitationRow.state)
        ):
            counts[state] = n
        flags = conn.execute(
            select(
                func.count(),
                func.count().filter(col(InvitationRow.wechat_added).is_(True)),
                func.count().filter(col(InvitationRow.to_tell).is_(True)),
            ).where(InvitationRow.session_id == session_id)
        ).one()
    counts.update(total=flags[0], wechat_added=flags[1], to_tell=flags[2])
    return counts


def find_invitation(engine: Engine, id_or_code: str) -> InvitationView | None:
    """One invitation (a `call_list` row) by its id, or by its check-in code among planned and
    open sessions; None when nothing matches."""
    text = id_or_code.strip()
    with read_transaction(engine) as conn:
        base = select(*_columns()).join(
            ClientRow, col(ClientRow.client_id) == InvitationRow.client_id
        )
        row = conn.execute(base.where(InvitationRow.invitation_id == text)).first()
        if row is None and looks_like_code(text):
            row = conn.execute(
                base.join(SessionRow, col(SessionRow.session_id) == InvitationRow.session_id).where(
                    InvitationRow.code == normalise_code(text),
                    col(SessionRow.status).in_(_UPCOMING),
                )
            ).first()
    return None if row is None else _row(row)


def session_status(engine: Engine, session_id: str) -> str | None:
    """planned, open, closed or cancelled; None when there is no such session."""
    with read_transaction(engine) as conn:
        return conn.execute(
            select(SessionRow.status).where(SessionRow.session_id == session_id)
        ).scalar_one_or_none()


def wave_rows(source: Source, session_id: str) -> WaveRows | None:
    """The session and its invitees WITH real mobile numbers, for the wave files only.

    Returns None for an unknown session, else {session: {session_id, status, starts_at,
    branch, branch_name, venue, theme}, invitees: [call_list row + mobile,
    marketing_consent, contact_status]}. The wave export's handler passes its connection.
    """
    with reading(source) as conn:
        session = conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                SessionRow.session_id,
                SessionRow.status,
                SessionRow.starts_at,
                SessionRow.branch,
                SessionRow.venue,
                SessionRow.theme,
                BranchRow.name,
            )
            .join(BranchRow, col(BranchRow.code) == SessionRow.branch, isouter=True)
            .where(SessionRow.session_id == session_id)
        ).first()
        if session is None:
            return None
        rows = conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                *_columns(), ClientRow.marketing_consent, ClientRow.contact_status
            )
            .join(ClientRow, col(ClientRow.client_id) == InvitationRow.client_id)
            .where(InvitationRow.session_id == session_id)
            .order_by(InvitationRow.invitation_id)
        ).all()
    starts = session.starts_at
    invitees = [
        WaveInvitee(
            **_row(r),
            mobile=r.mobile,
            marketing_consent=bool(r.marketing_consent),
            contact_status=r.contact_status,
        )
        for r in rows
    ]
    return WaveRows(
        session=WaveSession(
            session_id=session.session_id,
            status=session.status,
            starts_at=starts,
            branch=session.branch,
            branch_name=session.name or session.branch,
            venue=session.venue,
            theme=session.theme,
        ),
        invitees=invitees,
    )
