"""What a registration form holds: its product lines, actions and appointment, checked.

Parsing the lines a marketer typed against the rule set, the actions and the appointment
day, that a form says something at all, and whether the client's risk grade suits each
product. Apart from `forms.py`, which holds the form's state machine (its states, events and
who may decide or cancel it), because these rules read the form's content, not its history,
and the registration screen asks them line by line while the marketer types.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from upgradecamp.domain.errors import (
    BadInput,
    Unsuitable,
)
from upgradecamp.domain.points import FormLine, action_points, check_line
from upgradecamp.domain.rules import RuleSet
from upgradecamp.domain.suitability import grade_rank


def split_line_spec(spec: str) -> tuple[str, str, str]:
    """The CLI's PRODUCT:VALUE[:SOURCE] as (product, value, source), source new by default."""
    parts = [part.strip() for part in spec.replace("：", ":").split(":")]
    if len(parts) not in (2, 3) or not all(parts):
        raise BadInput(
            f"cannot read line {spec!r}; write PRODUCT:VALUE[:SOURCE], e.g. "
            "fund:10000:new or credit_card:1",
            "form_bad_line",
            spec=spec,
        )
    return parts[0], parts[1], parts[2] if len(parts) == 3 else "new"


def parse_lines(rule_set: RuleSet, raw: Iterable[Sequence[str]]) -> list[FormLine]:
    """The typed lines checked against the rule set; an error names the line it is about."""
    lines = []
    for n, entry in enumerate(raw, 1):
        if len(entry) not in (2, 3):
            raise BadInput(
                f"line {n}: give a product, a value and optionally a source of funds",
                "form_bad_line",
                spec=" ".join(map(str, entry)),
                line=n,
            )
        product = str(entry[0]).strip().lower()
        text = str(entry[1]).strip().replace(",", "").replace("，", "")
        source = (str(entry[2]).strip().lower() if len(entry) == 3 else "") or "new"
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise BadInput(
                f"line {n} ({product}): {entry[1]!r} is not a number",
                "not_a_number",
                product=product,
                value=entry[1],
                line=n,
            ) from None
        line = FormLine(product, value, source)
        try:
            check_line(rule_set, line)
        except BadInput as err:
            raise BadInput(f"line {n}: {err.message}", err.code, **err.params, line=n) from None
        lines.append(line)
    return lines


def check_actions(rule_set: RuleSet, actions: Iterable[str]) -> list[str]:
    out: list[str] = []
    for raw in actions:
        code = raw.strip().lower()
        if code in out:
            raise BadInput(
                f"action {code} is listed twice; a client earns it once per form",
                "form_action_twice",
                action=code,
            )
        try:
            action_points(rule_set, code)
        except BadInput as err:
            raise BadInput(
                err.message, "form_unknown_action", action=code, version=rule_set.version
            ) from None
        out.append(code)
    return out


def parse_appointment(text: str | None, session_day: date) -> date | None:
    """The day the client booked to come back; it must be after the session's day."""
    if text is None or not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(
            f"appointment {text!r} is not a date; write it as YYYY-MM-DD",
            "form_bad_appointment",
            value=text,
        ) from None
    if day <= session_day:
        raise BadInput(
            f"the appointment ({day.isoformat()}) must be after the session's day "
            f"({session_day.isoformat()}); choose a later date",
            "form_appointment_too_early",
            appointment=day.isoformat(),
            date=session_day.isoformat(),
        )
    return day


def check_has_content(
    lines: Sequence[FormLine], actions: Sequence[str], appointment: date | None
) -> None:
    if not lines and not actions and appointment is None:
        raise BadInput(
            "the form is empty; add a product line, a fixed action or an appointment date",
            "form_empty",
        )


def check_suitable(
    rule_set: RuleSet,
    lines: Sequence[FormLine],
    risk_grade: str | None,
    risk_expires: date | None,
    on: date,
) -> None:
    """Refuse the whole form naming every unsuitable line (SPEC §3.2 suitability).

    The code and parameters describe the first such line, so a screen can say it in the
    user's language; the English message lists them all.
    """
    problems: list[tuple[str, dict[str, Any], str]] = []
    for n, line in enumerate(lines, 1):
        product = rule_set.products[line.product]
        if product.risk_rank <= 1:
            continue
        params: dict[str, Any] = {
            "line": n,
            "product": product.code,
            "product_name": product.name_zh,
            "product_name_en": product.name_en or product.code,
            "risk": product.risk_level,
        }
        label = f"line {n} {product.code} ({product.name_zh}, {product.risk_level})"
        if not risk_grade:
            problems.append(
                (
                    "form_unsuitable_no_assessment",
                    params,
                    f"{label} needs a risk assessment and the client has none",
                )
            )
            continue
        grade = f"C{grade_rank(risk_grade)}"
        params["grade"] = grade
        if risk_expires is not None and risk_expires < on:
            params["expired"] = risk_expires.isoformat()
            problems.append(
                (
                    "form_unsuitable_expired",
                    params,
                    f"{label}: the client's assessment ({grade}) expired on "
                    f"{risk_expires.isoformat()}",
                )
            )
        elif product.risk_rank > grade_rank(risk_grade):
            problems.append(
                (
                    "form_unsuitable_grade",
                    params,
                    f"{label} exceeds the client's risk grade {grade}",
                )
            )
    if problems:
        code, params, _ = problems[0]
        listed = "; ".join(text for _, _, text in problems)
        raise Unsuitable(
            f"{listed}. Re-assess the client's risk tolerance (风险评估) or "
            "choose a product within the client's grade (deposits need none); "
            "nothing was submitted",
            code,
            **params,
            count=len(problems),
        )
