"""Reports (报表) of sessions and campaigns: the funnel, the sums, the rates, per group.

Pure arithmetic over plain records; `queries/reports.py` loads them. What each figure counts
is the contract (the CLI's JSON, the XLSX and the TUI's reports screen all show these):

- **invited** (邀约): invitations issued for the scope's sessions.
- **confirmed** (确认): invitations whose state is `confirmed` at report time (the same count
  as the session's counter): an invitee who confirmed and later declined is not counted, one
  who came without confirming is not counted either (they show under attended).
- **attended** (到场): check-ins not annulled, walk-ins included; **attended_invitees**: those
  with an invitation; **walk_ins** (现场客户): those without one.
- **attendance_rate** (到场率): attended invitees / invited, walk-ins left out; None when
  nobody was invited.
- **attended_potential**: attendees whose marketing segment is potential (潜力客户) at report
  time; **potential_share** = attended_potential / attended (SPEC §1 "over 80% potential").
- **forms** (登记表): forms submitted for the scope's sessions, one per form however many
  times it was returned and resubmitted, whatever became of it; by status now: **approved**
  (批准; an approved form cancelled later is not approved), **pending** (submitted or
  returned, awaiting a decision), **rejected**, **cancelled** (withdrawn by the marketer or
  cancelled after approval).
- **appointments** (预约): approved forms that carry an appointment date.
- **amounts** (认购金额): per amount product, the sum of the line values of approved forms;
  **counts**: per count product (credit cards), the sum of the counts; **amount_subscribed**:
  the sum over amount products only (a card is not money subscribed).
- **converted_aum_added** (新增折算资产): the sum of approved forms' converted-AUM deltas.
- **tier_upgrades** (升级人数): clients with at least one approved form whose tier after the
  form ranks above the tier before it on the ladder (each client once per group).
- **points_credited** (积分): the net of the points ledger for the scope's forms: what each
  form's approval credited, minus its reversal when it was cancelled, plus the appointment
  bonus paid on a form's appointment (counted with the form that booked it, whichever later
  form fulfilled it). Referral rewards and holding points are not session figures.

Groups: a **branch** is the session's branch; the **cluster** is every session in scope. A
**marketer** row counts, as a branch's performance review does, two things side by side: the
invitation figures (invited … potential share) of the clients whose relationship manager (客户
经理) they are, and the form figures (forms … points) of the forms they submitted; their
**sessions** are those where they had either. Clients without a relationship manager count for
their branch and the cluster only.

A campaign covers the sessions starting within [from, to] (Asia/Shanghai dates), cancelled
sessions left out; **weeks** counts sessions and attendees per calendar week (Monday first).
JSON: money as "49000.00" strings, counts and points as integers, rates as decimal strings
with four places ("0.7500") or null.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from upgradecamp.domain.points import money

APPROVED = "approved"
PENDING = ("submitted", "returned")
REJECTED = "rejected"
CANCELLED = "cancelled"
CONFIRMED = "confirmed"
POTENTIAL = "potential"
AMOUNT = "amount"
COUNT = "count"
RATE_PLACES = Decimal("0.0001")
ZERO = Decimal("0.00")

# The funnel's stages, in order (the TUI draws them as bars).
FUNNEL = ("invited", "confirmed", "attended", "forms", "approved")


# -- records ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionRecord:
    session_id: str
    branch: str
    day: date  # the Asia/Shanghai date it starts
    time: str = ""  # "15:00"
    theme: str = ""
    status: str = ""


@dataclass(frozen=True)
class InvitationRecord:
    session_id: str
    client_id: str
    state: str
    rm: str | None = None


@dataclass(frozen=True)
class AttendanceRecord:
    """A check-in that stands (not annulled)."""

    session_id: str
    client_id: str
    walk_in: bool
    rm: str | None = None
    segment: str = ""


@dataclass(frozen=True)
class FormRecord:
    """A form as it stands; `points` is its net in the points ledger (see the module doc)."""

    form_id: str
    session_id: str
    client_id: str
    marketer: str
    status: str
    lines: tuple[tuple[str, Decimal], ...] = ()  # (product, value: amount or count)
    appointment: date | None = None
    converted_delta: Decimal = ZERO
    tier_before: str = ""
    tier_after: str = ""
    points: int = 0


@dataclass(frozen=True)
class ProductInfo:
    code: str
    name_zh: str
    kind: str  # amount | count
    name_en: str | None = None


# -- figures ------------------------------------------------------------------------------------
def rate(part: int, whole: int) -> Decimal | None:
    """part / whole to four places (half up), None when the whole is 0."""
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """One group's figures; see the module docstring for what each counts."""

    sessions: int = 0
    invited: int = 0
    confirmed: int = 0
    attended: int = 0
    attended_invitees: int = 0
    walk_ins: int = 0
    attended_potential: int = 0
    forms: int = 0
    approved: int = 0
    pending: int = 0
    rejected: int = 0
    cancelled: int = 0
    appointments: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    converted_added: Decimal = ZERO
    tier_upgrades: int = 0
    points: int = 0

    @property
    def attendance_rate(self) -> Decimal | None:
        return rate(self.attended_invitees, self.invited)

    @property
    def potential_share(self) -> Decimal | None:
        return rate(self.attended_potential, self.attended)

    @property
    def amount_subscribed(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)

    def funnel(self) -> list[tuple[str, int]]:
        """(stage, count) from invited to approved."""
        return [(stage, getattr(self, stage)) for stage in FUNNEL]

    def to_json(self) -> dict[str, Any]:
        return {
            "sessions": self.sessions,
            "invited": self.invited,
            "confirmed": self.confirmed,
            "attended": self.attended,
            "attended_invitees": self.attended_invitees,
            "walk_ins": self.walk_ins,
            "attendance_rate": _rate_text(self.attendance_rate),
            "attended_potential": self.attended_potential,
            "potential_share": _rate_text(self.potential_share),
            "forms": self.forms,
            "approved": self.approved,
            "pending": self.pending,
            "rejected": self.rejected,
            "cancelled": self.cancelled,
            "appointments": self.appointments,
            "amount_subscribed": money(self.amount_subscribed),
            "amounts": {code: money(v) for code, v in self.amounts.items()},
            "counts": dict(self.counts),
            "converted_aum_added": money(self.converted_added),
            "tier_upgrades": self.tier_upgrades,
            "points_credited": self.points,
        }


