"""Invitations (邀约): who is invited to a session, their check-in codes, and the waves' rules.

Pure decisions shared by the handlers, the projection and the exports: choosing invitees from
candidates and exclusion facts, the split of an invite list by segment mix, check-in codes,
which result each channel may record and what it does to an invitation, and the SMS text.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from upgradecamp.domain.clock import shanghai
from upgradecamp.domain.errors import BadInput, RuleRefused
from upgradecamp.domain.tiers import SEGMENTS

# --- check-in codes ---------------------------------------------------------------------------

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read aloud on the phone or typed from a crumpled SMS
# still names one invitation. 25 symbols, 6 places: about 2.4e8 codes, so guessing a live one
# among a few hundred open invitations is hopeless.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
_CODE_TRIES = 1000


def new_code(rng: random.Random, taken: Collection[str]) -> str:
    """A fresh 6-character check-in code not in `taken` (the codes of open sessions)."""
    for _ in range(_CODE_TRIES):
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code
    raise RuleRefused(
        "could not draw a free check-in code; try again",  # pragma: no cover
        "invite_no_free_code",
    )


def normalise_code(text: str) -> str:
    """A code as typed or scanned (spaces, dashes, lower case) in its stored form."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


def looks_like_code(text: str) -> bool:
    code = normalise_code(text)
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


# --- criteria -----------------------------------------------------------------------------

DEFAULT_MIX = {"potential": 2, "mid_high": 1}
ADVANCE_DAYS = 30  # invitations go out at least this many days before the session
RECENT_DAYS = 30  # who attended a session within this many days is not invited again yet
MAX_PER_SEAT = Decimal(5)


def decimal_amount(text: str | Decimal, what: str) -> Decimal:
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation:
        raise BadInput(
            f"{what}: {text!r} is not a number; write e.g. 50000",
            "invite_not_a_number",
            what=what,
            value=str(text),
        ) from None
    if not value.is_finite():
        raise BadInput(
            f"{what}: {text!r} is not a number; write e.g. 50000",
            "invite_not_a_number",
            what=what,
            value=str(text),
        )
    return value


def check_range(aum_min: Decimal, aum_max: Decimal) -> None:
    if aum_min < 0 or aum_max <= aum_min:
        raise BadInput(
            f"the AUM range {aum_min}–{aum_max} is empty; give 0 ≤ --aum-min < "
            "--aum-max (e.g. 50000 and 200000)",
            "invite_bad_range",
            low=str(aum_min),
            high=str(aum_max),
        )


def check_per_seat(per_seat: Decimal) -> None:
    if not 0 < per_seat <= MAX_PER_SEAT:
        raise BadInput(
            f"--per-seat {per_seat}: give invitations per seat above 0 and at most "
            f"{MAX_PER_SEAT} (1.5 is usual)",
            "invite_bad_per_seat",
            value=str(per_seat),
        )


def check_mix(mix: Mapping[str, Any] | None) -> dict[str, int] | None:
    """A segment mix as weights by segment code; None means the AUM range alone decides."""
    if mix is None:
        return None
    out: dict[str, int] = {}
    for segment, weight in mix.items():
        if segment not in SEGMENTS:
            raise BadInput(
                f"unknown segment {segment!r} in the mix; use {', '.join(SEGMENTS)}",
                "invite_bad_mix",
                mix=str(dict(mix)),
            )
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
            raise BadInput(
                f"segment {segment}: weight {weight!r} must be a whole number ≥ 0",
                "invite_bad_mix",
                mix=str(dict(mix)),
            )
        if weight:
            out[segment] = weight
    if not out:
        raise BadInput(
            "the mix gives every segment weight 0; e.g. --mix 2:1 (potential:mid_high)",
            "invite_bad_mix",
            mix=str(dict(mix)),
        )
    return out


def parse_mix(text: str) -> dict[str, int]:
    """`2:1` (potential:mid_high) or `potential=2,mid_high=1` as segment weights."""
    text = text.strip()
    try:
        if "=" in text:
            pairs = (part.split("=", 1) for part in text.split(",") if part.strip())
            mix = {k.strip(): int(v) for k, v in pairs}
        else:
            parts = [int(p) for p in text.split(":")]
            if len(parts) != 2:
                raise ValueError(text)
            mix = {"potential": parts[0], "mid_high": parts[1]}
    except ValueError:
        raise BadInput(
            f"--mix {text!r}: write POTENTIAL:MID_HIGH such as 2:1, or "
            "segment=weight pairs such as potential=2,mid_high=1",
            "invite_bad_mix",
            mix=text,
        ) from None
    return check_mix(mix) or {}


# Marketing segments as AUM bands (SPEC §3.1), upper bound excluded; private has none.
SEGMENT_BANDS: dict[str, tuple[Decimal, Decimal | None]] = {
    "long_tail": (Decimal(0), Decimal(50_000)),
    "potential": (Decimal(50_000), Decimal(200_000)),
    "mid_high": (Decimal(200_000), Decimal(8_000_000)),
    "private": (Decimal(8_000_000), None),
}
NO_UPPER_BOUND = Decimal(1_000_000_000_000)  # recorded as aum_max when a mix draws private


