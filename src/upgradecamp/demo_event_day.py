"""The demo's event days: a month-long campaign played out, and a session running this morning.

Like the real campaign of SPEC §1, every branch ran a session a week for the last four weeks
(twenty sessions, about three hundred attendees, most of them potential clients). Each goes the
whole way — invited ahead (mostly potential clients), called, opened at the door, invitees and a
walk-in (a prospect new to the bank, brought by a friend) checked in, forms approved with
photos, one rejected, one returned and resubmitted, an appointment booked — and closed, which
creates its follow-ups. Today's session at the core branch is open with a few clients in and
two forms waiting at the branch head's desk, so every desk has something to show.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from upgradecamp.domain.clock import at_local
from upgradecamp.domain.errors import RuleRefused

# The campaign: per branch, its local start and how many days ago its four sessions were.
CAMPAIGN = {
    "B01": (time(10, 0), (27, 20, 13, 6)),
    "B02": (time(15, 0), (24, 17, 10, 3)),
    "B03": (time(19, 0), (25, 18, 11, 4)),
    "B04": (time(9, 30), (26, 19, 12, 5)),
    "B05": (time(14, 30), (23, 16, 9, 2)),
}
CAMPAIGN_MIX = {"potential": 6, "mid_high": 1}  # mostly potential clients, as in SPEC §1
FOLLOWUPS_WORKED = 0.7
FOLLOWUP_OUTCOMES = ("reached", "not_reached", "converted", "declined")
FOLLOWUP_WEIGHTS = (6, 2, 1, 1)
FOLLOWUP_NOTES = {
    "reached": "已电话联系，客户知悉",
    "not_reached": "无人接听，改日再打",
    "converted": "客户已到网点办理",
    "declined": "客户暂无需求",
}
TODAY_BRANCH, TODAY_START = "B01", time(9, 0)
# What the marketers put on the forms: (product, value, source) lines that any client may buy
# (deposits need no risk assessment), with a fixed action now and then.
FORM_LINES = (
    (("large_cd", "100000", "new"),),
    (("time_deposit", "80000", "other_bank"), ("credit_card", "1", "new")),
    (("smart_deposit", "50000", "new"),),
    (("large_cd", "50000", "existing"), ("time_deposit", "100000", "new")),
    (("demand_deposit", "120000", "other_bank"),),
    (("time_deposit", "200000", "other_bank"),),
)


def event_day_stories(
    services: Any,
    today: date,
    staff: list[dict[str, str]],
    rng: random.Random,
    made: dict[str, int],
) -> list[Iterator[datetime]]:
    """The campaign's sessions' stories and today's, for `demo.run_stories`."""
    team = _Team(services, staff)
    made.update(campaign=0, checkins=0, forms=0, approved=0)
    now = _at(today, time(8, 30))
    stories = [
        _session_story(
            team,
            branch,
            _at(today - timedelta(days=ago), start),
            rng,
            made,
            played_out=True,
            until=now,
        )
        for branch, (start, days_ago) in CAMPAIGN.items()
        for ago in days_ago
    ]
    made["campaign"] = len(stories)
    stories.append(
        _session_story(team, TODAY_BRANCH, _at(today, TODAY_START), rng, made, played_out=False)
    )
    return stories


def _session_story(
    team: _Team,
    branch: str,
    starts: datetime,
    rng: random.Random,
    made: dict[str, int],
    *,
    played_out: bool,
    until: datetime | None = None,
) -> Iterator[datetime]:
    capacity = 20 if branch == TODAY_BRANCH else 16
    session_id = team.plan(branch, starts, capacity=capacity, venue="贵宾室")
    yield starts - timedelta(days=35)
    invited = team.invite(session_id, branch, CAMPAIGN_MIX if played_out else None)
    yield starts - timedelta(days=14)
    for inv in invited:
        inv["result"] = rng.choices(("confirmed", "declined", "no_answer"), (6, 2, 2))[0]
        team.outcome(branch, inv["invitation_id"], inv["result"])

    at = starts - timedelta(minutes=10)
    yield at
    team.open(branch, session_id)
    confirmed = [inv for inv in invited if inv["result"] == "confirmed"]
    rng.shuffle(confirmed)  # they arrive in no particular order
    # A confirmed client or two does not come; two seats stay free for walk-ins.
    arriving = confirmed[: capacity - 2] if played_out else confirmed[:5]
    for inv in arriving:
        at += timedelta(seconds=rng.randint(20, 90))
        yield at
        team.check_in(branch, session_id, code=inv["code"])
        made["checkins"] += 1
    if not played_out:
        for inv in arriving[:2]:
            at += timedelta(minutes=4)
            yield at
            team.submit(branch, session_id, inv["client_id"], rng.choice(FORM_LINES))
            made["forms"] += 1
        return
    at += timedelta(minutes=1)
    yield at
    team.walk_in(branch, session_id, invited, rng)
    made["checkins"] += 1
    for n, inv in enumerate(arriving[:7]):
        at += timedelta(minutes=3)
        yield at
        yield from team.form_played_out(branch, session_id, inv["client_id"], n, at, rng, made)
        at += timedelta(minutes=6)
    at = max(at, starts + timedelta(minutes=45))
    yield at
    team.close(branch, session_id)  # the policy creates the session's follow-ups
    yield from team.work_followups(session_id, at, until or at, rng, made)


