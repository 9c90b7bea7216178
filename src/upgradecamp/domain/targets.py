"""Targets and results (EPE, 绩效考核). Pure.

A branch head or organizer sets a marketer's monthly targets: forms, tier upgrades, converted
AUM added. The review sets the month's results beside them, with the conversion rates
(attended → form → approved) and the share of follow-ups done on time; the ranking is by
conversion and follow-through, never by raw contact counts (calls made do not rank anyone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from upgradecamp.domain.commands import SetTarget
from upgradecamp.domain.errors import BadInput, NotFound, RuleRefused
from upgradecamp.domain.events.targets import TargetSet
from upgradecamp.domain.reports import rate
from upgradecamp.domain.staff import Actor


def month_bounds(month: str) -> tuple[date, date]:
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise BadInput(
            f"month {month!r} is not YYYY-MM, e.g. 2026-11", "target_bad_month", month=month
        ) from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def _count(field: str, text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise BadInput(
            f"the {field} target {text!r} is not a whole number",
            "target_bad_number",
            what=field,
            value=text,
            field=field,
        ) from None
    if value < 0:
        raise BadInput(
            f"the {field} target cannot be negative", "target_negative", what=field, field=field
        )
    return value


def target_from_text(
    staff: str, month: str, forms: str, upgrades: str, converted_aum: str
) -> SetTarget:
    """A target typed into a form, checked field by field before it goes to the handler:
    the first bad field raises a BadInput whose `field` param names it (staff, month, forms,
    upgrades, converted_aum); an empty figure is no target for it."""
    staff = staff.strip()
    if not staff:
        raise BadInput("type the marketer's staff code", "target_no_staff", field="staff")
    month = month.strip()
    if len(month) != 7:
        raise BadInput(
            f"month {month!r} is not YYYY-MM, e.g. 2026-11",
            "target_bad_month",
            month=month,
            field="month",
        )
    try:
        month_bounds(month)
    except BadInput as exc:
        raise BadInput(exc.message, exc.code, month=month, field="month") from None
    aum = converted_aum.strip().replace(",", "") or None
    if aum is not None:
        try:
            amount = Decimal(aum)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            raise BadInput(
                f"converted AUM {aum!r} is not an amount in CNY",
                "target_bad_amount",
                value=aum,
                field="converted_aum",
            )
        if amount < 0:
            raise BadInput(
                "the converted AUM target cannot be negative",
                "target_negative",
                what="converted AUM",
                field="converted_aum",
            )
    command = SetTarget(
        staff=staff,
        month=month,
        forms=_count("forms", forms),
        upgrades=_count("upgrades", upgrades),
        converted_aum=aum,
    )
    if command.forms is None and command.upgrades is None and aum is None:
        raise BadInput(
            "give at least one target: forms, upgrades or converted AUM",
            "target_nothing",
            field="forms",
        )
    return command


def decide_target(actor: Actor, staff_role: str | None, cmd: SetTarget) -> TargetSet:
    actor.require("targets.set", "set marketers' targets")
    month_bounds(cmd.month)
    if staff_role is None:
        raise NotFound(
            f"no staff member has the code '{cmd.staff}'", "target_unknown_staff", staff=cmd.staff
        )
    if staff_role != "marketer":
        raise RuleRefused(
            f"{cmd.staff} is a {staff_role}; targets are set for marketers",
            "target_not_marketer",
            staff=cmd.staff,
            role=staff_role,
        )
    if cmd.forms is None and cmd.upgrades is None and cmd.converted_aum is None:
        raise BadInput(
            "give at least one target: --forms, --upgrades or --converted-aum", "target_nothing"
        )
    aum = None
    if cmd.converted_aum is not None:
        try:
            aum = Decimal(str(cmd.converted_aum).replace(",", "")).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise BadInput(
                f"converted AUM {cmd.converted_aum!r} is not an amount in CNY",
                "target_bad_amount",
                value=cmd.converted_aum,
            ) from None
    for name, value in (("forms", cmd.forms), ("upgrades", cmd.upgrades), ("converted AUM", aum)):
        if value is not None and value < 0:
            raise BadInput(f"the {name} target cannot be negative", "target_negative", what=name)
    return TargetSet(
        staff=cmd.staff, month=cmd.month, forms=cmd.forms, upgrades=cmd.upgrades, converted_aum=aum
    )


@dataclass(frozen=True)
class Result:
    """One marketer's month: targets (None: none set) beside results, rates as Decimals."""

    staff: str
    name: str
    forms_target: int | None
    upgrades_target: int | None
    converted_target: Decimal | None
    attended: int
    forms: int
    approved: int
    upgrades: int
    converted: Decimal
    followups_due: int
    followups_on_time: int

    @property
    def form_rate(self) -> Decimal | None:
        return rate(self.forms, self.attended)

    @property
    def approval_rate(self) -> Decimal | None:
        return rate(self.approved, self.forms)

    @property
    def conversion(self) -> Decimal | None:
        return rate(self.approved, self.attended)

    @property
    def on_time(self) -> Decimal | None:
        return rate(self.followups_on_time, self.followups_due)


def ranked(results: Sequence[Result]) -> list[Result]:
    """By conversion (approved / attended), then follow-ups on time, then code; a marketer
    with nothing to convert ranks below every rate."""

    def key(r: Result) -> tuple:
        return (
            -(r.conversion if r.conversion is not None else Decimal(-1)),
            -(r.on_time if r.on_time is not None else Decimal(-1)),
            r.staff,
        )

    return sorted(results, key=key)