def mix_span(weights: Mapping[str, int]) -> tuple[Decimal, Decimal]:
    """The AUM span a mix draws from, as recorded with the list.

    With a mix the segments decide who is a candidate (each segment is drawn from its own
    clients), so the asset range gives way to the span of the mix's segments.
    """
    lows = [SEGMENT_BANDS[s][0] for s in weights]
    highs = [SEGMENT_BANDS[s][1] for s in weights]
    return min(lows), (NO_UPPER_BOUND if None in highs else max(h for h in highs if h))


def invite_target(capacity: int, per_seat: Decimal, already: int) -> int:
    """How many more invitations a build issues: ceil(capacity × per seat) minus those issued."""
    full = int((Decimal(capacity) * per_seat).to_integral_value(rounding=ROUND_CEILING))
    return max(0, full - already)


def split_target(target: int, weights: Mapping[str, int]) -> dict[str, int]:
    """`target` shared by weight, largest remainder first (ties: heavier, then segment order)."""
    total = sum(weights.values())
    exact = {s: Decimal(target * w) / total for s, w in weights.items()}
    shares = {s: math.floor(v) for s, v in exact.items()}
    left = target - sum(shares.values())
    order = sorted(weights, key=lambda s: (-(exact[s] - shares[s]), -weights[s], SEGMENTS.index(s)))
    for segment in order[:left]:
        shares[segment] += 1
    return shares


# --- choosing invitees --------------------------------------------------------------------

REASONS = ("no_consent", "unreachable", "invited_elsewhere", "attended_recently", "already_invited")


@dataclass(frozen=True)
class Candidate:
    """A client inside the AUM range, with what the register says about contacting them."""

    client_id: str
    branch: str
    aum: Decimal
    segment: str
    consent: bool = True
    unreachable: bool = False


@dataclass(frozen=True)
class Exclusions:
    """Facts from other streams: clients on another upcoming list, recent attendees, and
    clients already on this session's list."""

    invited_elsewhere: frozenset[str] = frozenset()
    attended_recently: frozenset[str] = frozenset()
    already_invited: frozenset[str] = frozenset()


def exclusion_reason(candidate: Candidate, facts: Exclusions) -> str | None:
    """The first reason (in REASONS order) that keeps a candidate off the list, or None."""
    if not candidate.consent:
        return "no_consent"
    if candidate.unreachable:
        return "unreachable"
    if candidate.client_id in facts.invited_elsewhere:
        return "invited_elsewhere"
    if candidate.client_id in facts.attended_recently:
        return "attended_recently"
    if candidate.client_id in facts.already_invited:
        return "already_invited"
    return None


