"""The pieces of the registration form (升级确认单), without its widgets.

Whom a form is for (`FormContext`), what was typed into it (`Draft`), the typed lines read by
number and checked for suitability with the rules engine's pure `parse_form_text` and
`check_suitable` (nothing read from the database), the live calculation and the benefits
package as text, and the labels of a form's status and number. Kept apart from the screen
(`registration_form.py`) and the picker (`registration.py`), so they are tested on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from upgradecamp.domain.benefits import BENEFIT_PARTS
from upgradecamp.i18n import in_language, localized, name_of
from upgradecamp.tui.errors import describe_error
from upgradecamp.tui.i18n import has, t
from upgradecamp.tui.screens.calculator import money
from upgradecamp.tui.widgets import fit

if TYPE_CHECKING:
    from upgradecamp.domain.calculator import Calculation
    from upgradecamp.domain.form_text import LineProblem
    from upgradecamp.domain.points import FormLine
    from upgradecamp.domain.rules import RuleSet
    from upgradecamp.domain.tiers import TierLadder
    from upgradecamp.queries.sessions import SessionView


# SPEC §3.4's order of the benefits package.
# Suitability refusals of `domain.form_content.check_suitable` → this screen's wording (said before
# submitting, so without the handler's "nothing was submitted").
UNSUITABLE_KEYS = {
    "form_unsuitable_no_assessment": "registration.unsuitable_no_assessment",
    "form_unsuitable_expired": "registration.unsuitable_expired",
    "form_unsuitable_grade": "registration.unsuitable_grade",
}


@dataclass
class FormContext:
    """Whom a form is for and where: the session, the client, and a returned form if any.

    `session`: session_id, branch, date, time, venue, status (as `list_sessions` gives it).
    `client`: client_id, name, mobile (masked), aum, risk_grade, risk_expires.
    `form`: the returned form being fixed (form_id, revision, reason, decided_by, lines,
    actions, appointment), None for a new form.
    """

    session: SessionView
    client: dict[str, Any]
    form: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        """Which draft this form's typing is kept under."""
        if self.form:
            return f"form:{self.form['form_id']}"
        return f"new:{self.session['session_id']}:{self.client['client_id']}"

    @property
    def on_site(self) -> bool:
        """Open session: on site (×1.2); closed later the same day: after the session."""
        return self.session.get("status") == "open"

    @property
    def session_day(self) -> date | None:
        try:
            return date.fromisoformat(str(self.session.get("date")))
        except ValueError:
            return None


@dataclass
class Draft:
    """What the marketer typed into one form, kept while they look at another."""

    text: str = ""
    actions: set[str] = field(default_factory=set)
    appointment: str = ""


def draft_of_returned(form: dict[str, Any]) -> Draft:
    """A returned form's contents as the marketer would type them again."""
    rows = []
    for line in form.get("lines") or []:
        value = Decimal(str(line["value"]))
        shown = f"{value:f}" if value != value.to_integral_value() else f"{int(value)}"
        rows.append(f"{line['product']} {shown} {line.get('source') or 'new'}")
    return Draft(
        "\n".join(rows), set(form.get("actions") or []), str(form.get("appointment") or "")
    )


def numbered_lines(
    text: str, rule_set: RuleSet
) -> tuple[list[tuple[int, FormLine]], list[LineProblem]]:
    """The good lines with the number of the line they were typed on, and the bad ones."""
    from upgradecamp.domain.form_text import parse_form_text

    good: list[tuple[int, FormLine]] = []
    problems: list[LineProblem] = []
    for number, raw in enumerate(text.splitlines(), 1):
        lines, found = parse_form_text(raw, rule_set)
        good.extend((number, line) for line in lines)
        problems.extend(replace(p, number=number) for p in found)
    return good, problems


def suitability_notes(
    rule_set: RuleSet,
    numbered: list[tuple[int, FormLine]],
    risk_grade: str | None,
    risk_expires: str | None,
    today: date,
) -> list[tuple[int, str]]:
    """(line number, note) for each line the client may not buy (SPEC §3.2 suitability).

    The rule is the handler's own (`domain.form_content.check_suitable`), asked line by line so that
    every unsuitable line is named before the marketer submits.
    """
    from upgradecamp.domain.errors import DomainError
    from upgradecamp.domain.form_content import check_suitable

    try:
        expires = date.fromisoformat(risk_expires) if risk_expires else None
    except ValueError:
        expires = None
    notes = []
    for number, line in numbered:
        try:
            check_suitable(rule_set, [line], risk_grade, expires, today)
        except DomainError as err:
            key = UNSUITABLE_KEYS.get(err.code or "")
            params = {**in_language(err.params), "line": number}
            notes.append(
                (
                    number,
                    t(key, **params)
                    if key
                    else t("calc.line_problem", number=number, message=err.message),
                )
            )
    return notes


