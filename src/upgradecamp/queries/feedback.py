"""Satisfaction and complaints (满意度与投诉) for `feedback report` and the reports screen."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Engine, case, func

# sqlmodel's select is typed for up to four columns; these reports select more
from sqlalchemy import select as wide_select
from sqlmodel import col

from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables.feedback import FeedbackRow
from upgradecamp.store.tables.followups import FollowUpRow

GROUPS = {
    "session": col(FeedbackRow.session_id),
    "branch": col(FeedbackRow.branch),
    "presenter": col(FeedbackRow.presenter),
}


@dataclass(frozen=True)
class Satisfaction:
    """One session, branch or presenter: forms, average score (2 decimals), complaints."""

    key: str
    forms: int
    average: str
    complaints: int
    complaints_open: int
    complaints_closed: int

    def to_json(self) -> dict:
        return asdict(self)


def satisfaction(
    engine: Engine,
    by: str = "session",
    start: date | None = None,
    end: date | None = None,
    branch: str | None = None,
) -> list[Satisfaction]:
    column = GROUPS[by]
    query = (
        wide_select(
            column,
            func.count(),
            func.sum(col(FeedbackRow.score)),
            func.count(col(FeedbackRow.complaint)),
            func.sum(case((col(FollowUpRow.status) == "open", 1), else_=0)),
        )
        .select_from(FeedbackRow)
        .outerjoin(FollowUpRow, col(FollowUpRow.followup_id) == col(FeedbackRow.followup_id))
        .group_by(column)
        .order_by(column)
    )
    if start:
        query = query.where(col(FeedbackRow.session_day) >= start)
    if end:
        query = query.where(col(FeedbackRow.session_day) <= end)
    if branch:
        query = query.where(col(FeedbackRow.branch) == branch)
    with read_transaction(engine) as conn:
        rows = conn.execute(query).all()
    out = []
    for key, forms, total, complaints, still_open in rows:
        average = (Decimal(total) / forms).quantize(Decimal("0.01"), ROUND_HALF_UP)
        out.append(
            Satisfaction(
                key,
                forms,
                f"{average}",
                complaints,
                int(still_open or 0),
                complaints - int(still_open or 0),
            )
        )
    return out


@dataclass(frozen=True)
class Complaint:
    session_id: str
    client_id: str
    complaint: str
    followup_id: str
    assignee: str
    due: str
    status: str
    outcome: str | None

    def to_json(self) -> dict:
        return asdict(self)


def complaints(engine: Engine, status: str | None = None) -> list[Complaint]:
    """Every complaint with its follow-up: who answers it, by when, and whether it is done."""
    query = (
        wide_select(
            col(FeedbackRow.session_id),
            col(FeedbackRow.client_id),
            col(FeedbackRow.complaint),
            col(FollowUpRow.followup_id),
            col(FollowUpRow.assignee),
            col(FollowUpRow.due),
            col(FollowUpRow.status),
            col(FollowUpRow.outcome),
        )
        .join(FollowUpRow, col(FollowUpRow.followup_id) == col(FeedbackRow.followup_id))
        .order_by(col(FollowUpRow.due), col(FeedbackRow.session_id), col(FeedbackRow.client_id))
    )
    if status:
        query = query.where(col(FollowUpRow.status) == status)
    with read_transaction(engine) as conn:
        rows = conn.execute(query).all()
    return [
        Complaint(
            r.session_id,
            r.client_id,
            r.complaint or "",
            r.followup_id,
            r.assignee,
            r.due.isoformat(),
            r.status,
            r.outcome,
        )
        for r in rows
    ]
