"""Read-side queries of registration forms: the approval desk, the marketer's desk, the CLI.

A stable interface (the TUI calls these): every function takes an Engine, reads the read tables
(and a form's own stream for its history), and returns plain dicts. Times are ISO 8601 text in
Asia/Shanghai (+08:00); money is a two-decimal string; mobiles are masked (SPEC §5).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, case, select

from upgradecamp.io.masking import mask_mobile
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientPointsRow, ClientRow, StaffRow
from upgradecamp.store.tables.forms import FormRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow


def _local(value: datetime | None) -> str | None:
    if value is None:
        return None
    from upgradecamp.domain.rules import shanghai

    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(shanghai()).isoformat()


def _money(text: str) -> str:
    return f"{Decimal(text):.2f}"


def _columns():
    return (*FormRow.__table__.columns, ClientRow.name.label("client_name"), ClientRow.mobile,
            StaffRow.name.label("marketer_name"), SessionRow.branch, SessionRow.starts_at)


def _joined(stmt):
    return (stmt.join(ClientRow, ClientRow.client_id == FormRow.client_id, isouter=True)
            .join(StaffRow, StaffRow.code == FormRow.marketer, isouter=True)
            .join(SessionRow, SessionRow.session_id == FormRow.session_id, isouter=True))


def _summary(r: Any) -> dict[str, Any]:
    f = r
    return {
        "form_id": f.form_id,
        "session_id": f.session_id,
        "branch": r.branch,
        "session_starts_at": _local(r.starts_at),
        "client_id": f.client_id,
        "client_name": r.client_name,
        "mobile": mask_mobile(r.mobile),
        "marketer": f.marketer,
        "marketer_name": r.marketer_name or f.marketer,
        "status": f.status,
        "revision": f.revision,
        "points": f.points,
        "converted_delta": _money(f.converted_delta),
        "tier_before": f.tier_before,
        "tier_after": f.tier_after,
        "appointment": f.appointment.isoformat() if f.appointment else None,
        "on_site": bool(f.on_site),
        "submitted_at": _local(f.submitted_at),
        "decided_at": _local(f.decided_at),
        "decided_by": f.decided_by,
        "decided_terminal": f.decided_terminal,
        "reason": f.reason,
        "photo_taken": bool(f.photo_taken),
        "photo_at": _local(f.photo_at),
    }


def approval_queue(engine: Engine, *, branch: str | None = None) -> list[dict[str, Any]]:
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


def list_forms(engine: Engine, *, status: str | None = None, session_id: str | None = None,
               marketer: str | None = None, branch: str | None = None) -> list[dict[str, Any]]:
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
        rows = conn.execute(stmt.order_by(FormRow.submitted_at.desc(),
                                          FormRow.form_id.desc())).all()
    return [_summary(r) for r in rows]


def my_forms(engine: Engine, marketer: str, status: str | None = None) -> list[dict[str, Any]]:
    """A marketer's forms: returned ones (with the reason, to fix) first, then newest first."""
    stmt = _joined(select(*_columns())).where(FormRow.marketer == marketer)
    if status is not None:
        stmt = stmt.where(FormRow.status == status)
    returned_first = case((FormRow.status == "returned", 0), else_=1)
    with read_transaction(engine) as conn:
        rows = conn.execute(stmt.order_by(returned_first, FormRow.submitted_at.desc(),
                                          FormRow.form_id.desc())).all()
    return [_summary(r) for r in rows]


