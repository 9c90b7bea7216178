"""Projection of the invitations events: the call list (InvitationRow), the session's invited
and confirmed counters, invitees to tell of a cancellation, and the register of exports."""

from __future__ import annotations

import json

from upgradecamp.domain.events import (
    ClientForgotten,
    InvitationIssued,
    InvitationOutcomeRecorded,
    PersonalDataExported,
    SessionCancelled,
)
from upgradecamp.domain.invitations import outcome_changes
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.invitations import ExportRow, InvitationRow
from upgradecamp.store.tables.sessions import SessionRow

PROJECTION = Projection()


@PROJECTION.register
def invitation_issued(store: RowStore, event: InvitationIssued, stored: StoredEvent) -> None:
    store.put(
        InvitationRow,
        {
            "invitation_id": event.invitation_id,
            "session_id": event.session_id,
            "client_id": event.client_id,
            "code": event.code,
            "segment": event.segment,
            "aum_cents": int(event.aum * 100),
            "state": "invited",
            "sms_sent": False,
            "wechat_added": False,
            "to_tell": False,
            "calls": 0,
            "last_result": None,
            "last_note": "",
            "last_outcome_at": None,
            "issued_at": stored.recorded_at,
            "waitlisted_at": None,
        },
    )
    session = store.get(SessionRow, event.session_id)
    if session is not None:
        store.update(SessionRow, event.session_id, invited=session["invited"] + 1)


@PROJECTION.register
def invitation_outcome_recorded(
    store: RowStore, event: InvitationOutcomeRecorded, stored: StoredEvent
) -> None:
    row = store.get(InvitationRow, event.invitation_id)
    if row is None:
        return
    before = row["state"]
    changes = outcome_changes(row, event.channel, event.result, event.waitlisted)
    if changes["state"] == "waitlisted" and before != "waitlisted":
        changes["waitlisted_at"] = stored.position  # the waiting list's order
    if event.note:  # an outcome without a note (e.g. WeChat added) keeps the call's note
        changes["last_note"] = event.note
    store.update(
        InvitationRow,
        event.invitation_id,
        **changes,
        last_result=event.result,
        last_outcome_at=stored.recorded_at,
    )
    after = changes["state"]
    if (before == "confirmed") != (after == "confirmed"):
        session = store.get(SessionRow, row["session_id"])
        if session is not None:
            step = 1 if after == "confirmed" else -1
            store.update(SessionRow, row["session_id"], confirmed=session["confirmed"] + step)


@PROJECTION.register
def session_cancelled(store: RowStore, event: SessionCancelled, stored: StoredEvent) -> None:
    for invitation_id in event.to_tell:
        if store.get(InvitationRow, invitation_id) is not None:
            store.update(InvitationRow, invitation_id, to_tell=True)


@PROJECTION.register
def personal_data_exported(
    store: RowStore, event: PersonalDataExported, stored: StoredEvent
) -> None:
    store.put(
        ExportRow,
        {
            "position": stored.position,
            "what": event.what,
            "format": event.format,
            "rows": event.rows,
            "unmasked": event.unmasked,
            "filters": json.dumps(event.filters, ensure_ascii=False, sort_keys=True),
            "file": event.file,
            "by": stored.meta.get("actor", ""),
            "at": stored.recorded_at,
        },
    )


@PROJECTION.register
def client_forgotten(store: RowStore, event: ClientForgotten, stored: StoredEvent) -> None:
    """A forgotten client's call notes go; the invitations' states and counts stay."""
    for row in store.matching(InvitationRow, "client_id", event.client_id):
        if row["last_note"]:
            store.update(InvitationRow, row["invitation_id"], last_note="")
