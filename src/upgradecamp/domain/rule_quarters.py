"""Crossing the quarter (跨季度): the next rule set's name and dates, a draft copied from the set
in force, the edits staff may make to it, what it changes, and when staff must be warned.

Rule sets are named by calendar quarter (2026Q4) and cover it exactly; a form whose business
day no published set covers is refused. So a quarter's end with no successor published stops
every branch's registrations the next morning, and staff hear about it two weeks ahead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from upgradecamp.domain.errors import BadInput, RuleRefused
from upgradecamp.domain.rules import RuleSet, parse_rule_set

WARNING_DAYS = 14
_QUARTER = re.compile(r"(\d{4})Q([1-4])\Z")
_QUARTER_STARTS = {1: (1, 1), 2: (4, 1), 3: (7, 1), 4: (10, 1)}
# Fields a draft may change: not the name or dates (they follow from the quarter), not what a
# product is (code, kind, risk level: suitability checks rely on those staying put).
DECIMAL_BONUSES = ("on_site_multiplier", "other_bank_multiplier", "holding_points_per")
INT_BONUSES = (
    "points_unit",
    "appointment_bonus",
    "appointment_window_days",
    "referral_checkin",
    "referral_first_approval",
    "experience_days",
)
_DATED = ("version", "effective_from", "effective_to")


def quarter_of(version: str) -> tuple[int, int] | None:
    """(year, quarter) of a version named like 2026Q4; None for any other name."""
    found = _QUARTER.match(version.strip())
    return (int(found[1]), int(found[2])) if found else None


def quarter_dates(year: int, quarter: int) -> tuple[date, date]:
    """First and last (inclusive) day of a calendar quarter."""
    start = date(year, *_QUARTER_STARTS[quarter])
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, *_QUARTER_STARTS[quarter + 1])
    return start, following - timedelta(days=1)


def next_version(version: str) -> str | None:
    """The name of the quarter after `version` (2026Q4 → 2027Q1); None if not quarter-named."""
    found = quarter_of(version)
    if found is None:
        return None
    year, quarter = found
    return f"{year + 1}Q1" if quarter == 4 else f"{year}Q{quarter + 1}"


def draft_next(source: RuleSet, name: str, existing: Iterable[str]) -> RuleSet:
    """A copy of `source` named `name` and dated as the quarter after it, to edit and publish.

    Refused when `name` is not the quarter after `source` (BadInput) or is already taken
    (RuleRefused: published rule sets never change).
    """
    expected = next_version(source.version)
    if expected is None:
        raise BadInput(
            f"rule set {source.version!r} is not named by quarter (like 2026Q4), so "
            "its successor's dates are unknown; write the next file by hand and "
            "`upgradecamp rules publish` it",
            "draft_not_quarter",
            version=source.version,
        )
    if name.strip() != expected:
        raise BadInput(
            f"{name} does not follow {source.version}: the quarter after "
            f"{source.version} is {expected}; draft {expected} --from {source.version}",
            "draft_not_next",
            version=name,
            source=source.version,
            expected=expected,
        )
    if expected in set(existing):
        following = next_version(expected)
        raise RuleRefused(
            f"rule set {expected} already exists and published rule sets never "
            f"change; to prepare the quarter after it, draft {following} "
            f"--from {expected}",
            "draft_exists",
            version=expected,
            following=following,
        )
    start, end = quarter_dates(*quarter_of(expected))  # type: ignore[misc]
    payload = {
        **source.to_payload(),
        "version": expected,
        "effective_from": start.isoformat(),
        "effective_to": end.isoformat(),
    }
    return parse_rule_set(payload, f"draft {expected}")


# --- editing a draft ------------------------------------------------------------------------


@dataclass(frozen=True)
class EditableField:
    """One value a draft may change; `key` is what `edit_rule_set` and the diff call it."""

    key: str
    value: str


def editable_fields(rule_set: RuleSet) -> list[EditableField]:
    """Coefficients (and unit values), fixed-action points, then multipliers and bonuses."""
    flat = _flatten(rule_set.to_payload())
    keys = [k for k in flat if k.endswith((".coefficient", ".unit_value"))]
    keys += [k for k in flat if k.startswith("actions.") and k.endswith(".points")]
    keys += [*DECIMAL_BONUSES[:2], *INT_BONUSES, DECIMAL_BONUSES[2]]
    return [EditableField(k, flat[k]) for k in keys if k in flat]


def edit_rule_set(rule_set: RuleSet, key: str, value: str) -> RuleSet:
    """`rule_set` with one editable field changed, validated as a rule file is."""
    allowed = {f.key for f in editable_fields(rule_set)}
    if key not in allowed:
        raise BadInput(
            f"{key} cannot be changed in a draft; change coefficients, unit values, "
            "action points, multipliers or bonuses",
            "draft_key_not_editable",
            key=key,
        )
    text = value.strip().replace(",", "")
    new_value: Any = text
    if key.endswith(".points") or key in INT_BONUSES:
        if not text.isdigit():
            raise BadInput(
                f"{key}: {value!r} is not a whole number; type e.g. 200",
                "draft_not_whole",
                value=value,
            )
        new_value = int(text)
    else:
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or number < 0:
            raise BadInput(
                f"{key}: {value!r} is not a number of 0 or more; type e.g. 1.5",
                "draft_not_number",
                value=value,
            )
        if number == Decimal(_flatten(rule_set.to_payload())[key]):
            return rule_set  # "1.50" for 1.5 is no change, and must not show as one
    payload = rule_set.to_payload()
    head, _, field_name = key.rpartition(".")
    if head:
        table, _, code = head.partition(".")
        entry = next(e for e in payload[table] if e["code"] == code)
        entry[field_name] = new_value
    else:
        payload[key] = new_value
    return parse_rule_set(payload, f"draft {rule_set.version}")


# --- what a draft changes -------------------------------------------------------------------


@dataclass(frozen=True)
class RuleChange:
    """One difference: `old` None means added, `new` None means removed."""

    key: str
    old: str | None
    new: str | None


def _flatten(payload: dict[str, Any]) -> dict[str, str]:
    """`products.fund.coefficient` → "1.5", in the payload's order; dates and name left out."""
    flat: dict[str, str] = {}
    for key, value in payload.items():
        if key in _DATED:
            continue
        if isinstance(value, list):
            for entry in value:
                for name, item in entry.items():
                    if name != "code":
                        flat[f"{key}.{entry['code']}.{name}"] = _text(item)
        else:
            flat[key] = _text(value)
    return flat