def form_detail(engine: Engine, form_id: str) -> dict[str, Any] | None:
    """One form with its lines priced again (coefficient, multiplier, converted delta and
    points per line, by the rule set in force on the day it was submitted), the client's tier
    before and after, and its history (submissions and decisions, who, where, when)."""
    from upgradecamp.domain.calculator import calculate
    from upgradecamp.domain.errors import BadInput
    from upgradecamp.domain.events import upcast
    from upgradecamp.domain.points import FormLine
    from upgradecamp.domain.rules import business_date, rule_set_for
    from upgradecamp.service.points import published_rule_sets, tier_ladder
    from upgradecamp.store.eventlog import EventLog

    stmt = _joined(select(*_columns(), ClientRow.aum_cents, ClientRow.risk_grade,
                          ClientRow.risk_expires)).where(FormRow.form_id == form_id)
    with read_transaction(engine) as conn:
        r = conn.execute(stmt).first()
        if r is None:
            return None
        rule_sets = published_rule_sets(conn)
        ladder = tier_ladder(conn)
        history = EventLog(upcast=upcast).read_stream(conn, f"form-{form_id}")
    f = r
    lines = json.loads(f.lines)
    actions = json.loads(f.actions)
    out = _summary(r)
    aum = Decimal(r.aum_cents or 0) / 100
    submitted = f.submitted_at if f.submitted_at.tzinfo else f.submitted_at.replace(tzinfo=UTC)
    try:
        rule_set = rule_set_for(rule_sets, business_date(submitted))
        calculation = calculate(
            rule_set, ladder, aum,
            [FormLine(x["product"], Decimal(x["value"]), x["source"]) for x in lines],
            actions, bool(f.on_site)).to_json()
    except BadInput:  # no rule set covers that day any more: the lines show as typed
        calculation = None
    try:
        before, after = ladder.tier(f.tier_before), ladder.tier(f.tier_after)
        names = {"tier_before_name": before.name_zh, "tier_after_name": after.name_zh,
                 "tier_rises": ladder.rank(after) > ladder.rank(before)}
    except BadInput:  # a tier since removed from the ladder: its code still says it
        names = {"tier_before_name": f.tier_before, "tier_after_name": f.tier_after,
                 "tier_rises": f.tier_before != f.tier_after}
    out.update({
        "lines": lines,
        "actions": actions,
        "credit_key": f.credit_key,
        "aum": f"{aum:.2f}",
        "risk_grade": r.risk_grade,
        "risk_expires": r.risk_expires.isoformat() if r.risk_expires else None,
        **names,
        "calculation": calculation,
        "history": [{"type": ev.type, "by": ev.meta.get("actor"),
                     "terminal": ev.meta.get("terminal"), "at": _local(ev.recorded_at),
                     "reason": ev.payload.get("reason"),
                     "revision": ev.payload.get("revision")} for ev in history],
    })
    return out


def attendees(engine: Engine, session_id: str) -> list[dict[str, Any]]:
    """The clients checked in at a session (annulled check-ins left out), in arrival order,
    with their tier and whether they already have a form at this session."""
    from upgradecamp.service.points import tier_ladder

    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(CheckInRow.checkin_id, CheckInRow.client_id, CheckInRow.walk_in,
                   CheckInRow.at, ClientRow.name, ClientRow.mobile, ClientRow.aum_cents,
                   ClientRow.risk_grade, ClientRow.risk_expires, ClientRow.rm,
                   ClientPointsRow.experience_tier)
            .join(ClientRow, ClientRow.client_id == CheckInRow.client_id)
            .join(ClientPointsRow, ClientPointsRow.client_id == CheckInRow.client_id,
                  isouter=True)
            .where(CheckInRow.session_id == session_id, CheckInRow.annulled.is_(False))
            .order_by(CheckInRow.at, CheckInRow.checkin_id)).all()
        forms: dict[str, list[dict[str, str]]] = {}
        for form, client, status in conn.execute(
                select(FormRow.form_id, FormRow.client_id, FormRow.status)
                .where(FormRow.session_id == session_id).order_by(FormRow.form_id)):
            forms.setdefault(client, []).append({"form_id": form, "status": status})
        ladder = tier_ladder(conn)
    out = []
    for r in rows:
        aum = Decimal(r.aum_cents) / 100
        tier = ladder.tier_for(aum)
        out.append({
            "checkin_id": r.checkin_id,
            "client_id": r.client_id,
            "name": r.name,
            "mobile": mask_mobile(r.mobile),
            "walk_in": bool(r.walk_in),
            "checked_in_at": _local(r.at),
            "aum": f"{aum:.2f}",
            "tier": tier.code,
            "tier_name": tier.name_zh,
            "experience_tier": r.experience_tier,
            "risk_grade": r.risk_grade,
            "risk_expires": r.risk_expires.isoformat() if r.risk_expires else None,
            "rm": r.rm,
            "forms": forms.get(r.client_id, []),
            "has_form": r.client_id in forms,
        })
    return out