def _rate_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def product_kind(products: Mapping[str, ProductInfo], code: str) -> str:
    """A product no published rule set knows any more is taken as an amount."""
    info = products.get(code)
    return info.kind if info else AMOUNT


def figures(
    *,
    sessions: Iterable[str],
    invitations: Iterable[InvitationRecord],
    attendances: Iterable[AttendanceRecord],
    forms: Iterable[FormRecord],
    products: Mapping[str, ProductInfo],
    tier_ranks: Mapping[str, int],
) -> Figures:
    """The figures of one group from its records (already chosen for the group)."""
    invited = confirmed = 0
    for inv in invitations:
        invited += 1
        confirmed += inv.state == CONFIRMED
    attended = walk_ins = potential = 0
    for att in attendances:
        attended += 1
        walk_ins += att.walk_in
        potential += att.segment == POTENTIAL
    counted = approved = pending = rejected = cancelled = appointments = points = 0
    amounts: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    converted = ZERO
    upgraded: set[str] = set()
    for form in forms:
        counted += 1
        points += form.points
        if form.status in PENDING:
            pending += 1
        elif form.status == REJECTED:
            rejected += 1
        elif form.status == CANCELLED:
            cancelled += 1
        if form.status != APPROVED:
            continue
        approved += 1
        appointments += form.appointment is not None
        converted += form.converted_delta
        if _ranks_above(tier_ranks, form.tier_after, form.tier_before):
            upgraded.add(form.client_id)
        for product, value in form.lines:
            if product_kind(products, product) == COUNT:
                counts[product] = counts.get(product, 0) + int(value)
            else:
                amounts[product] = amounts.get(product, ZERO) + value
    return Figures(
        sessions=len(set(sessions)),
        invited=invited,
        confirmed=confirmed,
        attended=attended,
        attended_invitees=attended - walk_ins,
        walk_ins=walk_ins,
        attended_potential=potential,
        forms=counted,
        approved=approved,
        pending=pending,
        rejected=rejected,
        cancelled=cancelled,
        appointments=appointments,
        amounts=_ordered(amounts, products),
        counts=_ordered(counts, products),
        converted_added=converted,
        tier_upgrades=len(upgraded),
        points=points,
    )


def _ranks_above(ranks: Mapping[str, int], after: str, before: str) -> bool:
    """A tier the ladder no longer has cannot be compared: not counted as an upgrade."""
    return after in ranks and before in ranks and ranks[after] > ranks[before]


def _ordered(values: dict[str, Any], products: Mapping[str, ProductInfo]) -> dict[str, Any]:
    """Products in the rule set's order, unknown ones after them by code."""
    order = {code: i for i, code in enumerate(products)}
    return {k: values[k] for k in sorted(values, key=lambda k: (order.get(k, len(order)), k))}


# -- the report ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Week:
    monday: date
    sessions: int
    attended: int


