"""Read-side queries of registration forms: the approval desk, the marketer's desk, the CLI.

A stable interface (the TUI calls these): every function takes an Engine, reads the read tables
(and a form's own stream for its history), and returns frozen rows (`FormSummary`, and
`FormDetail` for one form); the attendees are still dicts. Times are ISO 8601 text in
Asia/Shanghai (+08:00); money is a two-decimal string; mobiles are masked (SPEC §5).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, case
from sqlmodel import col, select

from upgradecamp.domain.clock import local_iso, local_iso_or_none
from upgradecamp.domain.events import streams
from upgradecamp.io.masking import mask_mobile
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientPointsRow, ClientRow, StaffRow
from upgradecamp.store.tables.forms import FormRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.store.eventlog import StoredEvent


@dataclass(frozen=True)
class FormSummary:
    """A form as the approval queue, the photo list and a marketer's list show it."""

    form_id: str
    session_id: str
    branch: str | None
    session_starts_at: str | None
    client_id: str
    client_name: str | None
    mobile: str
    marketer: str
    marketer_name: str
    status: str
    revision: int
    points: int
    converted_delta: str
    tier_before: str
    tier_after: str
    appointment: str | None
    on_site: bool
    submitted_at: str | None
    decided_at: str | None
    decided_by: str | None
    decided_terminal: str | None
    reason: str | None
    photo_taken: bool
    photo_at: str | None


@dataclass(frozen=True)
class FormDetail(FormSummary):
    """One form in full: its lines priced again, the client, the tiers and its history.

    `calculation` is `Calculation.to_json()` (None when no rule set covers the day any more);
    each `history` step has type, by, terminal, at, reason and revision.
    """

    lines: list[dict[str, str]]
    actions: list[str]
    credit_key: str | None
    aum: str
    risk_grade: str | None
    risk_expires: str | None
    tier_before_name: str
    tier_after_name: str
    tier_rises: bool
    calculation: dict[str, Any] | None
    history: list[dict[str, Any]]


def _money(text: str) -> str:
    return f"{Decimal(text):.2f}"


def _columns():
    return (
        *FormRow.__table__.columns,
        ClientRow.name.label("client_name"),
        ClientRow.mobile,
        StaffRow.name.label("marketer_name"),
        SessionRow.branch,
        SessionRow.starts_at,
    )


def _joined(stmt):
    return (
        stmt.join(ClientRow, ClientRow.client_id == FormRow.client_id, isouter=True)
        .join(StaffRow, StaffRow.code == FormRow.marketer, isouter=True)
        .join(SessionRow, SessionRow.session_id == FormRow.session_id, isouter=True)
    )


def _summary(f: Any) -> FormSummary:
    return FormSummary(
        form_id=f.form_id,
        session_id=f.session_id,
        branch=f.branch,
        session_starts_at=local_iso_or_none(f.starts_at),
        client_id=f.client_id,
        client_name=f.client_name,
        mobile=mask_mobile(f.mobile),
        marketer=f.marketer,
        marketer_name=f.marketer_name or f.marketer,
        status=f.status,
        revision=f.revision,
        points=f.points,
        converted_delta=_money(f.converted_delta),
        tier_before=f.tier_before,
        tier_after=f.tier_after,
        appointment=f.appointment.isoformat() if f.appointment else None,
        on_site=bool(f.on_site),
        submitted_at=local_iso_or_none(f.submitted_at),
        decided_at=local_iso_or_none(f.decided_at),
        decided_by=f.decided_by,
        decided_terminal=f.decided_terminal,
        reason=f.reason,
        photo_taken=bool(f.photo_taken),
        photo_at=local_iso_or_none(f.photo_at),
    )


