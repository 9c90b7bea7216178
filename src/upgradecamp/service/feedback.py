"""Handler of feedback forms: gather the session, attendance and branch head, decide, record
the feedback and (for a complaint) the branch head's follow-up in one transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from upgradecamp.domain.commands.sessions import GiveFeedback
from upgradecamp.domain.events import streams
from upgradecamp.domain.feedback import FeedbackFacts, decide_feedback
from upgradecamp.domain.rules import business_date
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.tables import BranchRow, StaffRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow


def _head(uow: UnitOfWork, branch: str, host: str) -> str:
    core = select(col(BranchRow.code)).where(col(BranchRow.kind) == "core")
    for where in (col(StaffRow.branch) == branch, col(StaffRow.branch).in_(core)):
        head = uow.conn.execute(
            select(col(StaffRow.code))
            .where(col(StaffRow.role) == "branch_head", where)
            .order_by(col(StaffRow.code))
            .limit(1)
        ).scalar()
        if head:
            return head
    return host


def give_feedback(uow: UnitOfWork, cmd: GiveFeedback) -> dict[str, Any]:
    session = uow.rows.get(SessionRow, cmd.session_id)
    attended = (
        session is not None
        and uow.conn.execute(
            select(col(CheckInRow.checkin_id)).where(
                col(CheckInRow.session_id) == cmd.session_id,
                col(CheckInRow.client_id) == cmd.client_id,
                col(CheckInRow.annulled).is_(False),
            )
        ).first()
        is not None
    )
    facts = FeedbackFacts(
        actor=uow.actor,
        session_branch=session["branch"] if session else None,
        attended=attended,
        already_given=bool(uow.stream_version(streams.feedback(cmd.session_id, cmd.client_id))),
        head=_head(uow, session["branch"], session["host"]) if session else "",
        today=business_date(uow.clock()),
    )
    feedback, call = decide_feedback(facts, cmd)
    uow.record(feedback, *([call] if call else []))
    return {
        **feedback.payload(),
        "followup": None
        if call is None
        else {
            "followup_id": call.followup_id,
            "assignee": call.assignee,
            "due": call.due.isoformat(),
        },
    }


HANDLERS: Handlers = {GiveFeedback: give_feedback}
