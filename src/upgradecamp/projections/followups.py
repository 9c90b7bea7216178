"""Follow-ups (FollowUpRow): the follow-up desk, the follow-up exports and the reports read it.

`branch` is the session's branch; `attempts` counts the outcomes people recorded (an
automatic conversion by a later approved form is not a try); `outcome` and `note` are the
latest; `done_at`/`done_by` say when and by whom an outcome other than `not_reached` closed it
(`system` for a conversion). Only the log's own times and actors are used, so replay gives the
same rows.
"""

from __future__ import annotations

from typing import Any

from upgradecamp.domain.events import (
    ClientForgotten,
    FollowUpCreated,
    FollowUpOutcomeRecorded,
    FollowUpReassigned,
    FollowUpReopened,
    FollowUpRescheduled,
)
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.followups import FollowUpRow
from upgradecamp.store.tables.sessions import SessionRow

PROJECTION = Projection()
NOT_REACHED = "not_reached"


def opened(stored: StoredEvent, **fields: Any) -> dict[str, Any]:
    """A follow-up row as created (after a session or by the maintenance plan): open, untried."""
    return {
        **fields,
        "status": "open",
        "outcome": None,
        "note": "",
        "attempts": 0,
        "created_at": stored.recorded_at,
        "done_at": None,
        "done_by": None,
    }


@PROJECTION.register
def followup_created(store: RowStore, event: FollowUpCreated, stored: StoredEvent) -> None:
    session = store.get(SessionRow, event.session_id)
    store.put(
        FollowUpRow,
        opened(
            stored,
            followup_id=event.followup_id,
            kind=event.kind,
            session_id=event.session_id,
            branch=session["branch"] if session else "",
            client_id=event.client_id,
            form_id=event.form_id,
            next_session_id=event.next_session_id,
            assignee=event.assignee,
            due=event.due,
        ),
    )


@PROJECTION.register
def followup_outcome_recorded(
    store: RowStore, event: FollowUpOutcomeRecorded, stored: StoredEvent
) -> None:
    row = store.get(FollowUpRow, event.followup_id)
    if row is None:
        return
    changes: dict[str, Any] = {
        "outcome": event.outcome,
        "attempts": row["attempts"] + (0 if event.automatic else 1),
    }
    if event.note:
        changes["note"] = event.note
    if event.outcome != NOT_REACHED:
        changes.update(status="done", done_at=stored.recorded_at, done_by=stored.meta.get("actor"))
    store.update(FollowUpRow, event.followup_id, **changes)


@PROJECTION.register
def followup_rescheduled(store: RowStore, event: FollowUpRescheduled, stored: StoredEvent) -> None:
    if store.get(FollowUpRow, event.followup_id) is not None:
        store.update(FollowUpRow, event.followup_id, due=event.due)


@PROJECTION.register
def followup_reassigned(store: RowStore, event: FollowUpReassigned, stored: StoredEvent) -> None:
    if store.get(FollowUpRow, event.followup_id) is not None:
        store.update(FollowUpRow, event.followup_id, assignee=event.assignee)


@PROJECTION.register
def followup_reopened(store: RowStore, event: FollowUpReopened, stored: StoredEvent) -> None:
    if store.get(FollowUpRow, event.followup_id) is not None:
        store.update(
            FollowUpRow, event.followup_id, status="open", outcome=None, done_at=None, done_by=None
        )


@PROJECTION.register
def client_forgotten(store: RowStore, event: ClientForgotten, stored: StoredEvent) -> None:
    """The notes about a forgotten client go; their follow-ups (who, when, outcome) stay."""
    for row in store.matching(FollowUpRow, "client_id", event.client_id):
        if row["note"]:
            store.update(FollowUpRow, row["followup_id"], note="")
