"""The registration-form calculator: converted AUM, points, tier, gap and proposals (SPEC §3.2).

The TUI recomputes on every keystroke and reports price thousands of forms, so `calculate` is
pure and cheap: one decimal context per call, no file access, no re-parsing of rules.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext
from typing import Any, NamedTuple

from upgradecamp.domain.errors import BadInput
from upgradecamp.domain.points import (
    CENT,
    EXACT,
    ZERO_MONEY,
    FormLine,
    LineResult,
    action_points,
    money,
    price_line_exact,
)
from upgradecamp.domain.rules import RuleSet
from upgradecamp.domain.tiers import Tier, TierLadder

# Keeps every sum well inside the 60-digit working precision; no client holds 10^15 CNY.
MAX_AUM = Decimal(10) ** 15


class Calculation(NamedTuple):
    """What the form is worth; `gap` is what is still missing to `next_tier` (0.00 at the top)."""

    rule_set_version: str
    aum: Decimal
    on_site: bool
    lines: list[LineResult]
    actions: list[tuple[str, int]]
    converted_delta: Decimal
    converted_aum: Decimal
    tier: Tier
    next_tier: Tier | None
    gap: Decimal
    points: int
    proposals: dict[str, Decimal]

    def to_json(self) -> dict[str, Any]:
        """The `calc --json` document (SPEC §6): money as two-decimal strings, points as ints."""
        return {
            "rule_set": self.rule_set_version,
            "aum": money(self.aum),
            "on_site": self.on_site,
            "converted_delta": money(self.converted_delta),
            "converted_aum": money(self.converted_aum),
            "tier": self.tier.code,
            "next_tier": self.next_tier.code if self.next_tier else None,
            "gap": money(self.gap),
            "points": self.points,
            "proposals": {code: money(amount) for code, amount in self.proposals.items()},
            "lines": [line.to_json() for line in self.lines],
            "actions": [{"code": code, "points": points} for code, points in self.actions],
        }


def calculate(
    rule_set: RuleSet,
    ladder: TierLadder,
    aum: Decimal,
    lines: list[FormLine],
    actions: list[str],
    on_site: bool,
) -> Calculation:
    """Price a whole form for a client with `aum` (CNY); raises BadInput on any bad line."""
    if isinstance(aum, bool) or not isinstance(aum, Decimal | int):
        raise BadInput(
            f"AUM must be a decimal number, got {aum!r}", "aum_not_number", value=repr(aum)
        )
    if not Decimal(aum).is_finite() or aum < 0:
        raise BadInput(f"AUM must be 0 or more, got {aum}", "aum_negative", value=str(aum))
    if aum > MAX_AUM:
        raise BadInput(
            f"AUM {aum} is beyond any client's; check the value", "aum_too_large", value=str(aum)
        )
    with localcontext(EXACT):
        aum = Decimal(aum).quantize(CENT, ROUND_HALF_UP)
        results = [price_line_exact(rule_set, line, on_site) for line in lines]
        priced_actions = _actions(rule_set, actions)
        delta = ZERO_MONEY
        points = 0
        for result in results:
            delta += result.converted_delta
            points += result.points
        for _code, earned in priced_actions:
            points += earned
        converted = aum + delta
        tier = ladder.tier_for(converted)
        next_tier = ladder.next_tier(tier)
        if next_tier is None:
            gap, proposals = ZERO_MONEY, {}
        else:
            gap = (next_tier.minimum - converted).quantize(CENT)
            proposals = _proposals(rule_set, gap)
    return Calculation(
        rule_set.version,
        aum,
        on_site,
        results,
        priced_actions,
        delta,
        converted,
        tier,
        next_tier,
        gap,
        points,
        proposals,
    )


def _actions(rule_set: RuleSet, codes: list[str]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for code in codes:
        if any(code == seen for seen, _ in out):
            raise BadInput(
                f"action {code!r} is listed twice; a client earns it once per form",
                "action_listed_twice",
                action=code,
            )
        out.append((code, action_points(rule_set, code)))
    return out


def _proposals(rule_set: RuleSet, gap: Decimal) -> dict[str, Decimal]:
    """New money per product that alone closes `gap` (> 0), rounded up so it always does.

    An amount product needs ceil_cent(gap / coefficient): its delta, rounded half up, is then
    at least gap. A count product (credit cards) needs whole units, proposed as
    units × unit_value CNY; `proposal_line` turns any proposal back into a form line.
    Products with coefficient 0 are skipped: no amount of them closes a gap.
    """
    plan = rule_set.memo.get("proposal_plan") or _proposal_plan(rule_set)
    by_coefficient: dict[Decimal, Decimal] = {}
    out: dict[str, Decimal] = {}
    for code, coefficient, unit_value in plan:
        if unit_value is None:
            amount = by_coefficient.get(coefficient)
            if amount is None:
                amount = (gap / coefficient).quantize(CENT, ROUND_CEILING)
                by_coefficient[coefficient] = amount
        else:
            units = (gap / (unit_value * coefficient)).to_integral_value(ROUND_CEILING)
            amount = (units * unit_value).quantize(CENT)
        out[code] = amount
    return out


def _proposal_plan(rule_set: RuleSet) -> list[tuple[str, Decimal, Decimal | None]]:
    plan = [
        (p.code, p.coefficient, p.unit_value if p.kind == "count" else None)
        for p in rule_set.products.values()
        if p.coefficient != 0
    ]
    rule_set.memo["proposal_plan"] = plan
    return plan


def proposal_line(rule_set: RuleSet, product_code: str, amount: Decimal) -> FormLine:
    """The new-money form line a proposal stands for (a count for count products)."""
    product = rule_set.products[product_code]
    if product.kind == "count":
        assert product.unit_value is not None  # rules.py gives every count product one
        return FormLine(product_code, (amount / product.unit_value).to_integral_value(), "new")
    return FormLine(product_code, amount, "new")
