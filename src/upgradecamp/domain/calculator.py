"""The registration-form calculator: converted AUM, points, tier, gap and proposals (SPEC §3.2).

The TUI recomputes on every keystroke and reports price thousands of forms, so `calculate` is
pure and cheap: one decimal context per call, no file access, no re-parsing of rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

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


@dataclass(frozen=True, slots=True)
class Calculation:
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
        raise BadInput(f"AUM must be a decimal number, got {aum!r}")
    if not Decimal(aum).is_finite() or aum < 0:
        raise BadInput(f"AUM must be 0 or more, got {aum}")
    with localcontext(EXACT):
        aum = Decimal(aum).quantize(CENT, ROUND_HALF_UP)
        results = [price_line_exact(rule_set, line, on_site) for line in lines]
        priced_actions = _actions(rule_set, actions)
        delta = sum((r.converted_delta for r in results), ZERO_MONEY)
        converted = aum + delta
        tier = ladder.tier_for(converted)
        next_tier = ladder.next_tier(tier)
        gap = next_tier.minimum - converted if next_tier else ZERO_MONEY
        proposals = _proposals(rule_set, gap) if next_tier else {}
    points = sum(r.points for r in results) + sum(p for _, p in priced_actions)
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
        gap.quantize(CENT),
        points,
        proposals,
    )


def _actions(rule_set: RuleSet, codes: list[str]) -> list[tuple[str, int]]:
    seen: set[str] = set()
    out = []
    for code in codes:
        if code in seen:
            raise BadInput(f"action {code!r} is listed twice; a client earns it once per form")
        seen.add(code)
        out.append((code, action_points(rule_set, code)))
    return out


def _proposals(rule_set: RuleSet, gap: Decimal) -> dict[str, Decimal]:
    """New money per product that alone closes `gap`, rounded up so it always does.

    Count products (credit cards) propose whole units, given as units × unit_value CNY;
    `proposal_line` turns any proposal back into a form line. Coefficient-0 products are
    skipped: no amount of them closes a gap.
    """
    out: dict[str, Decimal] = {}
    for product in rule_set.products.values():
        coefficient = product.coefficient
        if coefficient == 0:
            continue
        if product.kind == "count":
            per_unit = product.unit_value * coefficient
            units = (gap / per_unit).to_integral_value(ROUND_CEILING)
            out[product.code] = (units * product.unit_value).quantize(CENT)
            continue
        amount = (gap / coefficient).quantize(CENT, ROUND_CEILING)
        # The delta is rounded half up, so the ceiling already closes the gap; the loop is a
        # guard should a rule ever round differently.
        while (amount * coefficient).quantize(CENT, ROUND_HALF_UP) < gap:
            amount += CENT
        out[product.code] = amount
    return out


def proposal_line(rule_set: RuleSet, product_code: str, amount: Decimal) -> FormLine:
    """The new-money form line a proposal stands for (a count for count products)."""
    product = rule_set.products[product_code]
    if product.kind == "count":
        return FormLine(product_code, (amount / product.unit_value).to_integral_value(), "new")
    return FormLine(product_code, amount, "new")