@dataclass(frozen=True)
class Report:
    cluster: Figures
    sessions: list[tuple[SessionRecord, Figures]]
    branches: list[tuple[str, Figures]]
    marketers: list[tuple[str, Figures]]
    weeks: list[Week]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks_between(
    first: date,
    last: date,
    sessions: Sequence[SessionRecord],
    attended_by_session: Mapping[str, int],
) -> list[Week]:
    """Every calendar week from the one holding `first` to the one holding `last`."""
    held: dict[date, list[int]] = {}
    for s in sessions:
        tally = held.setdefault(monday_of(s.day), [0, 0])
        tally[0] += 1
        tally[1] += attended_by_session.get(s.session_id, 0)
    out = []
    monday = monday_of(first)
    while monday <= last:
        n, attended = held.get(monday, (0, 0))
        out.append(Week(monday, n, attended))
        monday += timedelta(days=7)
    return out


def build_report(
    *,
    sessions: Sequence[SessionRecord],
    invitations: Sequence[InvitationRecord],
    attendances: Sequence[AttendanceRecord],
    forms: Sequence[FormRecord],
    products: Mapping[str, ProductInfo],
    tier_ranks: Mapping[str, int],
    first: date,
    last: date,
) -> Report:
    """The figures per session, per branch, per marketer and for the cluster.

    Records of sessions not in `sessions` are ignored, so a caller may load generously.
    """
    known = {s.session_id: s for s in sessions}
    invitations = [r for r in invitations if r.session_id in known]
    attendances = [r for r in attendances if r.session_id in known]
    forms = [r for r in forms if r.session_id in known]

    def group(
        session_ids: Iterable[str],
        invs: Iterable[InvitationRecord],
        atts: Iterable[AttendanceRecord],
        fms: Iterable[FormRecord],
    ) -> Figures:
        return figures(
            sessions=session_ids,
            invitations=invs,
            attendances=atts,
            forms=fms,
            products=products,
            tier_ranks=tier_ranks,
        )

    by_session: dict[str, tuple[list[Any], list[Any], list[Any]]] = {
        sid: ([], [], []) for sid in known
    }
    columns: tuple[list[Any], ...] = (invitations, attendances, forms)
    for index, records in enumerate(columns):
        for record in records:
            by_session[record.session_id][index].append(record)

    def of(ids: Iterable[str]) -> tuple[list[Any], list[Any], list[Any]]:
        out: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
        for sid in ids:
            for index in range(3):
                out[index].extend(by_session[sid][index])
        return out

    per_session = [(s, group([s.session_id], *by_session[s.session_id])) for s in sessions]
    branches = []
    for branch in sorted({s.branch for s in sessions}):
        ids = [s.session_id for s in sessions if s.branch == branch]
        branches.append((branch, group(ids, *of(ids))))
    by_marketer: dict[str, tuple[list[Any], list[Any], list[Any]]] = {}
    for index, records, key in (
        (0, invitations, "rm"),
        (1, attendances, "rm"),
        (2, forms, "marketer"),
    ):
        for record in records:
            code = getattr(record, key)
            if code:
                by_marketer.setdefault(code, ([], [], []))[index].append(record)
    marketers = []
    for code in sorted(by_marketer):
        invs, atts, fms = by_marketer[code]
        touched = {r.session_id for r in (*invs, *atts, *fms)}
        marketers.append((code, group(touched, invs, atts, fms)))
    attended_by_session = {s.session_id: f.attended for s, f in per_session}
    return Report(
        cluster=group(known, invitations, attendances, forms),
        sessions=per_session,
        branches=branches,
        marketers=marketers,
        weeks=weeks_between(first, last, sessions, attended_by_session),
    )


# -- drawing in a terminal -----------------------------------------------------------------------
_EIGHTHS = " ▏▎▍▌▋▊▉"
_LEVELS = " ▁▂▃▄▅▆▇█"


def bar(value: Decimal | int, largest: Decimal | int, width: int) -> str:
    """A horizontal bar of `width` cells at most, in eighths of a cell (█ … ▏).

    A value above 0 always shows at least ▏, so a small figure is not mistaken for none.
    """
    if width <= 0 or largest <= 0 or value <= 0:
        return ""
    eighths = int((Decimal(value) * width * 8 / Decimal(largest)).to_integral_value(ROUND_HALF_UP))
    eighths = max(1, min(eighths, width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def column(value: int, largest: int, height: int) -> list[str]:
    """A vertical bar `height` rows tall (top row first), one cell wide, in eighths."""
    if largest <= 0 or value <= 0:
        return [" "] * height
    eighths = int((Decimal(value) * height * 8 / Decimal(largest)).to_integral_value(ROUND_HALF_UP))
    eighths = max(1, min(eighths, height * 8))
    rows = []
    for level in range(height - 1, -1, -1):
        filled = eighths - level * 8
        rows.append("█" if filled >= 8 else _LEVELS[max(filled, 0)])
    return rows
