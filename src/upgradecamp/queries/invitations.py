"""Read-side queries of invitations for the call-list screen, the CLI and the wave exports.

`call_list`, `invitation_counts` and `find_invitation` are what screens use: mobiles masked,
money as "120000.00" strings. `wave_rows` returns real mobile numbers for the SMS file and the
dialling list only: callers check `invites.manage` first and record the export.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select

from upgradecamp.domain.invitations import looks_like_code, normalise_code
from upgradecamp.io.masking import mask_mobile
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import BranchRow, ClientRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import SessionRow

STATES = ("invited", "sent", "confirmed", "declined", "no_answer", "call_back", "wrong_number",
          "opted_out")
_UPCOMING = ("planned", "open")


def _money(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def _columns():
    return (InvitationRow.invitation_id, InvitationRow.session_id, InvitationRow.code,
            InvitationRow.client_id, ClientRow.name, ClientRow.mobile, InvitationRow.segment,
            InvitationRow.aum_cents, InvitationRow.state, InvitationRow.calls,
            InvitationRow.last_result, InvitationRow.last_note, InvitationRow.sms_sent,
            InvitationRow.wechat_added, InvitationRow.to_tell)


def _row(r: Any) -> dict[str, Any]:
    return {
        "invitation_id": r.invitation_id,
        "session_id": r.session_id,
        "code": r.code,
        "client_id": r.client_id,
        "name": r.name,
        "mobile_masked": mask_mobile(r.mobile),
        "segment": r.segment,
        "aum": _money(r.aum_cents),
        "state": r.state,
        "calls": r.calls,
        "last_result": r.last_result,
        "last_note": r.last_note,
        "sms_sent": bool(r.sms_sent),
        "wechat_added": bool(r.wechat_added),
        "to_tell": bool(r.to_tell),
    }


def call_list(engine: Engine, session_id: str) -> list[dict[str, Any]]:
    """A session's invitations in list order, mobiles masked.

    Each row: invitation_id, session_id, code, client_id, name, mobile_masked, segment, aum
    ("120000.00", AUM when invited), state, calls, last_result, last_note, sms_sent,
    wechat_added, to_tell. An unknown session gives [] (see `session_status`).
    """
    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(*_columns())
            .join(ClientRow, ClientRow.client_id == InvitationRow.client_id)
            .where(InvitationRow.session_id == session_id)
            .order_by(InvitationRow.invitation_id)).all()
    return [_row(r) for r in rows]


def invitation_counts(engine: Engine, session_id: str) -> dict[str, int]:
    """How many of a session's invitations are in each state (every state, 0 when none),
    plus `total`, `wechat_added` and `to_tell`."""
    counts = dict.fromkeys(STATES, 0)
    with read_transaction(engine) as conn:
        for state, n in conn.execute(
                select(InvitationRow.state, func.count())
                .where(InvitationRow.session_id == session_id)
                .group_by(InvitationRow.state)):
            counts[state] = n
        flags = conn.execute(
            select(func.count(), func.count().filter(InvitationRow.wechat_added.is_(True)),
                   func.count().filter(InvitationRow.to_tell.is_(True)))
            .where(InvitationRow.session_id == session_id)).one()
    counts.update(total=flags[0], wechat_added=flags[1], to_tell=flags[2])
    return counts


def find_invitation(engine: Engine, id_or_code: str) -> dict[str, Any] | None:
    """One invitation (a `call_list` row) by its id, or by its check-in code among planned and
    open sessions; None when nothing matches."""
    text = id_or_code.strip()
    with read_transaction(engine) as conn:
        base = select(*_columns()).join(ClientRow, ClientRow.client_id == InvitationRow.client_id)
        row = conn.execute(base.where(InvitationRow.invitation_id == text)).first()
        if row is None and looks_like_code(text):
            row = conn.execute(
                base.join(SessionRow, SessionRow.session_id == InvitationRow.session_id)
                .where(InvitationRow.code == normalise_code(text),
                       SessionRow.status.in_(_UPCOMING))).first()
    return None if row is None else _row(row)


def session_status(engine: Engine, session_id: str) -> str | None:
    """planned, open, closed or cancelled; None when there is no such session."""
    with read_transaction(engine) as conn:
        return conn.execute(select(SessionRow.status)
                            .where(SessionRow.session_id == session_id)).scalar_one_or_none()


def wave_rows(engine: Engine, session_id: str) -> dict[str, Any] | None:
    """The session and its invitees WITH real mobile numbers, for the wave files only.

    Returns None for an unknown session, else {session: {session_id, status, starts_at,
    branch, branch_name, venue, theme}, invitees: [call_list row + mobile,
    marketing_consent, contact_status]}.
    """
    with read_transaction(engine) as conn:
        session = conn.execute(
            select(SessionRow.session_id, SessionRow.status, SessionRow.starts_at,
                   SessionRow.branch, SessionRow.venue, SessionRow.theme, BranchRow.name)
            .join(BranchRow, BranchRow.code == SessionRow.branch, isouter=True)
            .where(SessionRow.session_id == session_id)).first()
        if session is None:
            return None
        rows = conn.execute(
            select(*_columns(), ClientRow.marketing_consent, ClientRow.contact_status)
            .join(ClientRow, ClientRow.client_id == InvitationRow.client_id)
            .where(InvitationRow.session_id == session_id)
            .order_by(InvitationRow.invitation_id)).all()
    starts = session.starts_at
    if starts.tzinfo is None:  # SQLite hands back naive UTC
        starts = starts.replace(tzinfo=UTC)
    invitees = []
    for r in rows:
        item = _row(r)
        item.update(mobile=r.mobile, marketing_consent=bool(r.marketing_consent),
                    contact_status=r.contact_status)
        invitees.append(item)
    return {"session": {"session_id": session.session_id, "status": session.status,
                        "starts_at": starts, "branch": session.branch,
                        "branch_name": session.name or session.branch, "venue": session.venue,
                        "theme": session.theme},
            "invitees": invitees}
