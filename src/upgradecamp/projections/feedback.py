"""Feedback forms, with the session's branch, presenter and day for the satisfaction report;
whether a complaint is open or closed is its follow-up's status."""

from __future__ import annotations

from upgradecamp.domain.clock import business_date
from upgradecamp.domain.events import ClientForgotten, FeedbackGiven
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.feedback import FeedbackRow
from upgradecamp.store.tables.sessions import SessionRow

PROJECTION = Projection()


@PROJECTION.register
def feedback_given(store: RowStore, event: FeedbackGiven, stored: StoredEvent) -> None:
    session = store.get(SessionRow, event.session_id)
    store.put(
        FeedbackRow,
        {
            "session_id": event.session_id,
            "client_id": event.client_id,
            "branch": session["branch"] if session else "",
            "presenter": session["presenter"] if session else "",
            "session_day": business_date(session["starts_at"]) if session else None,
            "score": event.score,
            "comment": event.comment,
            "complaint": event.complaint,
            "followup_id": event.followup_id,
            "given_by": stored.meta.get("actor", ""),
        },
    )


@PROJECTION.register
def client_forgotten(store: RowStore, event: ClientForgotten, stored: StoredEvent) -> None:
    """A forgotten client's words go; the score stays, and a complaint stays one ("")."""
    for row in store.matching(FeedbackRow, "client_id", event.client_id):
        complaint = None if row["complaint"] is None else ""
        if row["comment"] or row["complaint"]:
            store.update(
                FeedbackRow, (row["session_id"], row["client_id"]), comment="", complaint=complaint
            )
