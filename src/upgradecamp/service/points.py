"""Points handlers: credit and reverse a form's points, monthly holding points, experience periods.

The rule set applied is the one in force on the business date (Asia/Shanghai) and is recorded on
every credit; each credit has a unique key, so a retried or replayed command never credits twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from upgradecamp.domain.bonuses import appointment_bonus, referral_reward
from upgradecamp.domain.calculator import calculate
from upgradecamp.domain.clock import business_date, parse_instant
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
    PointsRedeemed,
    PointsReversed,
    RedemptionReversed,
    streams,
)
from upgradecamp.domain.experience import experience_ends
from upgradecamp.domain.points import FormLine, holding_points
from upgradecamp.domain.rewards import check_can_take_back
from upgradecamp.domain.rules import rule_set_for
from upgradecamp.domain.suitability import check_suitability
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.log_tables import event_log

# Imported here too for the handlers that price forms (service.forms).
from upgradecamp.store.rules import published_ladder, published_rule_sets, tier_ladder  # noqa: F401
from upgradecamp.store.tables import (
    ClientPointsRow,
    ClientRow,
    LedgerEntryRow,
)


@dataclass
class PointsAccount:
    """A client's points stream folded: what each credit gave, the balance (credits less
    reversals and redemptions), redemptions still standing, and the experience period."""

    version: int = 0
    credits: dict[str, int] = field(default_factory=dict)
    reversed: set[str] = field(default_factory=set)
    balance: int = 0
    redemptions: dict[str, PointsRedeemed] = field(default_factory=dict)
    redeemed: int = 0  # redemptions ever made, reversed ones included: numbers the next
    experience: ExperienceStarted | None = None


def load_account(uow: UnitOfWork, client_id: str) -> PointsAccount:
    account = PointsAccount()
    for ev in uow.read_stream(streams.points(client_id)):
        account.version = ev.stream_version
        event = ev.event
        if isinstance(event, PointsCredited):
            account.credits[event.credit_key] = event.points
            account.balance += event.points
        elif isinstance(event, PointsReversed):
            account.reversed.add(event.credit_key)
            account.balance -= event.points
        elif isinstance(event, PointsRedeemed):
            account.redemptions[event.redemption_id] = event
            account.redeemed += 1
            account.balance -= event.points
        elif isinstance(event, RedemptionReversed):
            account.redemptions.pop(event.redemption_id, None)
            account.balance += event.points
        elif isinstance(event, ExperienceStarted):
            account.experience = event
        elif isinstance(event, ExperienceEnded):
            account.experience = None
    return account


def _client(uow: UnitOfWork, client_id: str) -> dict[str, Any]:
    row = uow.rows.get(ClientRow, client_id)
    if row is None:
        raise NotFound(
            f"no client has the id '{client_id}'; check the client number (客户号)",
            "points_unknown_client",
            client_id=client_id,
        )
    return row


def credit_form_points(uow: UnitOfWork, cmd: CreditFormPoints) -> dict[str, Any]:
    uow.actor.require("forms.decide", "credit a registration form's points")
    client = _client(uow, cmd.client_id)
    day = business_date(parse_instant(cmd.submitted_at))
    rule_set = rule_set_for(published_rule_sets(uow.conn), day)
    ladder = tier_ladder(uow.conn)
    lines = []
    for product, value, source in cmd.lines:
        try:
            lines.append(FormLine(product, Decimal(value), source))
        except ArithmeticError:
            raise BadInput(
                f"line {product}: {value!r} is not a number",
                "points_line_not_number",
                product=product,
                value=repr(value),
            ) from None
        if product in rule_set.products:
            check_suitability(
                rule_set.products[product], client["risk_grade"], client["risk_expires"], day
            )
    aum = Decimal(client["aum_cents"]) / 100
    calc = calculate(rule_set, ladder, aum, lines, list(cmd.actions), cmd.on_site)
    key = f"form:{cmd.reference}"
    account = load_account(uow, cmd.client_id)
    if key in account.credits:
        raise RuleRefused(
            f"form {cmd.reference} has already been credited; nothing was added",
            "points_form_already_credited",
            reference=cmd.reference,
        )
    ledger = [
        LedgerLine(
            line=i,
            item=r.product,
            source=r.source,
            value=r.value,
            coefficient=r.coefficient,
            multiplier=r.multiplier,
            converted_delta=r.converted_delta,
            formula=r.formula,
            points=r.points,
        )
        for i, r in enumerate(calc.lines, 1)
    ]
    for code, pts in calc.actions:
        ledger.append(
            LedgerLine(
                line=len(ledger) + 1, item=code, formula=f"fixed action {code} = {pts}", points=pts
            )
        )
    events: list[Any] = [
        PointsCredited(
            client_id=cmd.client_id,
            credit_key=key,
            kind="form",
            reference=cmd.reference,
            business_date=day,
            rule_set=rule_set.version,
            lines=ledger,
            points=calc.points,
            converted_delta=calc.converted_delta,
        )
    ]
    standard = ladder.tier_for(aum)
    held = ladder.tier(account.experience.tier) if account.experience else standard
    if ladder.rank(calc.tier) > max(ladder.rank(standard), ladder.rank(held)):
        events.append(
            ExperienceStarted(
                client_id=cmd.client_id,
                credit_key=key,
                tier=calc.tier.code,
                standard_tier=standard.code,
                starts=day,
                ends=experience_ends(day, rule_set.experience_days),
            )
        )
    uow.record(*events)
    return {
        "client_id": cmd.client_id,
        "credit_key": key,
        "rule_set": rule_set.version,
        "points": calc.points,
        "tier": calc.tier.code,
        "experience": events[1].tier if len(events) > 1 else None,
    }


def reverse_form_points(uow: UnitOfWork, cmd: ReverseFormPoints) -> dict[str, Any]:
    uow.actor.require("forms.decide", "reverse a form's points")
    key = f"form:{cmd.reference}"
    if key not in load_account(uow, cmd.client_id).credits:
        raise NotFound(
            f"form {cmd.reference} credited no points to {cmd.client_id}; check the form number",
            "points_form_not_credited",
            reference=cmd.reference,
            client_id=cmd.client_id,
        )
    points = reverse_credit(uow, cmd.client_id, key, cmd.reason)
    return {"client_id": cmd.client_id, "credit_key": key, "points": -points}


def reverse_credit(
    uow: UnitOfWork, client_id: str, key: str, reason: str, *, skip_reversed: bool = False
) -> int:
    """Take back exactly what credit `key` gave (and the experience period it started).

    A balance never goes negative: points already spent on rewards are refused here, naming
    the redemptions to reverse first. With `skip_reversed`, a credit someone already reversed
    by hand is left as it is (0 returned).
    """
    account = load_account(uow, client_id)
    if key in account.reversed:
        if skip_reversed:
            return 0
        raise RuleRefused(
            f"{key}'s points were already reversed for {client_id}",
            "points_already_reversed",
            client=client_id,
            credit=key,
        )
    if not reason.strip():
        raise BadInput("give a reason for the reversal", "points_reversal_reason_missing")
    points = account.credits.get(key, 0)
    check_can_take_back(client_id, account.balance, points, key, sorted(account.redemptions))
    today = business_date(uow.clock())
    events: list[Any] = [
        PointsReversed(
            client_id=client_id, credit_key=key, reason=reason, business_date=today, points=points
        )
    ]
    if account.experience and account.experience.credit_key == key:
        events.append(
            ExperienceEnded(
                client_id=client_id, tier=account.experience.tier, on=today, outcome="cancelled"
            )
        )
    uow.record(*events)
    return points


def _month_bounds(month: str) -> tuple[date, date]:
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise BadInput(
            f"month {month!r} is not YYYY-MM, e.g. 2026-10", "points_bad_month", month=repr(month)
        ) from None
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
        after = date.fromordinal(last.toordinal() + 1)
        raise RuleRefused(
            f"{cmd.month} is not over yet; accrue its holding points from {after} on",
            "points_month_not_over",
            month=cmd.month,
            after=str(after),
        )
    rule_set = rule_set_for(published_rule_sets(uow.conn), last)
    key = f"holding:{cmd.month}"
    done = {
        r.client_id
        for r in uow.conn.execute(
            select(LedgerEntryRow.client_id).where(LedgerEntryRow.credit_key == key)
        )
    }
    uow.expect(
        dict(
            uow.conn.execute(
                select(event_log.c.stream_id, func.max(event_log.c.stream_version))
                .where(event_log.c.stream_id.like(f"{streams.POINTS_PREFIX}%"))
                .group_by(event_log.c.stream_id)
            ).all()
        )
    )
    credited = total = 0
    for client_id, aum_cents in uow.conn.execute(
        select(ClientRow.client_id, ClientRow.aum_cents).order_by(ClientRow.client_id)
    ):
        if client_id in done:
            continue
        aum = Decimal(aum_cents) / 100
        pts = holding_points(aum, rule_set.holding_points_per)
        if pts <= 0:
            continue
        line = LedgerLine(
            line=1,
            item="holding",
            value=aum,
            converted_delta=Decimal("0.00"),
            formula=f"floor({aum:.2f} / {rule_set.holding_points_per}) = {pts}",
            points=pts,
        )
        uow.record(
            PointsCredited(
                client_id=client_id,
                credit_key=key,
                kind="holding",
                reference=cmd.month,
                business_date=last,
                rule_set=rule_set.version,
                lines=[line],
                points=pts,
                converted_delta=Decimal("0.00"),
            )
        )
        credited += 1
        total += pts
    return {"month": cmd.month, "clients": credited, "points": total, "already_credited": len(done)}


def close_experience_periods(uow: UnitOfWork, cmd: CloseExperiencePeriods) -> dict[str, Any]:
    """End every experience period whose last day is before `on`; AUM alone decides the tier."""
    uow.actor.require("points.manage", "close experience periods")
    try:
        on = date.fromisoformat(cmd.on)
    except ValueError:
        raise BadInput(
            f"{cmd.on!r} is not a date (YYYY-MM-DD)", "points_bad_date", value=repr(cmd.on)
        ) from None
    ladder = tier_ladder(uow.conn)
    ended = {"lapsed": 0, "sustained": 0}
    rows = uow.conn.execute(
        select(ClientPointsRow.client_id, ClientPointsRow.experience_tier, ClientRow.aum_cents)
        .join(ClientRow, col(ClientRow.client_id) == ClientPointsRow.client_id)
        .where(col(ClientPointsRow.experience_ends) < on)
    ).all()
    for client_id, tier_code, aum_cents in rows:
        uow.stream_version(streams.points(client_id))
        standard = ladder.tier_for(Decimal(aum_cents) / 100)
        outcome = (
            "sustained"
            if ladder.rank(standard) >= ladder.rank(ladder.tier(tier_code))
            else "lapsed"
        )
        uow.record(ExperienceEnded(client_id=client_id, tier=tier_code, on=on, outcome=outcome))
        ended[outcome] += 1
    return {"on": cmd.on, **ended}


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise BadInput(
            f"{what} {text!r} is not a date (YYYY-MM-DD)",
            "points_bad_named_date",
            what=what,
            value=repr(text),
        ) from None


def credit_bonus(uow: UnitOfWork, cmd: CreditBonus) -> dict[str, Any]:
    """The appointment bonus (within the window) or a referral reward, once per reference."""
    uow.actor.require("forms.decide", "credit bonus points")
    _client(uow, cmd.client_id)
    on = _date(cmd.on, "date")
    rule_set = rule_set_for(published_rule_sets(uow.conn), on)
    if cmd.kind == "appointment_bonus":
        if not cmd.session_day:
            raise BadInput(
                "an appointment bonus needs the session's date", "points_bonus_needs_session_date"
            )
        bonus = appointment_bonus(rule_set, _date(cmd.session_day, "session date"), on)
    else:
        if not cmd.referred_client:
            raise BadInput(
                "a referral reward needs the referred client's id", "points_referral_needs_client"
            )
        _client(uow, cmd.referred_client)
        bonus = referral_reward(rule_set, cmd.kind, cmd.referred_client)
    key = f"{cmd.kind}:{cmd.reference}"
    account = load_account(uow, cmd.client_id)
    if key in account.credits:
        raise RuleRefused(
            f"{cmd.kind} for {cmd.reference} was already credited to "
            f"{cmd.client_id}; nothing was added",
            "points_bonus_already_credited",
            kind=cmd.kind,
            reference=cmd.reference,
            client_id=cmd.client_id,
        )
    uow.record(
        PointsCredited(
            client_id=cmd.client_id,
            credit_key=key,
            kind=cmd.kind,
            reference=cmd.reference,
            business_date=on,
            rule_set=rule_set.version,
            lines=[LedgerLine(line=1, item=cmd.kind, formula=bonus.formula, points=bonus.points)],
            points=bonus.points,
            converted_delta=Decimal("0.00"),
        )
    )
    return {
        "client_id": cmd.client_id,
        "credit_key": key,
        "points": bonus.points,
        "rule_set": rule_set.version,
    }


HANDLERS: Handlers = {
    CreditBonus: credit_bonus,
    CreditFormPoints: credit_form_points,
    ReverseFormPoints: reverse_form_points,
    AccrueHoldingPoints: accrue_holding_points,
    CloseExperiencePeriods: close_experience_periods,
}
