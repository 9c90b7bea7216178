"""Feedback and complaints (满意度与投诉). Pure.

Every attendee may leave one feedback form per session: a score 1–5, a comment, and a
complaint. A complaint is the branch head's to answer, urgently: a follow-up due the next
working day (Monday to Friday; a complaint on Friday is due on Monday).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from upgradecamp.domain.commands.sessions import GiveFeedback
from upgradecamp.domain.errors import BadInput, NotFound, RuleRefused
from upgradecamp.domain.events.feedback import FeedbackGiven
from upgradecamp.domain.events.followups import FollowUpCreated
from upgradecamp.domain.followups import COMPLAINT, followup_id
from upgradecamp.domain.staff import Actor

TEXT_MAX = 500


def next_working_day(day: date) -> date:
    following = day + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return following


@dataclass(frozen=True)
class FeedbackFacts:
    """`session_branch` None: no such session. `head` the branch head who answers a
    complaint (the session branch's, else the core branch's, else the session's host)."""

    actor: Actor
    session_branch: str | None
    attended: bool
    already_given: bool
    head: str
    today: date


def _text(value: str, what: str) -> str:
    text = (value or "").strip()
    if len(text) > TEXT_MAX:
        raise BadInput(
            f"the {what} has {len(text)} characters; keep it under {TEXT_MAX}",
            "feedback_text_too_long",
            what=what,
            limit=TEXT_MAX,
        )
    return text


def decide_feedback(
    facts: FeedbackFacts, cmd: GiveFeedback
) -> tuple[FeedbackGiven, FollowUpCreated | None]:
    facts.actor.require("feedback.record", "record feedback")
    if facts.session_branch is None:
        raise NotFound(
            f"no session '{cmd.session_id}'; pick one from `upgradecamp sessions list`",
            "session_not_found",
            session=cmd.session_id,
        )
    if not 1 <= cmd.score <= 5:
        raise BadInput(
            f"score {cmd.score} is out of range; give 1 (poor) to 5 (excellent)",
            "feedback_bad_score",
            score=cmd.score,
        )
    if not facts.attended:
        raise RuleRefused(
            f"client {cmd.client_id} did not attend session {cmd.session_id}; "
            "feedback is given by attendees",
            "feedback_not_attended",
            client=cmd.client_id,
            session=cmd.session_id,
        )
    if facts.already_given:
        raise RuleRefused(
            f"client {cmd.client_id} already gave feedback on "
            f"{cmd.session_id}; nothing was changed",
            "feedback_already_given",
            client=cmd.client_id,
            session=cmd.session_id,
        )
    comment = _text(cmd.comment, "comment")
    complaint = _text(cmd.complaint, "complaint") or None
    call = None
    if complaint:
        call = FollowUpCreated(
            followup_id=followup_id(cmd.session_id, COMPLAINT, cmd.client_id),
            kind=COMPLAINT,
            session_id=cmd.session_id,
            client_id=cmd.client_id,
            assignee=facts.head,
            due=next_working_day(facts.today),
        )
    return (
        FeedbackGiven(
            session_id=cmd.session_id,
            client_id=cmd.client_id,
            score=cmd.score,
            comment=comment,
            complaint=complaint,
            followup_id=call.followup_id if call else None,
        ),
        call,
    )
