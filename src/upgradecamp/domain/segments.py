"""Marketing segments by AUM (SPEC §3.1), used by invite mixes and reports."""

from __future__ import annotations

from decimal import Decimal

POTENTIAL_MIN = Decimal("50000")
MID_HIGH_MIN = Decimal("200000")
PRIVATE_MIN = Decimal("8000000")


def segment_for(aum: Decimal) -> str:
    if aum < POTENTIAL_MIN:
        return "long_tail"
    if aum < MID_HIGH_MIN:
        return "potential"
    if aum < PRIVATE_MIN:
        return "mid_high"
    return "private"
