"""Write a rule set as the TOML file `rules publish` reads, for staff to edit by hand.

Laid out like fixtures/rules/2026Q4.toml: numbers that must stay exact (coefficients,
multipliers, money) as text, whole numbers bare, dates as TOML dates, one [[products]] or
[[actions]] table per item. Reading the file back gives the same rule set.
"""

from __future__ import annotations

import json
from typing import Any

from upgradecamp.domain.rules import RuleSet

_NOTES = {
    "effective_to": "inclusive",
    "points_unit": "CNY of weighted value per point",
    "on_site_multiplier": "form submitted during its session",
    "other_bank_multiplier": "他行资产转入 lines",
    "appointment_bonus": "appointment fulfilled (form approved) ...",
    "appointment_window_days": "... within this many days of the session",
    "referral_checkin": "referrer, when the referred client checks in",
    "referral_first_approval": "referrer, when the referred client's first form is approved",
    "holding_points_per": "CNY of month-average AUM per holding point",
    "experience_days": "升级体验期",
}
_DATES = ("effective_from", "effective_to")


def _value(key: str, value: Any) -> str:
    if key in _DATES or isinstance(value, int):
        return str(value)
    # A JSON string is a valid TOML basic string (same escapes); keep Chinese readable.
    return json.dumps("none" if value is None else str(value), ensure_ascii=False)


def _line(key: str, value: Any) -> str:
    text = f"{key} = {_value(key, value)}"
    note = _NOTES.get(key)
    return f"{text:<36} # {note}" if note else text


def rule_set_toml(rule_set: RuleSet, drafted_from: str | None = None) -> str:
    """The file's text; `drafted_from` names the version it copies in the header."""
    payload = rule_set.to_payload()
    origin = f", drafted from {drafted_from}" if drafted_from else ""
    out = [
        f"# Rule set {rule_set.version}{origin}: how registration-form lines turn into",
        "# converted AUM (折算资产) and points (积分). Edit what changes this quarter, then run",
        "#   upgradecamp rules publish <this file>",
        "# Published rule sets never change. Coefficients, multipliers and money are text",
        '# ("1.5") so they stay exact decimals; kind and risk_level say what a product is.',
        "",
    ]
    for key, value in payload.items():
        if not isinstance(value, list):
            out.append(_line(key, value))
    for table in ("products", "actions"):
        for entry in payload[table]:
            out += ["", f"[[{table}]]", *(_line(k, v) for k, v in entry.items())]
    return "\n".join(out) + "\n"