def approval_queue(engine: Engine, *, branch: str | None = None) -> list[FormSummary]:
    """Submitted forms, first come first served (the screen computes each one's wait).

    `branch` keeps the forms of that branch's sessions (a satellite branch head's desk);
    None shows every branch (the core branch's head decides for all of them).
    """
    stmt = _joined(select(*_columns())).where(FormRow.status == "submitted")
    if branch is not None:
        stmt = stmt.where(SessionRow.branch == branch)
    with read_transaction(engine) as conn:
        rows = conn.execute(stmt.order_by(FormRow.submitted_at, FormRow.form_id)).all()
    return [_summary(r) for r in rows]


def list_forms(
    engine: Engine,
    *,
    status: str | None = None,
    session_id: str | None = None,
    marketer: str | None = None,
    branch: str | None = None,
) -> list[FormSummary]:
    """Forms filtered as asked, newest submission first."""
    stmt = _joined(select(*_columns()))
    if status is not None:
        stmt = stmt.where(FormRow.status == status)
    if session_id is not None:
        stmt = stmt.where(FormRow.session_id == session_id)
    if marketer is not None:
        stmt = stmt.where(FormRow.marketer == marketer)
    if branch is not None:
        stmt = stmt.where(SessionRow.branch == branch)
    with read_transaction(engine) as conn:
        rows = conn.execute(
            stmt.order_by(col(FormRow.submitted_at).desc(), col(FormRow.form_id).desc())
        ).all()
    return [_summary(r) for r in rows]


def my_forms(engine: Engine, marketer: str, status: str | None = None) -> list[FormSummary]:
    """A marketer's forms: returned ones (with the reason, to fix) first, then newest first."""
    stmt = _joined(select(*_columns())).where(FormRow.marketer == marketer)
    if status is not None:
        stmt = stmt.where(FormRow.status == status)
    returned_first = case((col(FormRow.status) == "returned", 0), else_=1)
    with read_transaction(engine) as conn:
        rows = conn.execute(
            stmt.order_by(
                returned_first, col(FormRow.submitted_at).desc(), col(FormRow.form_id).desc()
            )
        ).all()
    return [_summary(r) for r in rows]


def _step(ev: StoredEvent) -> dict[str, Any]:
    """One line of a form's history: what happened, who, where, when, why."""
    from upgradecamp.domain.events import FormCancelled, FormRejected, FormReturned, FormSubmitted

    event = ev.event
    return {
        "type": ev.type,
        "by": ev.meta.get("actor"),
        "terminal": ev.meta.get("terminal"),
        "at": local_iso(ev.recorded_at),
        "reason": (
            event.reason if isinstance(event, FormReturned | FormRejected | FormCancelled) else None
        ),
        "revision": event.revision if isinstance(event, FormSubmitted) else None,
    }


def form_detail(engine: Engine, form_id: str) -> FormDetail | None:
    """One form with its lines priced again (coefficient, multiplier, converted delta and
    points per line, by the rule set in force on the day it was submitted), the client's tier
    before and after, and its history (submissions and decisions, who, where, when)."""
    from upgradecamp.domain.calculator import calculate
    from upgradecamp.domain.clock import business_date
    from upgradecamp.domain.errors import BadInput
    from upgradecamp.domain.events import upcast
    from upgradecamp.domain.points import FormLine
    from upgradecamp.domain.rules import rule_set_for
    from upgradecamp.store.eventlog import EventLog
    from upgradecamp.store.rules import published_rule_sets, tier_ladder

    stmt = _joined(
        select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
            *_columns(), ClientRow.aum_cents, ClientRow.risk_grade, ClientRow.risk_expires
        )
    ).where(FormRow.form_id == form_id)
    with read_transaction(engine) as conn:
        r = conn.execute(stmt).first()
        if r is None:
            return None
        rule_sets = published_rule_sets(conn)
        ladder = tier_ladder(conn)
        history = EventLog(upcast=upcast).read_stream(conn, streams.form(form_id))
    f = r
    lines = json.loads(f.lines)
    actions = json.loads(f.actions)
    aum = Decimal(r.aum_cents or 0) / 100
    try:
        rule_set = rule_set_for(rule_sets, business_date(f.submitted_at))
        calculation = calculate(
            rule_set,
            ladder,
            aum,
            [FormLine(x["product"], Decimal(x["value"]), x["source"]) for x in lines],
            actions,
            bool(f.on_site),
        ).to_json()
    except BadInput:  # no rule set covers that day any more: the lines show as typed
        calculation = None
    try:
        before, after = ladder.tier(f.tier_before), ladder.tier(f.tier_after)
        names = (before.name_zh, after.name_zh, ladder.rank(after) > ladder.rank(before))
    except BadInput:  # a tier since removed from the ladder: its code still says it
        names = (f.tier_before, f.tier_after, f.tier_before != f.tier_after)
    return FormDetail(
        **asdict(_summary(r)),
        lines=lines,
        actions=actions,
        credit_key=f.credit_key,
        aum=f"{aum:.2f}",
        risk_grade=r.risk_grade,
        risk_expires=r.risk_expires.isoformat() if r.risk_expires else None,
        tier_before_name=names[0],
        tier_after_name=names[1],
        tier_rises=names[2],
        calculation=calculation,
        history=[_step(ev) for ev in history],
    )


