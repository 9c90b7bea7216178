"""The demo's maintenance year (issue 15): books, targets, feedback with a complaint, rewards.

Played on the demo's clock beside the calendar and the event days, with no random draws of
its own (so the rest of the demo is the same for a seed): at the start each branch's organizer
gives its unassigned potential clients to the first marketer and the branch head sets the
month's targets; the morning before the demo's today a maintenance run calls the clients whose
tier the campaign changed; that day the campaign's attendees give feedback (one
complains, and the branch head calls back that afternoon) and the best-off clients spend some
points.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from upgradecamp.domain.rules import shanghai

SHANGHAI = shanghai()
SCORES = (5, 4, 5, 3, 4)
FEEDBACK_PER_SESSION = 3
COMPLAINT_BRANCH = "B02"
COMPLAINT = "等候签到时间较长，讲解节奏偏快"
REDEEMERS = 3
REWARD = "car_wash"
MAINTENANCE_WEEKS = (4, 3, 2, 1)
WORKED_SHARE = 2  # every second call of a run is worked the next morning


def _at(day: date, at: time) -> datetime:
    return datetime.combine(day, at, SHANGHAI)


def year_story(
    services: Any, start: datetime, today: date, staff: list[dict[str, str]], made: dict[str, int]
) -> Iterator[datetime]:
    from upgradecamp.domain.staff import Actor

    def actor(branch: str, role: str, n: int = 1) -> Actor:
        m = [s for s in staff if s["branch"] == branch and s["role"] == role][n - 1]
        return Actor(code=m["code"], role=role, branch=branch, name=m["name"])

    branches = sorted({s["branch"] for s in staff if s["role"] == "organizer"})
    made.update(
        assigned=0,
        targets=0,
        feedback=0,
        complaints=0,
        redemptions=0,
        maintenance=0,
        maintenance_worked=0,
    )
    yield start + timedelta(minutes=30)
    _books_and_targets(services, branches, today, actor, staff, made)
    for weeks_ago in MAINTENANCE_WEEKS:  # a month of weekly maintenance runs
        yield _at(today - timedelta(weeks=weeks_ago), time(8, 0))
        created = _maintenance(
            services, today - timedelta(weeks=weeks_ago), actor(branches[0], "organizer"), made
        )
        yield _at(today - timedelta(weeks=weeks_ago) + timedelta(days=1), time(10, 0))
        _work_calls(services, created, staff, made)
    # The morning after the campaign's last sessions: their upgrades are tier-changed calls,
    # left open for the follow-up desk.
    yield _at(today - timedelta(days=1), time(8, 0))
    _maintenance(services, today - timedelta(days=1), actor(branches[0], "organizer"), made)
    yield _at(today - timedelta(days=1), time(11, 0))
    complaint = _feedback(services, today, actor, made)
    _redemptions(services, actor, made)
    yield _at(today - timedelta(days=1), time(16, 0))
    if complaint is not None:
        from upgradecamp.domain.commands import RecordFollowUpOutcome

        branch, followup_id = complaint
        services.execute(
            RecordFollowUpOutcome(
                followup_id=followup_id,
                outcome="reached",
                note="行长已致电致歉，下次场次增设签到台",
            ),
            actor(branch, "branch_head"),
        )


def _books_and_targets(
    services: Any,
    branches: list[str],
    today: date,
    actor: Any,
    staff: list[dict[str, str]],
    made: dict[str, int],
) -> None:
    from upgradecamp.domain.commands import AssignClients, SetTarget

    month = f"{today:%Y-%m}"
    for branch in branches:
        first = actor(branch, "marketer")
        result = services.execute(
            AssignClients(rm=first.code, branch=branch, segment="potential", unassigned=True),
            actor(branch, "organizer"),
        )
        made["assigned"] += result["assigned"]
        marketers = [s["code"] for s in staff if s["branch"] == branch and s["role"] == "marketer"]
        for n, code in enumerate(marketers):
            services.execute(
                SetTarget(
                    staff=code,
                    month=month,
                    forms=max(2, 8 - 2 * n),
                    upgrades=max(0, 3 - n),
                    converted_aum=f"{max(100000, 600000 - 200000 * n)}",
                ),
                actor(branch, "branch_head"),
            )
            made["targets"] += 1


def _feedback(
    services: Any, today: date, actor: Any, made: dict[str, int]
) -> tuple[str, str] | None:
    """Three attendees of every closed session give feedback; at the last closed session of
    COMPLAINT_BRANCH the third complains."""
    from sqlmodel import col, select

    from upgradecamp.domain.commands import GiveFeedback
    from upgradecamp.store.db import read_transaction
    from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

    with read_transaction(services.engine) as conn:
        sessions = conn.execute(
            select(SessionRow.session_id, SessionRow.branch)
            .where(SessionRow.status == "closed")
            .order_by(col(SessionRow.starts_at), SessionRow.session_id)
        ).all()
        attendees = {
            sid: [
                c
                for (c,) in conn.execute(
                    select(CheckInRow.client_id)
                    .where(CheckInRow.session_id == sid, col(CheckInRow.annulled).is_(False))
                    .order_by(col(CheckInRow.at), CheckInRow.client_id)
                    .limit(FEEDBACK_PER_SESSION)
                )
            ]
            for sid, _branch in sessions
        }
    complaining = next(
        (sid for sid, branch in reversed(sessions) if branch == COMPLAINT_BRANCH), None
    )
    complaint = None
    for n, (session_id, branch) in enumerate(sessions):
        for k, client_id in enumerate(attendees[session_id]):
            complains = session_id == complaining and k == FEEDBACK_PER_SESSION - 1
            result = services.execute(
                GiveFeedback(
                    session_id=session_id,
                    client_id=client_id,
                    score=2 if complains else SCORES[(n + k) % len(SCORES)],
                    comment="理财经理讲解清楚" if not complains else "",
                    complaint=COMPLAINT if complains else "",
                ),
                actor(branch, "marketer"),
            )
            made["feedback"] += 1
            if result["followup"]:
                made["complaints"] += 1
                complaint = (branch, result["followup"]["followup_id"])
    return complaint


def _redemptions(services: Any, actor: Any, made: dict[str, int]) -> None:
    """The clients with the most points spend some on a car wash, with their branch's
    marketer."""
    from sqlmodel import col, select

    from upgradecamp.domain.commands import RedeemPoints
    from upgradecamp.store.db import read_transaction
    from upgradecamp.store.tables import ClientPointsRow, ClientRow

    with read_transaction(services.engine) as conn:
        best = conn.execute(
            select(ClientPointsRow.client_id, ClientRow.branch)
            .join(ClientRow, col(ClientRow.client_id) == ClientPointsRow.client_id)
            .where(ClientPointsRow.balance >= 500)
            .order_by(col(ClientPointsRow.balance).desc(), ClientPointsRow.client_id)
            .limit(REDEEMERS)
        ).all()
    for client_id, branch in best:
        services.execute(
            RedeemPoints(client_id=client_id, reward=REWARD), actor(branch, "marketer")
        )
        made["redemptions"] += 1


def _maintenance(
    services: Any, day: date, organizer: Any, made: dict[str, int]
) -> list[tuple[str, str]]:
    """The day's maintenance run; the open maintenance calls (id, assignee) after it."""
    from sqlmodel import select

    from upgradecamp.domain.commands import RunMaintenance
    from upgradecamp.store.db import read_transaction
    from upgradecamp.store.tables.followups import FollowUpRow

    result = services.execute(RunMaintenance(on=day.isoformat()), organizer)
    made["maintenance"] += result["created"]
    with read_transaction(services.engine) as conn:
        return [
            (f, a)
            for f, a in conn.execute(
                select(FollowUpRow.followup_id, FollowUpRow.assignee)
                .where(FollowUpRow.session_id == "", FollowUpRow.status == "open")
                .order_by(FollowUpRow.followup_id)
            )
        ]


def _work_calls(
    services: Any, calls: list[tuple[str, str]], staff: list[dict[str, str]], made: dict[str, int]
) -> None:
    from upgradecamp.domain.commands import RecordFollowUpOutcome
    from upgradecamp.domain.staff import Actor

    members = {s["code"]: s for s in staff}
    for followup_id, assignee in calls[::WORKED_SHARE]:
        member = members.get(assignee)
        if member is None:
            continue
        services.execute(
            RecordFollowUpOutcome(
                followup_id=followup_id, outcome="reached", note="已致电问候，客户满意"
            ),
            Actor(
                code=member["code"],
                role=member["role"],
                branch=member["branch"],
                name=member["name"],
            ),
        )
        made["maintenance_worked"] += 1


def year_summary(made: dict[str, int]) -> str:
    return (
        f"the year: {made['assigned']} clients assigned to RMs, {made['targets']} targets "
        f"set, {made['feedback']} feedback forms ({made['complaints']} complaint, handled), "
        f"{made['redemptions']} redemptions, {made['maintenance']} maintenance calls "
        f"({made['maintenance_worked']} worked)"
    )