def _at(day: date, at: time) -> datetime:
    return at_local(day, at)


class _Team:
    """The staff of each branch acting through the handlers, as they would at their desks."""

    def __init__(self, services: Any, staff: list[dict[str, str]]):
        self.services = services
        self.staff = staff

    def member(self, branch: str, role: str, n: int = 1) -> dict[str, str]:
        return [s for s in self.staff if s["branch"] == branch and s["role"] == role][n - 1]

    def actor(self, branch: str, role: str, n: int = 1) -> Any:
        from upgradecamp.domain.staff import Actor

        m = self.member(branch, role, n)
        return Actor(code=m["code"], role=role, branch=branch, name=m["name"])

    def run(self, command: Any, branch: str, role: str, n: int = 1) -> Any:
        return self.services.execute(command, self.actor(branch, role, n))

    def plan(self, branch: str, starts: datetime, *, capacity: int, venue: str) -> str:
        from upgradecamp.domain.commands import PlanSessions

        result = self.run(
            PlanSessions(
                branch=branch,
                start=f"{starts:%Y-%m-%d %H:%M}",
                capacity=capacity,
                venue=venue,
                host=f"{branch}-OR1",
                presenter=f"{branch}-MK2",
            ),
            branch,
            "organizer",
        )
        return result["sessions"][0]["session_id"]

    def invite(
        self, session_id: str, branch: str, mix: dict[str, int] | None = None
    ) -> list[dict[str, Any]]:
        from upgradecamp.domain.commands import BuildInviteList
        from upgradecamp.domain.errors import RuleRefused

        try:
            built = self.run(
                BuildInviteList(session_id=session_id, mix=mix or {"potential": 2, "mid_high": 1}),
                branch,
                "organizer",
            )
        except RuleRefused as exc:  # a small demo may have nobody left to invite
            if exc.code != "invite_nobody_qualifies":
                raise
            return []
        return [dict(inv) for inv in built["invitations"]]

    def outcome(self, branch: str, invitation_id: str, result: str) -> None:
        from upgradecamp.domain.commands import RecordInvitationOutcome

        self.run(
            RecordInvitationOutcome(invitation=invitation_id, channel="call", result=result),
            branch,
            "marketer",
        )

    def open(self, branch: str, session_id: str) -> None:
        from upgradecamp.domain.commands import OpenSession

        self.run(OpenSession(session_id=session_id), branch, "checkin")

    def work_followups(
        self,
        session_id: str,
        closed: datetime,
        until: datetime,
        rng: random.Random,
        made: dict[str, int],
    ) -> Iterator[datetime]:
        """The marketers work most follow-ups the day before they are due (up to `until`, the
        demo's now); the rest stay open, overdue or still to come, for the desk to show."""
        from upgradecamp.domain.commands import RecordFollowUpOutcome
        from upgradecamp.domain.staff import Actor
        from upgradecamp.queries.followups import list_followups

        engine = self.services.engine
        owed = list(list_followups(engine, session=session_id, status="open"))
        roles = {s["code"]: s for s in self.staff}
        for n, followup in enumerate(owed):
            if rng.random() >= FOLLOWUPS_WORKED:
                continue
            due = at_local(date.fromisoformat(str(followup.due)), time(10, 0))
            when = max(closed, due - timedelta(days=1)) + timedelta(minutes=n)
            if when > until:
                continue
            yield when
            member = roles.get(followup.assignee)
            if member is None:
                continue
            outcome = rng.choices(FOLLOWUP_OUTCOMES, FOLLOWUP_WEIGHTS)[0]
            actor = Actor(
                code=member["code"],
                role=member["role"],
                branch=member["branch"],
                name=member["name"],
            )
            try:
                self.services.execute(
                    RecordFollowUpOutcome(
                        followup_id=followup.followup_id,
                        outcome=outcome,
                        note=FOLLOWUP_NOTES[outcome],
                    ),
                    actor,
                )
            except RuleRefused:  # closed meanwhile (a later form converted it)
                continue
            made["followups_worked"] = made.get("followups_worked", 0) + 1

    def close(self, branch: str, session_id: str) -> None:
        from upgradecamp.domain.commands import CloseSession

        self.run(CloseSession(session_id=session_id), branch, "organizer")

    def check_in(self, branch: str, session_id: str, **how: Any) -> dict[str, Any]:
        from upgradecamp.domain.commands import CheckIn

        desk = 1 + ord((how.get("code") or "x")[-1]) % 2  # two desks at the door
        return self.run(CheckIn(session_id=session_id, **how), branch, "checkin", n=desk)

    def walk_in(
        self, branch: str, session_id: str, invited: list[dict[str, Any]], rng: random.Random
    ) -> None:
        """A prospect from the banking hall, brought by an attendee (a referral)."""
        from faker import Faker

        fake = Faker("zh_CN")
        fake.seed_instance(rng.randrange(1 << 30))
        attendee = next((inv["client_id"] for inv in invited if inv["result"] == "confirmed"), None)
        self.check_in(
            branch,
            session_id,
            prospect_name=fake.name(),
            prospect_mobile=f"139{rng.randrange(10**8):08d}",
            referred_by=attendee,
        )

    def submit(
        self,
        branch: str,
        session_id: str,
        client_id: str,
        lines: tuple,
        *,
        actions: tuple[str, ...] = (),
        appointment: str | None = None,
        form_id: str | None = None,
    ) -> dict[str, Any]:
        from upgradecamp.domain.commands import SubmitForm

        marketer = 1 + ord(client_id[-1]) % 2  # each client sits with one of two marketers
        return self.run(
            SubmitForm(
                session_id=session_id,
                client_id=client_id,
                lines=lines,
                actions=actions,
                appointment=appointment,
                form_id=form_id,
            ),
            branch,
            "marketer",
            n=marketer,
        )

    def form_played_out(
        self,
        branch: str,
        session_id: str,
        client_id: str,
        n: int,
        at: datetime,
        rng: random.Random,
        made: dict[str, int],
    ) -> Iterator[datetime]:
        """The n-th attendee's form: most approved with a photo; one an appointment, one
        rejected, one returned and resubmitted, one photo forgotten."""
        from upgradecamp.domain.commands import (
            ApproveForm,
            MarkPhotoTaken,
            RejectForm,
            ReturnForm,
        )

        head = self.member(branch, "branch_head")
        if n == 3:
            form = self.submit(
                branch,
                session_id,
                client_id,
                (),
                appointment=(at.date() + timedelta(days=5)).isoformat(),
            )
        else:
            form = self.submit(
                branch,
                session_id,
                client_id,
                rng.choice(FORM_LINES),
                actions=("mobile_banking",) if n % 2 else (),
            )
        made["forms"] += 1
        form_id = form["form_id"]
        yield at + timedelta(minutes=2)
        if n == 5:
            self.run(
                RejectForm(form_id=form_id, reason="客户当场决定暂不办理"), branch, "branch_head"
            )
            return
        if n == 4:
            self.run(
                ReturnForm(form_id=form_id, reason="资金来源填写有误，请核对后重新提交"),
                branch,
                "branch_head",
            )
            yield at + timedelta(minutes=4)
            self.submit(
                branch, session_id, client_id, (("time_deposit", "30000", "new"),), form_id=form_id
            )
            yield at + timedelta(minutes=5)
        self.run(ApproveForm(form_id=form_id, pin=head["pin"]), branch, "branch_head")
        made["approved"] += 1
        if n != 2:  # one photo forgotten: the follow-up will catch it
            self.run(MarkPhotoTaken(form_id=form_id), branch, "branch_head")


def event_day_summary(made: dict[str, int]) -> str:
    return (
        f"event days: a campaign of {made['campaign']} sessions over the last four weeks "
        f"and one open this morning ({made['checkins']} check-ins, {made['forms']} forms, "
        f"{made['approved']} approved, {made.get('followups_worked', 0)} follow-ups "
        "worked)"
    )