# What a restricted attendee keeps besides the client's name and masked mobile: the check-in.
ATTENDANCE = frozenset({"checkin_id", "walk_in", "checked_in_at", "forms", "has_form"})


def attendees(engine: Engine, session_id: str, viewer: Actor | None = None) -> list[dict[str, Any]]:
    """The clients checked in at a session (annulled check-ins left out), in arrival order,
    with their tier and whether they already have a form at this session. As `viewer` may
    see them (`domain.books.client_view`): `restricted` ones without AUM, tier or risk grade."""
    from upgradecamp.queries.books import viewing
    from upgradecamp.store.rules import tier_ladder

    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                CheckInRow.checkin_id,
                CheckInRow.client_id,
                CheckInRow.walk_in,
                CheckInRow.at,
                ClientRow.name,
                ClientRow.mobile,
                ClientRow.aum_cents,
                ClientRow.risk_grade,
                ClientRow.risk_expires,
                ClientRow.rm,
                ClientPointsRow.experience_tier,
            )
            .join(ClientRow, col(ClientRow.client_id) == CheckInRow.client_id)
            .join(
                ClientPointsRow,
                col(ClientPointsRow.client_id) == CheckInRow.client_id,
                isouter=True,
            )
            .where(CheckInRow.session_id == session_id, col(CheckInRow.annulled).is_(False))
            .order_by(CheckInRow.at, CheckInRow.checkin_id)
        ).all()
        forms: dict[str, list[dict[str, str]]] = {}
        for form, client, status in conn.execute(
            select(FormRow.form_id, FormRow.client_id, FormRow.status)
            .where(FormRow.session_id == session_id)
            .order_by(FormRow.form_id)
        ):
            forms.setdefault(client, []).append({"form_id": form, "status": status})
        ladder = tier_ladder(conn)
        seen = viewing(conn, viewer)
    out = []
    for r in rows:
        aum = Decimal(r.aum_cents) / 100
        tier = ladder.tier_for(aum)
        out.append(
            {
                "checkin_id": r.checkin_id,
                "client_id": r.client_id,
                "name": r.name,
                "mobile": mask_mobile(r.mobile),
                "walk_in": bool(r.walk_in),
                "checked_in_at": local_iso_or_none(r.at),
                "aum": f"{aum:.2f}",
                "tier": tier.code,
                "tier_name": tier.name_zh,
                "experience_tier": r.experience_tier,
                "risk_grade": r.risk_grade,
                "risk_expires": r.risk_expires.isoformat() if r.risk_expires else None,
                "rm": r.rm,
                "forms": forms.get(r.client_id, []),
                "has_form": r.client_id in forms,
            }
        )
    return [
        shown | {"restricted": restricted}
        for shown, restricted in (seen.record(a, ATTENDANCE) for a in out)
    ]
