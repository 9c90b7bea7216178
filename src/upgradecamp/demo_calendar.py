"""The demo's calendar: six weeks of sessions across the cluster, invited and called as a real
organizer would, each step at its own time on the demo clock.

Satellites run their themed sessions twice a week; the core branch (the financial-education
base) runs one larger session every Saturday. Invite lists go out about five weeks ahead
(2/3 potential, 1/3 mid-high clients), the SMS wave four weeks ahead and the call round two
weeks ahead, so on the demo's "today" the next fortnight is called through, the weeks after
have SMS only, and the last week has no list yet.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import count
from typing import TYPE_CHECKING, Any

from upgradecamp.domain.clock import at_local

if TYPE_CHECKING:
    from upgradecamp.service.bus import Services

WEEKS = 6
INVITE_AHEAD = timedelta(days=35)
SMS_AHEAD = timedelta(days=28)
CALLS_AHEAD = timedelta(days=14)
MIX = {"potential": 2, "mid_high": 1}


@dataclass(frozen=True)
class BranchPlan:
    """When a branch holds its sessions: weekdays, local start, length, seats, venue."""

    weekdays: tuple[str, ...]
    start: time
    duration: int
    capacity: int
    venue: str


CORE_PLAN = BranchPlan(("sat",), time(10, 0), 60, 20, "会议室")
SATELLITE_PLANS = (
    BranchPlan(("tue", "thu"), time(15, 0), 40, 10, "贵宾室"),
    BranchPlan(("wed", "fri"), time(19, 0), 45, 12, "会议室"),
    BranchPlan(("tue", "sat"), time(9, 30), 40, 10, "贵宾室"),
    BranchPlan(("thu", "sun"), time(14, 30), 50, 10, "贵宾室"),
)
# Call round: how an invitation's call ended, with weights (a few are not reached yet).
CALL_RESULTS = (
    ("confirmed", 45),
    ("declined", 15),
    ("no_answer", 16),
    ("call_back", 10),
    ("wrong_number", 5),
    ("opted_out", 2),
    (None, 7),
)
WECHAT_SHARE = 0.4  # of the confirmed


def first_day(today: date) -> date:
    """Sessions start tomorrow: today belongs to the event-day desks."""
    return today + timedelta(days=1)


def calendar_story(
    services: Services,
    today: date,
    branches: list[tuple[str, str]],
    staff: list[dict[str, str]],
    rng: random.Random,
    made: dict[str, int],
) -> Iterator[datetime]:
    """Plan the next six weeks now, then invite, text and call each session at its time.

    A story for `demo.run_stories`: it yields the instant of its next step and acts when
    resumed, so its events interleave in time with the other stories'.
    """
    from upgradecamp.domain.commands import (
        BuildInviteList,
        PlanSessions,
        RecordInvitationOutcome,
    )
    from upgradecamp.domain.errors import RuleRefused
    from upgradecamp.domain.staff import Actor

    def actor(branch: str, role: str) -> Actor:
        member = next(s for s in staff if s["branch"] == branch and s["role"] == role)
        return Actor(code=member["code"], role=role, branch=branch, name=member["name"])

    start = first_day(today)
    satellites = iter(SATELLITE_PLANS)
    sessions: list[dict[str, Any]] = []
    for code, kind in branches:
        plan = CORE_PLAN if kind == "core" else next(satellites, SATELLITE_PLANS[0])
        first = _first_on(start, plan.weekdays)
        result = services.execute(
            PlanSessions(
                branch=code,
                start=f"{first:%Y-%m-%d} {plan.start:%H:%M}",
                duration_minutes=plan.duration,
                capacity=plan.capacity,
                venue=plan.venue,
                host=f"{code}-OR1",
                presenter=f"{code}-MK1",
                weekly_on=plan.weekdays,
                weeks=WEEKS,
            ),
            actor(code, "organizer"),
        )
        sessions += result["sessions"]
    made.update(sessions=len(sessions), invitations=0, sms=0, calls=0, uninvited=0)

    now = at_local(today, time(8, 30))
    # (when, order, kind, session, invitation): builds push their waves as they happen.
    queue: list[tuple[datetime, int, str, dict[str, Any], dict[str, Any] | None]] = []
    order = count()
    for s in sessions:
        starts = datetime.fromisoformat(s["starts_at"])
        if starts - INVITE_AHEAD <= now:
            heapq.heappush(queue, (starts - INVITE_AHEAD, next(order), "invite", s, None))
    results, weights = zip(*CALL_RESULTS, strict=True)
    while queue:
        when, _n, kind, s, inv = heapq.heappop(queue)
        yield when
        if kind == "invite":
            try:
                built = services.execute(
                    BuildInviteList(session_id=s["session_id"], mix=MIX),
                    actor(s["branch"], "organizer"),
                )
            except RuleRefused as exc:  # a small demo runs out of clients to invite
                if exc.code != "invite_nobody_qualifies":
                    raise
                made["uninvited"] += 1
                continue
            made["invitations"] += len(built["invitations"])
            starts = datetime.fromisoformat(s["starts_at"])
            for new in built["invitations"]:
                for wave, ahead in (("sms", SMS_AHEAD), ("call", CALLS_AHEAD)):
                    if starts - ahead <= now:
                        heapq.heappush(queue, (starts - ahead, next(order), wave, s, new))
            continue
        assert inv is not None
        caller = actor(s["branch"], "marketer")
        if kind == "sms":
            services.execute(
                RecordInvitationOutcome(
                    invitation=inv["invitation_id"], channel="sms", result="sent"
                ),
                caller,
            )
            made["sms"] += 1
            continue
        result = rng.choices(results, weights=weights)[0]
        if result is None:
            continue
        services.execute(
            RecordInvitationOutcome(invitation=inv["invitation_id"], channel="call", result=result),
            caller,
        )
        made["calls"] += 1
        if result == "confirmed" and rng.random() < WECHAT_SHARE:
            services.execute(
                RecordInvitationOutcome(
                    invitation=inv["invitation_id"], channel="wechat", result="added"
                ),
                caller,
            )


def calendar_summary(made: dict[str, int]) -> str:
    short = (
        f" ({made['uninvited']} sessions found nobody left to invite)"
        if made.get("uninvited")
        else ""
    )
    return (
        f"sessions: {made['sessions']} planned for the next {WEEKS} weeks; invitations: "
        f"{made['invitations']} issued, {made['sms']} texted, {made['calls']} calls "
        f"recorded{short}"
    )


def _first_on(day: date, weekdays: tuple[str, ...]) -> date:
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    wanted = {names.index(w) for w in weekdays}
    while day.weekday() not in wanted:
        day += timedelta(days=1)
    return day
