"""The invite-list builder's criteria and preview as text (邀约名单): what the organizer typed,
read into the handler's criteria or answered in the user's language, and the dry run's result
as lines to read. Pure functions, tested without a terminal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from upgradecamp.i18n import theme_of
from upgradecamp.tui.i18n import has, t
from upgradecamp.tui.screens.invite_cells import local_start, segment_name, status_name
from upgradecamp.tui.widgets import aligned, column_widths

if TYPE_CHECKING:
    from upgradecamp.queries.sessions import SessionView

# The SPEC's invite mix: about 2/3 potential clients and 1/3 mid-high clients.
MIX = {"potential": 2, "mid_high": 1}
EXCLUSION_REASONS = (
    "no_consent",
    "unreachable",
    "invited_elsewhere",
    "attended_recently",
    "already_invited",
)
EXAMPLES_SHOWN = 3
DEFAULT_MIN, DEFAULT_MAX = "50000", "200000"


@dataclass(frozen=True)
class Criteria:
    """The criteria as the handler takes them: decimal strings, and the mix or None."""

    aum_min: str
    aum_max: str
    per_seat: str
    mix: dict[str, int] | None


def reason_name(reason: str) -> str:
    key = f"invite_builder.reason.{reason}"
    return t(key) if has(key) else reason


def _number(raw: str) -> Decimal | None:
    """A typed amount (`50000`, `50,000`, `1.5`); None when it is not a finite number."""
    text = raw.replace(",", "").replace("，", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def read_criteria(
    aum_min: str, aum_max: str, per_seat: str, mixed: bool
) -> tuple[Criteria | None, str | None]:
    """The criteria, or what is wrong with what was typed (in the user's language)."""
    fields = (
        ("aum_min", aum_min, DEFAULT_MIN),
        ("aum_max", aum_max, DEFAULT_MAX),
        ("per_seat", per_seat, "1.5"),
    )
    if mixed:  # the mix's segments set the asset range; the AUM fields are switched off
        fields = (
            ("aum_min", DEFAULT_MIN, DEFAULT_MIN),
            ("aum_max", DEFAULT_MAX, DEFAULT_MAX),
            fields[2],
        )
    values: dict[str, Decimal] = {}
    for name, raw, example in fields:
        label = t(f"invite_builder.{name}")
        if not raw.strip():
            return None, t("invite_builder.empty", field=label, example=example)
        value = _number(raw)
        if value is None:
            return None, t(
                "invite_builder.not_a_number", field=label, value=raw.strip(), example=example
            )
        if value < 0:
            return None, t("invite_builder.negative", field=label)
        values[name] = value
    from upgradecamp.domain.invitations import MAX_PER_SEAT

    if not 0 < values["per_seat"] <= MAX_PER_SEAT:
        return None, t("invite_builder.per_seat_range", max=MAX_PER_SEAT)
    if values["aum_min"] >= values["aum_max"]:
        return None, t(
            "invite_builder.min_not_below_max",
            low=f"{values['aum_min']:,}",
            high=f"{values['aum_max']:,}",
        )
    return Criteria(
        str(values["aum_min"]),
        str(values["aum_max"]),
        str(values["per_seat"]),
        dict(MIX) if mixed else None,
    ), None


def _names(group: list[dict[str, Any]]) -> str:
    """A few left-out clients by name (never a mobile), e.g. `张三、李四…`."""
    names = [str(c.get("name") or c.get("client_id") or "?") for c in group[:EXAMPLES_SHOWN]]
    return "、".join(names) + ("…" if len(group) > EXAMPLES_SHOWN else "")


def _amount(value: Any) -> str:
    from upgradecamp.domain.invitations import NO_UPPER_BOUND

    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return "∞" if amount >= NO_UPPER_BOUND else f"{amount:,.0f}"


def examples_by_reason(examples: Any) -> dict[str, list[dict[str, Any]]]:
    """The dry run's left-out clients by reason, whether listed flat or grouped."""
    if isinstance(examples, dict):
        return {
            str(k): [e for e in v if isinstance(e, dict)]
            for k, v in examples.items()
            if isinstance(v, list)
        }
    grouped: dict[str, list[dict[str, Any]]] = {}
    for example in examples or []:
        if isinstance(example, dict):
            grouped.setdefault(str(example.get("reason")), []).append(example)
    return grouped


def days_before(session: SessionView | None, now: datetime | None) -> int | None:
    """Whole business days from `now` to the session's start (Asia/Shanghai dates)."""
    if not session or now is None or not session.get("starts_at"):
        return None
    from upgradecamp.domain.clock import business_date

    starts = datetime.fromisoformat(str(session["starts_at"]))
    return (business_date(starts) - business_date(now)).days


def preview_text(
    result: dict[str, Any], days: int | None = None, mix: dict[str, int] | None = None
) -> str:
    """The dry run as the organizer reads it: target, candidates, would invite, left out.

    The handler's notes and warnings are English sentences; the screen says the same from the
    numbers in the result (and the days to the session) in the user's language.
    """
    from upgradecamp.domain.invitations import ADVANCE_DAYS, split_target

    target = int(result.get("target", 0))
    issued = int(result.get("issued", 0))
    already = result.get("already_invited", 0)
    lines = [t("invite_builder.target", target=target, already=already)]
    if target == 0:
        lines.append(t("invite_builder.list_full", invited=already))
    criteria = result.get("criteria") or {}
    if mix and criteria.get("aum_min") is not None:
        lines.append(
            t(
                "invite_builder.range_used",
                low=_amount(criteria["aum_min"]),
                high=_amount(criteria.get("aum_max")),
            )
        )
    lines += [
        t(
            "invite_builder.candidates",
            candidates=result.get("candidates", 0),
            eligible=result.get("eligible", 0),
        ),
        t("invite_builder.would_invite", issued=issued),
    ]
    by_segment = {s: n for s, n in (result.get("by_segment") or {}).items() if n}
    if by_segment:
        lines.append("  " + segment_counts(by_segment))
    if mix and target:
        wanted = split_target(target, mix)
        lines.append(t("invite_builder.mix_wanted", counts=segment_counts(wanted)))
    if 0 < target and issued < target:
        lines.append(t("invite_builder.short", issued=issued, target=target))
    excluded = {k: v for k, v in (result.get("excluded") or {}).items() if v}
    examples = examples_by_reason(result.get("excluded_clients"))
    if excluded:
        lines.append(t("invite_builder.excluded"))
        order = [r for r in EXCLUSION_REASONS if r in excluded]
        order += sorted(r for r in excluded if r not in EXCLUSION_REASONS)
        rows = [[reason_name(r), f"{excluded[r]:>5}", _names(examples.get(r) or [])] for r in order]
        widths = column_widths(rows, [28, 6, 60])
        lines += ["  " + aligned(row, widths) for row in rows]
    else:
        lines.append(t("invite_builder.none_excluded"))
    if isinstance(result.get("days_ahead"), int):
        days = result["days_ahead"]
    if days is not None and days < ADVANCE_DAYS:
        lines.append(t("invite_builder.too_soon", days=days, lead=ADVANCE_DAYS))
    return "\n".join(lines)


def segment_counts(counts: dict[str, int]) -> str:
    """`Potential 10 · Mid-high 5`: segments in the ladder's order, from the low end."""
    from upgradecamp.domain.tiers import SEGMENTS

    order = sorted(counts, key=lambda s: (SEGMENTS.index(s) if s in SEGMENTS else 99, s))
    return " · ".join(
        t("invite_builder.segment_count", segment=segment_name(s), count=counts[s]) for s in order
    )


def session_text(session: SessionView) -> str:
    return t(
        "invite_builder.session",
        start=local_start(session.get("starts_at")),
        branch=str(session.get("branch_name") or session.get("branch") or ""),
        venue=str(session.get("venue") or ""),
        theme=theme_of(session),
        capacity=session.get("capacity", "?"),
        invited=session.get("invited", 0),
        status=status_name(session.get("status")),
    )
