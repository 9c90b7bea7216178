"""How the screens write amounts and rates: from Decimal, never through float (money is
exact; a float would print 0.285 as 28% one day and 29% the next)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def whole_yuan(value: Any) -> str:
    """An amount to the whole yuan with thousands separators; what is not a number, as is."""
    try:
        return f"{Decimal(str(value)):,.0f}"
    except (InvalidOperation, ValueError):
        return str(value)


def percent(rate: Any) -> str:
    """A rate (0.285 or "0.285") as a whole percentage; "-" when there is none."""
    if rate is None:
        return "-"
    try:
        return f"{Decimal(str(rate)) * 100:.0f}%"
    except (InvalidOperation, ValueError):
        return str(rate)
