"""Cancelling a session tells people (取消通知): the SMS its invitees get, and the calls owed to
those who had confirmed, each offering the branch's next session.

Pure decisions: `service/cancellation.py` gathers the facts of the cancelled session,
`plan_cancellation_calls` decides the follow-ups (ids derived from the session and the client,
so a repeat creates nothing twice), `cancellation_sms` writes the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from upgradecamp.domain.commands.base import Command
from upgradecamp.domain.followups import (
    CANCEL_CALL,
    ClientFacts,
    PlannedFollowUp,
    assignee_for,
    followup_id,
)
from upgradecamp.domain.invitations import OPT_OUT_LINE
from upgradecamp.domain.rules import shanghai
from upgradecamp.domain.salutation import salutation

_WEEKDAYS = "一二三四五六日"
CANCEL_SMS_TEMPLATE = (
    "尊敬的{salutation}，原定{date} {time}在{branch}{venue}举办的"
    "财富升级会因故取消，敬请谅解。{next}"
)
NEXT_SESSION_LINE = "下一场将于{date} {time}举行，您的客户经理将与您联系预约。"
NO_NEXT_SESSION_LINE = "您的客户经理将与您联系另行安排。"


@dataclass(frozen=True)
class CreateCancellationCalls(Command):
    """Create the calls a cancelled session owes its confirmed invitees.

    Run by the SessionCancelled policy (as the system); not a command people type, so it lives
    beside the rule it carries out. Running it again creates only what is missing.
    """

    session_id: str


@dataclass(frozen=True)
class CancelledSession:
    """What decides the calls: the session, when it was cancelled (Shanghai day), the day it
    would have been, its confirmed invitees (client ids), the clients' relationship managers,
    the staff codes that exist, and the branch's next planned session, if any."""

    session_id: str
    host: str
    cancelled_on: date
    session_day: date
    confirmed: tuple[str, ...] = ()
    clients: Mapping[str, ClientFacts] = field(default_factory=dict)
    staff: frozenset[str] = frozenset()
    next_session_id: str | None = None


def call_due(cancelled_on: date, session_day: date) -> date:
    """The day after the cancellation, but before the session's day if that comes first (the
    client must hear before setting off), and never before the cancellation itself."""
    return max(cancelled_on, min(cancelled_on + timedelta(days=1), session_day - timedelta(days=1)))


def plan_cancellation_calls(session: CancelledSession) -> list[PlannedFollowUp]:
    """One call per confirmed invitee (by client id), assigned to their relationship manager
    (else the host), naming the branch's next session so the caller can offer a seat in it."""
    due = call_due(session.cancelled_on, session.session_day)
    plans = {
        client_id: PlannedFollowUp(
            followup_id=followup_id(session.session_id, CANCEL_CALL, client_id),
            kind=CANCEL_CALL,
            client_id=client_id,
            assignee=assignee_for(session.clients.get(client_id), session.host, session.staff),
            due=due,
            next_session_id=session.next_session_id,
        )
        for client_id in session.confirmed
    }
    return [plans[c] for c in sorted(plans)]


def _when(at: datetime) -> tuple[str, str]:
    local = at.astimezone(shanghai())
    return (
        f"{local.month}月{local.day}日（周{_WEEKDAYS[local.weekday()]}）",
        local.strftime("%H:%M"),
    )


def cancellation_sms(
    *,
    name: str,
    starts_at: datetime,
    branch: str,
    venue: str,
    next_starts_at: datetime | None = None,
) -> str:
    """The cancellation SMS: surname and title only, the session that will not take place,
    the next session if one is planned, and the opt-out line (拒收请回复R) at the end."""
    day, time = _when(starts_at)
    if next_starts_at is None:
        following = NO_NEXT_SESSION_LINE
    else:
        next_day, next_time = _when(next_starts_at)
        following = NEXT_SESSION_LINE.format(date=next_day, time=next_time)
    text = CANCEL_SMS_TEMPLATE.format(
        salutation=salutation(name), date=day, time=time, branch=branch, venue=venue, next=following
    )
    return text + OPT_OUT_LINE
