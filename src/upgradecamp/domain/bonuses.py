"""Bonus points that are not form lines: the appointment bonus and referral rewards (SPEC §3.2).

Pure decisions; the points handlers record them. Referral rewards have no cap: every referred
client who checks in, and every first approval, pays the referrer again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from upgradecamp.domain.errors import BadInput, RuleRefused
from upgradecamp.domain.rules import RuleSet

BONUS_KINDS = ("appointment_bonus", "referral_checkin", "referral_approval")


@dataclass(frozen=True, slots=True)
class Bonus:
    kind: str
    points: int
    formula: str


def appointment_bonus(rule_set: RuleSet, session_day: date, fulfilled_on: date) -> Bonus:
    """300 points when a form for an appointment booked at a session is approved in time.

    The window counts whole days after the session: with 14 days, a session on 11-20 pays for
    approvals up to and including 12-04.
    """
    days = (fulfilled_on - session_day).days
    if days < 0:
        raise BadInput(
            f"the appointment was fulfilled on {fulfilled_on}, before its session on "
            f"{session_day}; check the dates",
            "appointment_fulfilled_before_session",
            fulfilled=str(fulfilled_on),
            session_day=str(session_day),
        )
    if days > rule_set.appointment_window_days:
        raise RuleRefused(
            f"the appointment was fulfilled {days} days after the session on {session_day}; "
            f"the bonus needs {rule_set.appointment_window_days} days or fewer, so none is due",
            "appointment_bonus_too_late",
            days=days,
            session_day=str(session_day),
            window=rule_set.appointment_window_days,
        )
    return Bonus(
        "appointment_bonus",
        rule_set.appointment_bonus,
        f"appointment fulfilled {days} day(s) after the session "
        f"(≤ {rule_set.appointment_window_days}) = {rule_set.appointment_bonus}",
    )


def referral_reward(rule_set: RuleSet, kind: str, referred_client: str) -> Bonus:
    """Points to the referrer when the referred client checks in, or is first approved."""
    if kind == "referral_checkin":
        return Bonus(
            kind,
            rule_set.referral_checkin,
            f"referred client {referred_client} checked in = {rule_set.referral_checkin}",
        )
    if kind == "referral_approval":
        return Bonus(
            kind,
            rule_set.referral_first_approval,
            f"referred client {referred_client}'s first form approved = "
            f"{rule_set.referral_first_approval}",
        )
    raise BadInput(
        f"unknown referral kind {kind!r}; use referral_checkin or referral_approval",
        "unknown_referral_kind",
        kind=repr(kind),
    )