@dataclass
class Selection:
    target: int
    chosen: list[Candidate]
    excluded: dict[str, list[Candidate]]
    eligible: int
    wanted: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def excluded_counts(self) -> dict[str, int]:
        return {reason: len(self.excluded[reason]) for reason in REASONS if self.excluded[reason]}

    def by_segment(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.chosen:
            counts[c.segment] = counts.get(c.segment, 0) + 1
        return counts


def priority(home_branch: str):
    """The session's own branch first, then larger AUM, then client id: same list every time."""
    return lambda c: (c.branch != home_branch, -c.aum, c.client_id)


def select_invitees(
    candidates: Iterable[Candidate],
    facts: Exclusions,
    *,
    target: int,
    home_branch: str,
    mix: Mapping[str, int] | None = None,
) -> Selection:
    """Choose up to `target` invitees; with a mix, each segment is drawn from its own share.

    Candidates outside the mix's segments are not considered (with a mix the caller offers
    every client of the mix's segments, see `mix_span`). A segment with too few
    eligible clients is made up from the other segments of the mix, and a note says so.
    """
    weights = check_mix(mix)
    ordered = sorted(candidates, key=priority(home_branch))
    if weights is not None:
        ordered = [c for c in ordered if c.segment in weights]
    excluded: dict[str, list[Candidate]] = {reason: [] for reason in REASONS}
    eligible: list[Candidate] = []
    for candidate in ordered:
        reason = exclusion_reason(candidate, facts)
        if reason is None:
            eligible.append(candidate)
        else:
            excluded[reason].append(candidate)
    selection = Selection(target=target, chosen=[], excluded=excluded, eligible=len(eligible))
    if weights is None:
        selection.chosen = eligible[:target]
    else:
        selection.wanted = split_target(target, weights)
        chosen_ids: set[str] = set()
        for segment, wanted in selection.wanted.items():
            pool = [c for c in eligible if c.segment == segment][:wanted]
            chosen_ids.update(c.client_id for c in pool)
            if len(pool) < wanted:
                selection.notes.append(f"{segment}: {len(pool)} eligible of {wanted} wanted")
        short = target - len(chosen_ids)
        if short > 0:
            fill = [c for c in eligible if c.client_id not in chosen_ids][:short]
            chosen_ids.update(c.client_id for c in fill)
            if fill:
                segments = sorted({c.segment for c in fill}, key=SEGMENTS.index)
                selection.notes.append(f"{len(fill)} place(s) filled from {', '.join(segments)}")
        selection.chosen = [c for c in eligible if c.client_id in chosen_ids]
    if len(selection.chosen) < target:
        selection.notes.append(
            f"only {len(selection.chosen)} eligible client(s) for a target of {target}"
        )
    return selection


# --- outcomes of the waves ----------------------------------------------------------------

CHANNEL_RESULTS: dict[str, tuple[str, ...]] = {
    "sms": ("sent", "opted_out"),
    "call": (
        "confirmed",
        "declined",
        "no_answer",
        "wrong_number",
        "call_back",
        "opted_out",
        "informed",
    ),
    "wechat": ("added", "opted_out"),
}
# Results that become the invitation's state; the rest set a flag and leave the state.
DECISIVE = frozenset(
    {"confirmed", "declined", "no_answer", "wrong_number", "call_back", "opted_out"}
)
# Facts about the client (a wrong number, an opt-out) stay worth recording after the session.
_AFTER_THE_SESSION = frozenset({"wrong_number", "opted_out"})
_CANCELLED_SESSION = frozenset({"informed", "no_answer", "wrong_number", "opted_out"})


def check_outcome(channel: str, result: str, session_status: str) -> None:
    """Refuse a result the channel cannot produce, or one that no longer makes sense."""
    if channel not in CHANNEL_RESULTS:
        raise BadInput(
            f"unknown channel {channel!r}; use {', '.join(CHANNEL_RESULTS)}",
            "invite_bad_channel",
            channel=channel,
        )
    allowed = CHANNEL_RESULTS[channel]
    if result not in allowed:
        raise BadInput(
            f"{result!r} is not a {channel} result; use one of {', '.join(allowed)}",
            "invite_bad_result",
            channel=channel,
            result=result,
            allowed=", ".join(allowed),
        )
    if session_status == "cancelled":
        if result not in _CANCELLED_SESSION:
            raise RuleRefused(
                f"the session was cancelled: record only "
                f"{', '.join(sorted(_CANCELLED_SESSION))} (informed once the "
                "client knows)",
                "invite_session_cancelled",
                result=result,
            )
    elif result == "informed":
        raise RuleRefused(
            "'informed' is for telling invitees of a cancelled session; this "
            "session is not cancelled",
            "invite_not_cancelled",
        )
    elif session_status == "closed" and result not in _AFTER_THE_SESSION:
        raise RuleRefused(
            f"the session is closed; only {', '.join(sorted(_AFTER_THE_SESSION))} "
            "can still be recorded",
            "invite_session_closed",
            result=result,
        )


def outcome_changes(
    current: Mapping[str, Any], channel: str, result: str, waitlisted: bool = False
) -> dict[str, Any]:
    """What an outcome does to an invitation row (state, flags, call count).

    A confirmation beyond capacity (`waitlisted`) puts the invitation on the waiting list.
    """
    changes: dict[str, Any] = {}
    state = current["state"]
    if result in DECISIVE:
        state = "waitlisted" if result == "confirmed" and waitlisted else result
    elif result == "sent" and state == "invited":
        state = "sent"
    changes["state"] = state
    if result == "sent":
        changes["sms_sent"] = True
    if result == "added":
        changes["wechat_added"] = True
    if result == "informed":
        changes["to_tell"] = False
    if channel == "call":
        changes["calls"] = (current.get("calls") or 0) + 1
    return changes


# --- the SMS wave -------------------------------------------------------------------------

OPT_OUT_LINE = "拒收请回复R"
SMS_TEMPLATE = (
    "尊敬的{name}，诚邀您参加{date} {time}在{branch}{venue}举办的财富升级会{theme}，"
    "签到码{code}。" + OPT_OUT_LINE
)
_WEEKDAYS = "一二三四五六日"


def sms_text(
    *,
    name: str,
    starts_at: datetime,
    branch: str,
    venue: str,
    theme: str,
    code: str,
    template: str = SMS_TEMPLATE,
) -> str:
    """The invitation SMS; it always ends with the opt-out line (拒收请回复R)."""
    local = starts_at.astimezone(shanghai())
    values = {
        "name": name,
        "date": f"{local.month}月{local.day}日（周{_WEEKDAYS[local.weekday()]}）",
        "time": local.strftime("%H:%M"),
        "branch": branch,
        "venue": venue,
        "theme": f"（{theme}）" if theme else "",
        "code": code,
    }
    try:
        text = template.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise BadInput(
            f"the SMS template has an unknown field {exc}; use {{name}}, {{date}}, "
            "{time}, {branch}, {venue}, {theme} and {code}",
            "invite_bad_template",
        ) from None
    if not text.rstrip().endswith(OPT_OUT_LINE):
        text = f"{text.rstrip()}{OPT_OUT_LINE}"
    return text
