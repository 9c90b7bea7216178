"""Points (积分) and converted-AUM (折算资产) arithmetic for form lines (SPEC §3.2).

Decimal only. Line values and deltas are rounded to the cent half up; points are floored, so a
line never earns more than its exact weighted value. Arithmetic runs with 60 significant digits,
so no product of a line value, a coefficient and multipliers is ever rounded before the floor.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Any, NamedTuple

from upgradecamp.domain.errors import BadInput
from upgradecamp.domain.rules import SOURCES, Product, RuleSet

CENT = Decimal("0.01")
ZERO_MONEY = Decimal("0.00")
# Nobody brings a trillion CNY to a branch event: a bigger line is a typo, and the bound keeps
# every product well inside the working precision.
MAX_LINE_VALUE = Decimal(10) ** 12
HOLDING_PER_DEFAULT = Decimal(1000)
EXACT = Context(prec=60, rounding=ROUND_HALF_UP)


class FormLine(NamedTuple):
    """One line of a registration form: an amount in CNY, or a count for count products."""

    product: str
    value: Decimal
    source: str = "new"


class LineResult(NamedTuple):
    """A priced line; `value` is the line value v (count × unit_value for count products)."""

    product: str
    value: Decimal
    coefficient: Decimal
    multiplier: Decimal
    converted_delta: Decimal
    points: int
    source: str = "new"
    units: int | None = None
    points_unit: int = 100

    @property
    def formula(self) -> str:
        """How the points came about, e.g. "floor(10000.00 × 1.5 × 1.2 / 100) = 180".

        Built on demand: the calculator prices many more lines than anyone reads.
        """
        if self.units is None:
            shown = f"{self.value}"
        else:
            shown = f"{self.units} × {(self.value / self.units).normalize():f}"
        return (
            f"floor({shown} × {ratio(self.coefficient)} × {ratio(self.multiplier)}"
            f" / {self.points_unit}) = {self.points}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "source": self.source,
            "value": money(self.value),
            "units": self.units,
            "coefficient": ratio(self.coefficient),
            "multiplier": ratio(self.multiplier),
            "converted_delta": money(self.converted_delta),
            "points": self.points,
            "formula": self.formula,
        }


def money(amount: Decimal) -> str:
    """CNY with exactly two decimals, as SPEC §6 prints money ("49000.00")."""
    return f"{amount.quantize(CENT, ROUND_HALF_UP):f}"


def ratio(value: Decimal) -> str:
    """A coefficient or multiplier without trailing zeros but with one decimal ("1.8", "3.0")."""
    text = f"{value.normalize():f}"
    return text if "." in text else text + ".0"


def product_of(rule_set: RuleSet, code: str) -> Product:
    product = rule_set.products.get(code)
    if product is None:
        known = ", ".join(rule_set.products)
        raise BadInput(
            f"unknown product {code!r} in rule set {rule_set.version}; known products: {known}",
            "unknown_product",
            product=code,
            version=rule_set.version,
        )
    return product


def action_points(rule_set: RuleSet, code: str) -> int:
    action = rule_set.actions.get(code)
    if action is None:
        known = ", ".join(rule_set.actions) or "none"
        raise BadInput(
            f"unknown action {code!r} in rule set {rule_set.version}; known actions: {known}",
            "unknown_action",
            action=code,
            version=rule_set.version,
            known=known,
        )
    return action.points


def line_value(product: Product, raw: Decimal | int) -> tuple[Decimal, int | None]:
    """The line value v in CNY (cents) and, for count products, the whole number of units."""
    if type(raw) is Decimal:
        value = raw
    elif isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        value = Decimal(raw)
    else:
        raise BadInput(
            f"{_label(product)}: the value must be a decimal number, got {raw!r}",
            "not_a_number",
            product=_label(product),
            value=raw,
        )
    if not value.is_finite() or value <= 0:
        raise BadInput(
            f"{_label(product)}: the value must be greater than 0, got {raw}",
            "not_positive",
            product=_label(product),
            value=raw,
        )
    if value > MAX_LINE_VALUE:
        raise BadInput(
            f"{_label(product)}: {raw} is more than one line may carry; check it",
            "line_value_too_large",
            product=_label(product),
            value=str(raw),
        )
    if product.kind == "count":
        if value != value.to_integral_value():
            raise BadInput(
                f"{_label(product)} is counted in whole units; got {raw}, give e.g. 1 or 2",
                "whole_units",
                product=_label(product),
                value=raw,
            )
        units = int(value)
        assert product.unit_value is not None  # rules.py gives every count product one
        amount = (units * product.unit_value).quantize(CENT, ROUND_HALF_UP)
    else:
        units = None
        amount = value.quantize(CENT, ROUND_HALF_UP)
        if amount != value:  # never rounded: 1000.123 is a typo, not 1000.12
            raise BadInput(
                f"{_label(product)}: {raw} has more than two decimals; give the "
                "amount to the cent, e.g. 1000.12",
                "more_than_two_decimals",
                product=_label(product),
                value=str(raw),
            )
    if amount > MAX_LINE_VALUE:
        raise BadInput(
            f"{_label(product)}: {amount} CNY is more than one line may carry",
            "line_value_too_large",
            product=_label(product),
            value=str(amount),
        )
    return amount, units


def _label(product: Product) -> str:
    return f"{product.code} ({product.name_zh})"


def _product_and_source(rule_set: RuleSet, line: FormLine) -> Product:
    product = product_of(rule_set, line.product)
    if line.source not in SOURCES:
        raise BadInput(
            f"{line.product}: unknown source of funds {line.source!r}; "
            "use existing, new or other_bank",
            "unknown_source",
            product=line.product,
            source=line.source,
        )
    return product


def check_line(rule_set: RuleSet, line: FormLine) -> Product:
    """Validate a line against a rule set; BadInput says which part is wrong."""
    product = _product_and_source(rule_set, line)
    line_value(product, line.value)
    return product


def price_line(rule_set: RuleSet, line: FormLine, on_site: bool) -> LineResult:
    """Converted-AUM delta and points of one line; `formula` explains the points."""
    with localcontext(EXACT):
        return price_line_exact(rule_set, line, on_site)


def price_line_exact(rule_set: RuleSet, line: FormLine, on_site: bool) -> LineResult:
    """`price_line` for callers already inside `localcontext(EXACT)` (one context per form)."""
    table = rule_set.memo.get("pricing") or _pricing_table(rule_set)
    entry = table.get((line.product, on_site, line.source))
    if entry is None:
        _product_and_source(rule_set, line)  # raises the message that fits
        raise AssertionError(f"no price for {line.product} from {line.source}")
    product, factor, multiplier, weight = entry
    value, units = line_value(product, line.value)
    return LineResult(
        product.code,
        value,
        product.coefficient,
        multiplier,
        (value * factor).quantize(CENT, ROUND_HALF_UP),
        int(value * weight // rule_set.points_unit),
        line.source,
        units,
        rule_set.points_unit,
    )


def _pricing_table(rule_set: RuleSet) -> dict[tuple[str, bool, str], tuple]:
    """Per (product, on site, source): the product, delta factor, multiplier and points weight.

    Money already at the bank (`existing`) only counts for the promotional uplift, and a
    product weighted below 1 has none: moving money into it does not shrink the client's AUM.
    """
    table = {}
    with localcontext(EXACT):
        for product in rule_set.products.values():
            coefficient = product.coefficient
            uplift = coefficient - 1 if coefficient > 1 else Decimal(0)
            for on_site in (False, True):
                for source in SOURCES:
                    multiplier = rule_set.multiplier(on_site, source)
                    factor = uplift if source == "existing" else coefficient
                    weight = coefficient * multiplier
                    table[product.code, on_site, source] = (product, factor, multiplier, weight)
    rule_set.memo["pricing"] = table
    return table


def holding_points(month_average_aum: Decimal, per: Decimal = HOLDING_PER_DEFAULT) -> int:
    """Monthly holding points: 1 per full `per` CNY (RuleSet.holding_points_per) of average AUM."""
    if not isinstance(month_average_aum, Decimal | int) or isinstance(month_average_aum, bool):
        raise BadInput(
            f"month-average AUM must be a decimal number, got {month_average_aum!r}",
            "holding_aum_not_number",
            value=repr(month_average_aum),
        )
    if not Decimal(month_average_aum).is_finite() or month_average_aum < 0:
        raise BadInput(
            f"month-average AUM must be 0 or more, got {month_average_aum}",
            "holding_aum_negative",
            value=str(month_average_aum),
        )
    with localcontext(EXACT):
        return int(Decimal(month_average_aum) // per)


WAN = Decimal(10_000)


def in_yuan(text: str) -> str:
    """An amount as typed, with a trailing 万 (ten thousand, how staff say amounts) written out
    in yuan: `12万` is `120000`, `1.5万` is `15000`. Anything else is returned as it came, for
    the caller's own check to refuse or accept."""
    if not text.endswith("万"):
        return text
    try:
        value = Decimal(text[:-1]) * WAN
    except InvalidOperation:
        return text
    return format(value.normalize(), "f") if value.is_finite() else text


def parse_line_spec(spec: str, rule_set: RuleSet) -> FormLine:
    """Read the CLI syntax PRODUCT:VALUE[:SOURCE] (source defaults to new; VALUE may be in 万)."""
    usage = "write PRODUCT:VALUE[:SOURCE], e.g. fund:10000:new or credit_card:1"
    parts = [part.strip() for part in spec.replace("：", ":").split(":")]
    if len(parts) not in (2, 3) or not all(parts):
        raise BadInput(f"cannot read line {spec!r}; {usage}", "line_spec_unreadable", spec=spec)
    code, raw = parts[0].lower(), in_yuan(parts[1].replace(",", ""))
    source = parts[2].lower() if len(parts) == 3 else "new"
    product_of(rule_set, code)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise BadInput(
            f"line {spec!r}: {parts[1]!r} is not a number; {usage}",
            "not_a_number",
            product=code,
            value=parts[1],
        ) from None
    line = FormLine(code, value, source)
    check_line(rule_set, line)
    return line
