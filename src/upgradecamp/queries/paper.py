"""What the session's paper prints: the briefing (活动简报) and the invitation cards (邀请函).

One read of the session (with branch, host and presenter names), its confirmed invitees (with
tier, relationship manager, masked mobile and check-in code) and the benefits package. Mobiles
come out masked only: nothing printed here needs a full number. Callers check the role and
record the export (service/paper.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from upgradecamp.domain.salutation import salutation
from upgradecamp.io.masking import mask_mobile
from upgradecamp.store.db import Source, reading
from upgradecamp.store.tables import ClientPointsRow, ClientRow, StaffRow
from upgradecamp.store.tables.invitations import InvitationRow

CONFIRMED = "confirmed"


def _tier(
    ladder: Any, aum_cents: int, experience: str | None, ends: Any, today: Any
) -> tuple[str, str]:
    """The tier the client holds today: their standard one, or a higher experience tier."""
    tier = ladder.tier_for(Decimal(aum_cents) / 100)
    if experience and ends is not None and ends >= today:
        held = ladder.tier(experience)
        if ladder.rank(held) > ladder.rank(tier):
            tier = held
    return tier.code, tier.name_zh


def confirmed_invitees(source: Source, session_id: str, today: Any) -> list[dict[str, Any]]:
    """The session's confirmed invitees in list order: invitation_id, client_id, name,
    salutation (王先生/女士), mobile (masked), tier, tier_name, rm, rm_name, code."""
    from upgradecamp.store.rules import tier_ladder

    with reading(source) as conn:
        rows = conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                InvitationRow.invitation_id,
                InvitationRow.client_id,
                InvitationRow.code,
                ClientRow.name,
                ClientRow.mobile,
                ClientRow.aum_cents,
                ClientRow.rm,
                col(StaffRow.name).label("rm_name"),
                ClientPointsRow.experience_tier,
                ClientPointsRow.experience_ends,
            )
            .join(ClientRow, col(ClientRow.client_id) == InvitationRow.client_id)
            .join(StaffRow, col(StaffRow.code) == ClientRow.rm, isouter=True)
            .join(
                ClientPointsRow,
                col(ClientPointsRow.client_id) == InvitationRow.client_id,
                isouter=True,
            )
            .where(InvitationRow.session_id == session_id, InvitationRow.state == CONFIRMED)
            .order_by(InvitationRow.invitation_id)
        ).all()
        ladder = tier_ladder(conn) if rows else None
    out = []
    for r in rows:
        tier, tier_name = _tier(ladder, r.aum_cents, r.experience_tier, r.experience_ends, today)
        out.append(
            {
                "invitation_id": r.invitation_id,
                "client_id": r.client_id,
                "name": r.name,
                "salutation": salutation(r.name),
                "mobile": mask_mobile(r.mobile),
                "tier": tier,
                "tier_name": tier_name,
                "rm": r.rm or "",
                "rm_name": r.rm_name or r.rm or "",
                "code": r.code,
            }
        )
    return out


def session_paper(source: Source, session_id: str, today: Any) -> dict[str, Any] | None:
    """{session: `session_detail`'s dict, invitees: `confirmed_invitees`, benefits: part →
    items}; None when no session has that id. The paper's handlers pass their connection."""
    from upgradecamp.queries.registration import benefits
    from upgradecamp.queries.sessions import session_detail

    session = session_detail(source, session_id)
    if session is None:
        return None
    paper_session = {k: v for k, v in session.items() if k != "to_tell"}  # not the paper's
    return {
        "session": paper_session,
        "invitees": confirmed_invitees(source, session_id, today),
        "benefits": benefits(source),
    }
