"""Tier service plans (贵宾客户服务方案): which calls each tier is owed, and when. Pure.

fixtures/maintenance.toml gives, per tier: `birthday_days` (greet this many days ahead),
`maturity_days` (call this many days before a
holding matures), `experience_days` (before an experience tier ends), `tier_changed_days` (call
within this many days of a client's tier going up or down), `dormant_days` (call a
client not contacted for this long), `sms` (monthly or quarterly push list) and `sms_theme`.
`plan_calls` turns a day and the clients' facts into the follow-ups owed; ids are derived from
the kind, the client and the occasion, so a second run on the same day (or the next) finds
them recorded and creates nothing twice. Birthday and dormant calls are marketing: only for
clients with consent. A client without a relationship manager on the staff is counted, not called.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from upgradecamp.domain.errors import BadInput

BIRTHDAY_CALL = "birthday_call"
MATURITY_CALL = "maturity_call"
EXPERIENCE_ENDING = "experience_ending"
TIER_CHANGED = "tier_changed"
DORMANT_CALL = "dormant_call"
KINDS = (BIRTHDAY_CALL, MATURITY_CALL, EXPERIENCE_ENDING, TIER_CHANGED, DORMANT_CALL)
MARKETING = (BIRTHDAY_CALL, DORMANT_CALL)
SHORT = {
    BIRTHDAY_CALL: "BD",
    MATURITY_CALL: "MT",
    EXPERIENCE_ENDING: "XE",
    TIER_CHANGED: "TC",
    DORMANT_CALL: "DM",
}
DAYS = ("birthday_days", "maturity_days", "experience_days", "tier_changed_days", "dormant_days")
FREQUENCIES = ("monthly", "quarterly")


@dataclass(frozen=True)
class TierPlan:
    tier: str
    birthday_days: int | None = None
    maturity_days: int | None = None
    experience_days: int | None = None
    tier_changed_days: int | None = None
    dormant_days: int | None = None
    sms: str | None = None
    sms_theme: str = ""
    sms_theme_en: str | None = None  # the en CLI's name of the theme


def parse_plans(data: Mapping[str, Any], tiers: Sequence[str], where: str) -> dict[str, TierPlan]:
    plans: dict[str, TierPlan] = {}
    for tier, entry in (data.get("tier") or {}).items():
        if tier not in tiers:
            raise BadInput(
                f"{where}: unknown tier '{tier}'; use one of {', '.join(tiers)}",
                "plan_unknown_tier",
                where=where,
                tier=str(tier),
                known=", ".join(tiers),
            )
        days = {}
        for key in DAYS:
            value = entry.get(key)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise BadInput(
                    f"{where}: tier {tier} {key} must be a whole number of days",
                    "plan_days_not_whole",
                    where=where,
                    tier=str(tier),
                    key=key,
                )
            days[key] = value
        sms = entry.get("sms")
        if sms is not None and sms not in FREQUENCIES:
            raise BadInput(
                f"{where}: tier {tier} sms must be monthly or quarterly",
                "plan_bad_sms_frequency",
                where=where,
                tier=str(tier),
            )
        plans[tier] = TierPlan(
            tier,
            sms=sms,
            sms_theme=str(entry.get("sms_theme", "")),
            sms_theme_en=str(entry.get("sms_theme_en") or "").strip() or None,
            **days,
        )
    return plans


@dataclass(frozen=True)
class TierMove:
    """A client's tier went from `before` to `after` on `on` (an AUM import, an experience
    tier starting or ending)."""

    before: str
    after: str
    on: date


@dataclass(frozen=True)
class ClientFacts:
    """`tier` the client's tier today (the experience tier while it lasts); `rm` None when no
    member of staff; `last_contact` the last check-in or follow-up outcome, if any; `moved`
    the client's last change of tier, if any."""

    client_id: str
    tier: str
    rm: str | None
    consent: bool
    maturities: tuple[tuple[str, date], ...] = ()
    experience_ends: date | None = None
    last_contact: date | None = None
    known_since: date | None = None
    birthday: str | None = None  # MM-DD
    moved: TierMove | None = None


@dataclass(frozen=True)
class PushDue:
    """A tier's SMS push (推送) on a day: `due` when the day falls in a month the cadence
    sends (every month; a quarter's first month), `period` the month (2026-11) or quarter
    (2026Q4) it is for, `next_due` the first day of the next period that sends."""

    tier: str
    theme: str
    frequency: str
    due: bool
    period: str
    next_due: date
    theme_en: str | None = None


