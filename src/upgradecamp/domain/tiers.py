"""The tier ladder (客户分层) and marketing segments (SPEC §3.1).

A client's tier comes from converted AUM (折算资产); marketing segments come from plain AUM and
are fixed by the SPEC, because invite mixes and reports compare across quarters.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from upgradecamp.domain.errors import BadInput, RuleRefused
from upgradecamp.domain.rules import (
    check_keys,
    decimal_value,
    english,
    entry_code,
    fail,
    optional_text,
    read_toml,
    text_value,
)

SEGMENTS = ("long_tail", "potential", "mid_high", "private")
_SEGMENT_FLOORS = (Decimal(0), Decimal(50_000), Decimal(200_000), Decimal(8_000_000))


class Tier(NamedTuple):
    code: str
    name_zh: str
    minimum: Decimal
    name_en: str | None = None  # the en screens' name; a file without one shows the code


class TierLadder:
    """Tiers from lowest to highest; minimums start at 0 and strictly increase.

    Immutable, compared by its tiers and VIP line; a plain class for the reason `RuleSet` is one.
    """

    __slots__ = ("tiers", "vip_from", "_minimums", "_index")
    tiers: tuple[Tier, ...]
    vip_from: str
    _minimums: list[Decimal]
    _index: dict[str, int]

    def __init__(self, tiers: tuple[Tier, ...], vip_from: str) -> None:
        tiers = tuple(tiers)
        check_ladder(tiers, vip_from, "tier ladder")
        init = object.__setattr__
        init(self, "tiers", tiers)
        init(self, "vip_from", vip_from)
        init(self, "_minimums", [t.minimum for t in tiers])
        init(self, "_index", {t.code: i for i, t in enumerate(tiers)})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a tier ladder is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a tier ladder is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.tiers, self.vip_from) == (other.tiers, other.vip_from)

    def __repr__(self) -> str:
        return f"TierLadder({[t.code for t in self.tiers]!r}, vip_from={self.vip_from!r})"

    def __hash__(self) -> int:
        return hash((self.tiers, self.vip_from))

    def tier(self, code: str) -> Tier:
        if code not in self._index:
            known = ", ".join(self._index)
            raise BadInput(
                f"unknown tier {code!r}; known tiers: {known}",
                "unknown_tier",
                tier=code,
                known=known,
            )
        return self.tiers[self._index[code]]

    def rank(self, tier: Tier) -> int:
        """0 for the lowest tier; compares tiers ("did the client move up?")."""
        return self._index[tier.code]

    def tier_for(self, converted_aum: Decimal) -> Tier:
        """The highest tier whose minimum the converted AUM reaches."""
        if converted_aum < 0:
            raise BadInput(
                f"converted AUM cannot be negative, got {converted_aum}",
                "aum_negative",
                value=str(converted_aum),
            )
        return self.tiers[bisect_right(self._minimums, converted_aum) - 1]

    def next_tier(self, tier: Tier) -> Tier | None:
        position = self._index[tier.code] + 1
        return self.tiers[position] if position < len(self.tiers) else None

    def is_vip(self, tier: Tier) -> bool:
        """贵宾: the vip_from tier or above."""
        return self._index[tier.code] >= self._index[self.vip_from]

    def to_payload(self) -> dict[str, Any]:
        return {
            "vip_from": self.vip_from,
            "tiers": [
                {
                    "code": t.code,
                    "name_zh": t.name_zh,
                    **english(t.name_en),
                    "minimum": str(t.minimum),
                }
                for t in self.tiers
            ],
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], source: str = "tier payload") -> TierLadder:
        return parse_tier_ladder(payload, source)


def check_ladder(tiers: tuple[Tier, ...], vip_from: str, src: str) -> None:
    """A ladder that does not start at 0 or is not strictly increasing would leave AUM untiered."""
    if not tiers:
        raise fail(src, "tiers", "at least one tier is needed")
    if tiers[0].minimum != 0:
        raise fail(src, f"tiers[{tiers[0].code}].minimum", "the first tier must start at 0")
    codes = set()
    for lower, upper in zip(tiers, tiers[1:], strict=False):
        if upper.minimum <= lower.minimum:
            raise fail(
                src,
                f"tiers[{upper.code}].minimum",
                f"{upper.minimum} must be above {lower.code}'s {lower.minimum}",
            )
    for tier in tiers:
        if tier.code in codes:
            raise fail(src, f"tiers[{tier.code}]", "defined twice")
        codes.add(tier.code)
    if vip_from not in codes:
        raise fail(src, "vip_from", f"{vip_from!r} is not a tier code")


def parse_tier_ladder(data: Mapping[str, Any], src: str) -> TierLadder:
    check_keys(data, ("vip_from", "tiers"), src, "")
    raw = data.get("tiers")
    if not isinstance(raw, list) or not raw:
        raise fail(src, "tiers", "must be a non-empty list of tables ([[tiers]])")
    tiers = []
    for index, entry in enumerate(raw):
        code = entry_code(entry, ("code", "name_zh", "name_en", "minimum"), src, "tiers", index)
        where = f"tiers[{code}]."
        tiers.append(
            Tier(
                code,
                text_value(entry, "name_zh", src, where),
                decimal_value(entry, "minimum", src, where),
                optional_text(entry, "name_en", src, where),
            )
        )
    vip_from = text_value(data, "vip_from", src)
    check_ladder(tuple(tiers), vip_from, src)
    return TierLadder(tuple(tiers), vip_from)


def load_tier_ladder(path: str | Path) -> TierLadder:
    return parse_tier_ladder(read_toml(path), str(path))


def segment_for(aum: Decimal) -> str:
    """Marketing segment by plain AUM: long_tail, potential, mid_high or private."""
    if aum < 0:
        raise BadInput(f"AUM cannot be negative, got {aum}", "aum_negative", value=str(aum))
    return SEGMENTS[bisect_right(_SEGMENT_FLOORS, aum) - 1]


def no_ladder() -> RuleRefused:
    return RuleRefused(
        "no tier ladder is published; run `upgradecamp init` on this database", "no_tier_ladder"
    )