def _text(value: Any) -> str:
    return "none" if value is None else str(value)


def rule_set_changes(old: RuleSet, new: RuleSet) -> list[RuleChange]:
    """What `new` changes from `old`, field by field (names and dates aside)."""
    before, after = _flatten(old.to_payload()), _flatten(new.to_payload())
    changes = [RuleChange(k, before.get(k), v) for k, v in after.items() if before.get(k) != v]
    changes += [RuleChange(k, v, None) for k, v in before.items() if k not in after]
    return changes


# --- the warning before a quarter's end -----------------------------------------------------


@dataclass(frozen=True)
class RulesEnding:
    """The set in force (or the last one) ends with no successor: forms will be refused."""

    version: str
    ends: date
    refused_from: date
    days_left: int  # days it stays in force after today; 0 on its last day, -1 once lapsed
    next_version: str | None

    @property
    def lapsed(self) -> bool:
        return self.days_left < 0


def rules_ending(
    rule_sets: Iterable[RuleSet], today: date, days: int = WARNING_DAYS
) -> RulesEnding | None:
    """A warning is due from `days` days before the set in force ends (its last day included),
    when no published set covers the day after; also once it has lapsed with none after it."""
    rule_sets = list(rule_sets)
    current = next((r for r in rule_sets if r.covers(today)), None)
    if current is None:
        earlier = [r for r in rule_sets if r.effective_to < today]
        if not earlier or any(r.effective_from > today for r in rule_sets):
            return None  # nothing ever published, or a gap before a published set: not ours
        current = max(earlier, key=lambda r: r.effective_to)
    elif (current.effective_to - today).days > days:
        return None
    refused_from = current.effective_to + timedelta(days=1)
    if any(r.covers(refused_from) for r in rule_sets):
        return None
    return RulesEnding(
        version=current.version,
        ends=current.effective_to,
        refused_from=refused_from,
        days_left=max((current.effective_to - today).days, -1),
        next_version=next_version(current.version),
    )
