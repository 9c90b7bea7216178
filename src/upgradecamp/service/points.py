"""Points handlers: credit and reverse a form's points, monthly holding points, experience periods.

The rule set applied is the one in force on the business date (Asia/Shanghai) and is recorded on
every credit; each credit has a unique key, so a retried or replayed command never credits twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from upgradecamp.domain.bonuses import appointment_bonus, referral_reward
from upgradecamp.domain.calculator import calculate
from upgradecamp.domain.commands import (
    AccrueHoldingPoints,
    CloseExperiencePeriods,
    CreditBonus,
    CreditFormPoints,
    ReverseFormPoints,
)
from upgradecamp.domain.errors import BadInput, NotFound, RuleRefused
from upgradecamp.domain.events import (
    ExperienceEnded,
    ExperienceStarted,
    LedgerLine,
    PointsCredited,
    PointsReversed,
)
from upgradecamp.domain.experience import experience_ends
from upgradecamp.domain.points import FormLine, holding_points
from upgradecamp.domain.rules import RuleSet, business_date, rule_set_for
from upgradecamp.domain.suitability import check_suitability
from upgradecamp.domain.tiers import TierLadder
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.eventlog import event_log
from upgradecamp.store.tables import (
    ClientPointsRow,
    ClientRow,
    LedgerEntryRow,
    RuleSetRow,
    TierLadderRow,
)

# Published rule sets never change, so a parsed version can be kept for the process's life.
_PARSED: dict[str, RuleSet] = {}


def published_rule_sets(conn: Connection) -> list[RuleSet]:
    out = []
    for row in conn.execute(select(RuleSetRow.version, RuleSetRow.rules)
                            .order_by(RuleSetRow.effective_from)):
        parsed = _PARSED.get(row.version)
        if parsed is None:
            parsed = _PARSED[row.version] = RuleSet.from_payload(json.loads(row.rules))
        out.append(parsed)
    return out


def tier_ladder(conn: Connection) -> TierLadder:
    row = conn.execute(select(TierLadderRow.ladder)).first()
    if row is None:
        raise RuleRefused("no tier ladder is published; run `upgradecamp init` on this database")
    return TierLadder.from_payload(json.loads(row.ladder))


@dataclass
class PointsAccount:
    """A client's points stream folded: what each credit gave, and the experience period."""

    version: int = 0
    credits: dict[str, int] = field(default_factory=dict)
    reversed: set[str] = field(default_factory=set)
    experience: dict[str, Any] | None = None


def load_account(uow: UnitOfWork, client_id: str) -> PointsAccount:
    account = PointsAccount()
    for ev in uow.log.read_stream(uow.conn, f"points-{client_id}"):
        account.version = ev.stream_version
        p = ev.payload
        if ev.type == "PointsCredited":
            account.credits[p["credit_key"]] = p["points"]
        elif ev.type == "PointsReversed":
            account.reversed.add(p["credit_key"])
        elif ev.type == "ExperienceStarted":
            account.experience = p
        elif ev.type == "ExperienceEnded":
            account.experience = None
    return account


def _client(uow: UnitOfWork, client_id: str) -> dict[str, Any]:
    row = uow.rows.get(ClientRow, client_id)
    if row is None:
        raise NotFound(f"no client has the id '{client_id}'; check the client number (客户号)")
    return row