def appointment_note(text: str, session_day: date | None) -> str:
    """What is wrong with the appointment typed so far ('' while it is fine or unfinished)."""
    from upgradecamp.domain.errors import DomainError
    from upgradecamp.domain.form_content import parse_appointment

    text = text.strip()
    if len(text) < len("YYYY-MM-DD") or session_day is None:
        return ""
    try:
        parse_appointment(text, session_day)
    except DomainError as err:
        return describe_error(err)
    return ""


def source_name(source: str) -> str:
    key = f"registration.source_{source}"
    return t(key) if has(key) else source


def render_calculation(
    calc: Calculation,
    rule_set: RuleSet,
    ladder: TierLadder,
    numbers: list[int],
    *,
    restricted: bool = False,
) -> str:
    """The live result: converted AUM, points, tier now → after, the gap, then line by line.

    `restricted`: the client's AUM is not this marketer's to see (domain.books.client_view),
    so the tier, the gap and the proposals, which all follow from it, are left out: only the
    lines' converted amounts and points, which the form itself gives."""
    if restricted:
        rows = [
            t("calc.points", points=f"{calc.points:,}"),
            t("registration.restricted_tier"),
        ]
    else:
        before = ladder.tier_for(calc.aum)
        rows = [
            t(
                "calc.converted",
                amount=money(calc.converted_aum),
                delta=money(calc.converted_delta),
            ),
            t("calc.points", points=f"{calc.points:,}"),
            t("registration.tier_change", before=name_of(before), after=name_of(calc.tier))
            + (" ↑" if ladder.rank(calc.tier) > ladder.rank(before) else ""),
        ]
        if calc.next_tier is None:
            rows.append(t("calc.top"))
        else:
            rows.append(t("calc.gap", tier=name_of(calc.next_tier), gap=money(calc.gap)))
    rows.append("")
    rows.append(t("registration.breakdown"))
    if not calc.lines and not calc.actions:
        rows.append("  " + t("registration.no_lines"))
    for number, line in zip(numbers, calc.lines, strict=True):
        name = name_of(rule_set.products[line.product])
        rows.append(
            f"{number:>2} {fit(name, 8)} {fit(source_name(line.source), 8)}"
            f"{money(line.converted_delta):>12} {line.points:>6,}"
        )
    for code, points in calc.actions:
        rows.append(f"   {fit(name_of(rule_set.actions[code]), 17)}{'':>12} {points:>6,}")
    if calc.next_tier is not None and calc.proposals and not restricted:
        rows.append("")
        rows.append(t("calc.proposals"))
        grouped: dict[Decimal, list[str]] = {}
        for code, amount in calc.proposals.items():
            grouped.setdefault(amount, []).append(name_of(rule_set.products[code]))
        for amount in sorted(grouped):
            rows.append(f"  {money(amount):>12}  {'/'.join(grouped[amount])}")
    return "\n".join(rows)


def render_benefits(benefits: dict[str, list[dict[str, str]]]) -> str:
    """The benefits package (SPEC §3.4), part by part, each item's title and description."""
    if not any(benefits.values()):
        return t("registration.no_benefits")
    rows: list[str] = []
    parts = [*BENEFIT_PARTS, *(p for p in benefits if p not in BENEFIT_PARTS)]
    for part in parts:
        items = benefits.get(part) or []
        if not items:
            continue
        key = f"registration.part_{part}"
        if rows:
            rows.append("")
        rows.append(t(key) if has(key) else part)
        for item in items:
            rows.append(f"• {localized(item.get('title', ''), item.get('title_en'))}")
            if item.get("description"):
                rows.append(localized(item["description"], item.get("description_en")))
    return "\n".join(rows)


def status_name(status: str) -> str:
    key = f"registration.status_{status}"
    return t(key) if has(key) else status


def short_form_id(form_id: str, session_id: str | None = None) -> str:
    """'F01' for a form of the session in view; the whole id otherwise."""
    if session_id and form_id.startswith(f"{session_id}-"):
        return form_id[len(session_id) + 1 :]
    return form_id.rsplit("-", 1)[-1] if "-" in form_id else form_id
