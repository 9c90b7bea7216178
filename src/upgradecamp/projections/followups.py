"""Follow-ups (FollowUpRow): the follow-up desk, the follow-up exports and the reports read it.

`branch` is the session's branch; `attempts` counts the outcomes people recorded (an
automatic conversion by a later approved form is not a try); `outcome` and `note` are the
latest; `done_at`/`done_by` say when and by whom an outcome other than `not_reached` closed it
(`system` for a conversion). Only the log's own times and actors are used, so replay gives the
same rows.
"""

from __future__ import annotations

from datetime import date

from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.followups import FollowUpRow
from upgradecamp.store.tables.sessions import SessionRow

NOT_REACHED = "not_reached"


def followup_created(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    session = store.get(SessionRow, p["session_id"])
    store.put(FollowUpRow, {
        "followup_id": p["followup_id"],
        "kind": p["kind"],
        "session_id": p["session_id"],
        "branch": session["branch"] if session else "",
        "client_id": p["client_id"],
        "form_id": p.get("form_id"),
        "next_session_id": p.get("next_session_id"),
        "assignee": p["assignee"],
        "due": date.fromisoformat(p["due"]),
        "status": "open",
        "outcome": None,
        "note": "",
        "attempts": 0,
        "created_at": ev.recorded_at,
        "done_at": None,
        "done_by": None,
    })


def followup_outcome_recorded(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    row = store.get(FollowUpRow, p["followup_id"])
    if row is None:
        return
    changes = {"outcome": p["outcome"],
               "attempts": row["attempts"] + (0 if p.get("automatic") else 1)}
    if p.get("note"):
        changes["note"] = p["note"]
    if p["outcome"] != NOT_REACHED:
        changes.update(status="done", done_at=ev.recorded_at, done_by=ev.meta.get("actor"))
    store.update(FollowUpRow, p["followup_id"], **changes)


def followup_rescheduled(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    if store.get(FollowUpRow, p["followup_id"]) is not None:
        store.update(FollowUpRow, p["followup_id"], due=date.fromisoformat(p["due"]))


def followup_reassigned(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    if store.get(FollowUpRow, p["followup_id"]) is not None:
        store.update(FollowUpRow, p["followup_id"], assignee=p["assignee"])


HANDLERS = {
    "FollowUpCreated": followup_created,
    "FollowUpOutcomeRecorded": followup_outcome_recorded,
    "FollowUpRescheduled": followup_rescheduled,
    "FollowUpReassigned": followup_reassigned,
}