def _month_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def push_due(plan: TierPlan, on: date) -> PushDue | None:
    """None when the plan has no push list."""
    if plan.sms is None:
        return None
    if plan.sms == "monthly":
        return PushDue(
            plan.tier,
            plan.sms_theme,
            plan.sms,
            True,
            f"{on:%Y-%m}",
            _month_after(on, 1),
            plan.sms_theme_en,
        )
    first = date(on.year, (on.month - 1) // 3 * 3 + 1, 1)
    return PushDue(
        plan.tier,
        plan.sms_theme,
        plan.sms,
        on.month == first.month,
        f"{on.year}Q{(on.month - 1) // 3 + 1}",
        _month_after(first, 3),
        plan.sms_theme_en,
    )


def next_birthday(birthday: str, on: date) -> date:
    """The birthday's next day on or after `on`; 02-29 falls on 02-28 in other years."""
    month, day = (int(x) for x in birthday.split("-"))
    for year in (on.year, on.year + 1):
        try:
            found = date(year, month, day)
        except ValueError:
            found = date(year, month, day - 1)
        if found >= on:
            return found
    raise AssertionError("unreachable: next year's birthday is after `on`")


@dataclass(frozen=True)
class PlannedCall:
    followup_id: str
    kind: str
    client_id: str
    assignee: str
    due: date
    tier: str
    occasion: str


@dataclass
class Plan:
    calls: list[PlannedCall] = field(default_factory=list)
    without_rm: int = 0
    without_consent: int = 0

    def add(self, c: ClientFacts, owed: list[tuple[str, date, str]]) -> None:
        """The calls owed to `c`, less marketing without consent and clients without an RM."""
        for kind, due, occasion in owed:
            if kind in MARKETING and not c.consent:
                self.without_consent += 1
                continue
            if c.rm is None:
                self.without_rm += 1
                continue
            self.calls.append(
                PlannedCall(
                    _id(kind, c.client_id, occasion), kind, c.client_id, c.rm, due, c.tier, occasion
                )
            )


def _id(kind: str, client_id: str, occasion: str) -> str:
    return f"MNT-{SHORT[kind]}-{client_id}-{occasion}"


def plan_calls(on: date, plans: Mapping[str, TierPlan], clients: Iterable[ClientFacts]) -> Plan:
    """The calls owed on `on`: a birthday within `birthday_days` (a greeting, due on the
    day; marketing), a holding maturing within `maturity_days` (due the day before
    it matures, or today), an experience tier ending within `experience_days` (due today),
    a client whose tier went up or down within the last `tier_changed_days` (due that many
    days after the change; the new tier's plan, or the old one's when the new tier has none),
    a client not contacted for `dormant_days` (one call a month, due today)."""
    out = Plan()
    for c in clients:
        plan = plans.get(c.tier)
        owed: list[tuple[str, date, str]] = []
        moved = _tier_move_owed(on, plans, c)
        if moved is not None:
            owed.append(moved)
        if plan is None:
            out.add(c, owed)
            continue
        if plan.birthday_days is not None and c.birthday:
            day = next_birthday(c.birthday, on)
            if (day - on).days <= plan.birthday_days:
                owed.append((BIRTHDAY_CALL, day, f"{day:%Y%m%d}"))
        if plan.maturity_days is not None:
            for product, day in c.maturities:
                if on <= day <= on + timedelta(days=plan.maturity_days):
                    owed.append(
                        (MATURITY_CALL, max(on, day - timedelta(days=1)), f"{product}-{day:%Y%m%d}")
                    )
        if (
            plan.experience_days is not None
            and c.experience_ends is not None
            and on <= c.experience_ends <= on + timedelta(days=plan.experience_days)
        ):
            owed.append((EXPERIENCE_ENDING, on, f"{c.experience_ends:%Y%m%d}"))
        if plan.dormant_days is not None:
            since = c.last_contact or c.known_since
            if since is not None and (on - since).days >= plan.dormant_days:
                owed.append((DORMANT_CALL, on, f"{on:%Y%m}"))
        out.add(c, owed)
    return out


def _tier_move_owed(
    on: date, plans: Mapping[str, TierPlan], c: ClientFacts
) -> tuple[str, date, str] | None:
    move = c.moved
    if move is None or move.before == move.after or move.after != c.tier:
        return None
    plan = plans.get(move.after) or plans.get(move.before)
    days = plan.tier_changed_days if plan is not None else None
    if days is None or not move.on <= on <= move.on + timedelta(days=days):
        return None
    occasion = f"{move.before}-{move.after}-{move.on:%Y%m%d}"
    return (TIER_CHANGED, move.on + timedelta(days=days), occasion)