def _aware(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{text!r} is not a date and time; use ISO 8601 with an offset") from None
    return instant


def credit_form_points(uow: UnitOfWork, cmd: CreditFormPoints) -> dict[str, Any]:
    uow.actor.require("forms.decide", "credit a registration form's points")
    client = _client(uow, cmd.client_id)
    day = business_date(_aware(cmd.submitted_at))
    rule_set = rule_set_for(published_rule_sets(uow.conn), day)
    ladder = tier_ladder(uow.conn)
    lines = []
    for product, value, source in cmd.lines:
        try:
            lines.append(FormLine(product, Decimal(value), source))
        except ArithmeticError:
            raise BadInput(f"line {product}: {value!r} is not a number") from None
        if product in rule_set.products:
            check_suitability(rule_set.products[product], client["risk_grade"],
                              client["risk_expires"], day)
    aum = Decimal(client["aum_cents"]) / 100
    calc = calculate(rule_set, ladder, aum, lines, list(cmd.actions), cmd.on_site)
    key = f"form:{cmd.reference}"
    account = load_account(uow, cmd.client_id)
    if key in account.credits:
        raise RuleRefused(f"form {cmd.reference} has already been credited; nothing was added")
    ledger = [LedgerLine(line=i, item=r.product, source=r.source, value=r.value,
                         coefficient=r.coefficient, multiplier=r.multiplier,
                         converted_delta=r.converted_delta, formula=r.formula, points=r.points)
              for i, r in enumerate(calc.lines, 1)]
    for code, pts in calc.actions:
        ledger.append(LedgerLine(line=len(ledger) + 1, item=code,
                                 formula=f"fixed action {code} = {pts}", points=pts))
    events: list[Any] = [PointsCredited(
        client_id=cmd.client_id, credit_key=key, kind="form", reference=cmd.reference,
        business_date=day, rule_set=rule_set.version, lines=ledger, points=calc.points,
        converted_delta=calc.converted_delta)]
    standard = ladder.tier_for(aum)
    held = ladder.tier(account.experience["tier"]) if account.experience else standard
    if ladder.rank(calc.tier) > max(ladder.rank(standard), ladder.rank(held)):
        events.append(ExperienceStarted(
            client_id=cmd.client_id, credit_key=key, tier=calc.tier.code,
            standard_tier=standard.code, starts=day,
            ends=experience_ends(day, rule_set.experience_days)))
    uow.record(account.version, *events)
    return {"client_id": cmd.client_id, "credit_key": key, "rule_set": rule_set.version,
            "points": calc.points, "tier": calc.tier.code,
            "experience": events[1].tier if len(events) > 1 else None}


def reverse_form_points(uow: UnitOfWork, cmd: ReverseFormPoints) -> dict[str, Any]:
    uow.actor.require("forms.decide", "reverse a form's points")
    key = f"form:{cmd.reference}"
    account = load_account(uow, cmd.client_id)
    if key not in account.credits:
        raise NotFound(f"form {cmd.reference} credited no points to {cmd.client_id}; "
                       "check the form number")
    if key in account.reversed:
        raise RuleRefused(f"form {cmd.reference}'s points were already reversed")
    if not cmd.reason.strip():
        raise BadInput("give a reason for the reversal")
    today = business_date(uow.clock())
    events: list[Any] = [PointsReversed(client_id=cmd.client_id, credit_key=key,
                                        reason=cmd.reason, business_date=today,
                                        points=account.credits[key])]
    if account.experience and account.experience["credit_key"] == key:
        events.append(ExperienceEnded(client_id=cmd.client_id,
                                      tier=account.experience["tier"], on=today,
                                      outcome="cancelled"))
    uow.record(account.version, *events)
    return {"client_id": cmd.client_id, "credit_key": key, "points": -account.credits[key]}


def _month_bounds(month: str) -> tuple[date, date]:
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise BadInput(f"month {month!r} is not YYYY-MM, e.g. 2026-10") from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def accrue_holding_points(uow: UnitOfWork, cmd: AccrueHoldingPoints) -> dict[str, Any]:
    """Holding points for a finished month: 1 per full 1,000 CNY of the month's average AUM.

    The client register holds one AUM per client (the CRM's quarterly daily average); until
    monthly averages are imported, that figure stands for the month's average.
    """
    uow.actor.require("points.manage", "accrue holding points")
    first, last = _month_bounds(cmd.month)
    if business_date(uow.clock()) <= last:
        raise RuleRefused(f"{cmd.month} is not over yet; accrue its holding points from "
                          f"{date.fromordinal(last.toordinal() + 1)} on")
    rule_set = rule_set_for(published_rule_sets(uow.conn), last)
    key = f"holding:{cmd.month}"
    done = {r.client_id for r in uow.conn.execute(
        select(LedgerEntryRow.client_id).where(LedgerEntryRow.credit_key == key))}
    versions = dict(uow.conn.execute(
        select(event_log.c.stream_id, func.max(event_log.c.stream_version))
        .where(event_log.c.stream_id.like("points-%")).group_by(event_log.c.stream_id)).all())
    credited = total = 0
    for client_id, aum_cents in uow.conn.execute(
            select(ClientRow.client_id, ClientRow.aum_cents).order_by(ClientRow.client_id)):
        if client_id in done:
            continue
        aum = Decimal(aum_cents) / 100
        pts = holding_points(aum, rule_set.holding_points_per)
        if pts <= 0:
            continue
        line = LedgerLine(line=1, item="holding", value=aum, converted_delta=Decimal("0.00"),
                          formula=f"floor({aum:.2f} / {rule_set.holding_points_per}) = {pts}",
                          points=pts)
        uow.record(versions.get(f"points-{client_id}", 0), PointsCredited(
            client_id=client_id, credit_key=key, kind="holding", reference=cmd.month,
            business_date=last, rule_set=rule_set.version, lines=[line], points=pts,
            converted_delta=Decimal("0.00")))
        credited += 1
        total += pts
    return {"month": cmd.month, "clients": credited, "points": total,
            "already_credited": len(done)}


def close_experience_periods(uow: UnitOfWork, cmd: CloseExperiencePeriods) -> dict[str, Any]:
    """End every experience period whose last day is before `on`; AUM alone decides the tier."""
    uow.actor.require("points.manage", "close experience periods")
    try:
        on = date.fromisoformat(cmd.on)
    except ValueError:
        raise BadInput(f"{cmd.on!r} is not a date (YYYY-MM-DD)") from None
    ladder = tier_ladder(uow.conn)
    ended = {"lapsed": 0, "sustained": 0}
    rows = uow.conn.execute(
        select(ClientPointsRow.client_id, ClientPointsRow.experience_tier, ClientRow.aum_cents)
        .join(ClientRow, ClientRow.client_id == ClientPointsRow.client_id)
        .where(ClientPointsRow.experience_ends < on)).all()
    for client_id, tier_code, aum_cents in rows:
        account = load_account(uow, client_id)
        standard = ladder.tier_for(Decimal(aum_cents) / 100)
        outcome = ("sustained" if ladder.rank(standard) >= ladder.rank(ladder.tier(tier_code))
                   else "lapsed")
        uow.record(account.version, ExperienceEnded(client_id=client_id, tier=tier_code, on=on,
                                                    outcome=outcome))
        ended[outcome] += 1
    return {"on": cmd.on, **ended}


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise BadInput(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None


def credit_bonus(uow: UnitOfWork, cmd: CreditBonus) -> dict[str, Any]:
    """The appointment bonus (within the window) or a referral reward, once per reference."""
    uow.actor.require("forms.decide", "credit bonus points")
    _client(uow, cmd.client_id)
    on = _date(cmd.on, "date")
    rule_set = rule_set_for(published_rule_sets(uow.conn), on)
    if cmd.kind == "appointment_bonus":
        if not cmd.session_day:
            raise BadInput("an appointment bonus needs the session's date")
        bonus = appointment_bonus(rule_set, _date(cmd.session_day, "session date"), on)
    else:
        if not cmd.referred_client:
            raise BadInput("a referral reward needs the referred client's id")
        _client(uow, cmd.referred_client)
        bonus = referral_reward(rule_set, cmd.kind, cmd.referred_client)
    key = f"{cmd.kind}:{cmd.reference}"
    account = load_account(uow, cmd.client_id)
    if key in account.credits:
        raise RuleRefused(f"{cmd.kind} for {cmd.reference} was already credited to "
                          f"{cmd.client_id}; nothing was added")
    uow.record(account.version, PointsCredited(
        client_id=cmd.client_id, credit_key=key, kind=cmd.kind, reference=cmd.reference,
        business_date=on, rule_set=rule_set.version,
        lines=[LedgerLine(line=1, item=cmd.kind, formula=bonus.formula, points=bonus.points)],
        points=bonus.points, converted_delta=Decimal("0.00")))
    return {"client_id": cmd.client_id, "credit_key": key, "points": bonus.points,
            "rule_set": rule_set.version}


HANDLERS = {
    CreditBonus: credit_bonus,
    CreditFormPoints: credit_form_points,
    ReverseFormPoints: reverse_form_points,
    AccrueHoldingPoints: accrue_holding_points,
    CloseExperiencePeriods: close_experience_periods,
}
