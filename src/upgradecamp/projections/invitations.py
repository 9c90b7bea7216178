"""Projection of the invitations events: the call list (InvitationRow), the session's invited
and confirmed counters, invitees to tell of a cancellation, and the register of exports."""

from __future__ import annotations

import json
from decimal import Decimal

from upgradecamp.domain.invitations import outcome_changes
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.invitations import ExportRow, InvitationRow
from upgradecamp.store.tables.sessions import SessionRow


def invitation_issued(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    store.put(InvitationRow, {
        "invitation_id": p["invitation_id"],
        "session_id": p["session_id"],
        "client_id": p["client_id"],
        "code": p["code"],
        "segment": p["segment"],
        "aum_cents": int(Decimal(p["aum"]) * 100),
        "state": "invited",
        "sms_sent": False,
        "wechat_added": False,
        "to_tell": False,
        "calls": 0,
        "last_result": None,
        "last_note": "",
        "last_outcome_at": None,
        "issued_at": ev.recorded_at,
    })
    session = store.get(SessionRow, p["session_id"])
    if session is not None:
        store.update(SessionRow, p["session_id"], invited=session["invited"] + 1)


def invitation_outcome_recorded(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    row = store.get(InvitationRow, p["invitation_id"])
    if row is None:
        return
    before = row["state"]
    changes = outcome_changes(row, p["channel"], p["result"])
    if p.get("note"):  # an outcome without a note (e.g. WeChat added) keeps the call's note
        changes["last_note"] = p["note"]
    store.update(InvitationRow, p["invitation_id"], **changes, last_result=p["result"],
                 last_outcome_at=ev.recorded_at)
    after = changes["state"]
    if (before == "confirmed") != (after == "confirmed"):
        session = store.get(SessionRow, row["session_id"])
        if session is not None:
            step = 1 if after == "confirmed" else -1
            store.update(SessionRow, row["session_id"], confirmed=session["confirmed"] + step)


def session_cancelled(store: RowStore, ev: StoredEvent) -> None:
    for invitation_id in ev.payload.get("to_tell", ()):
        if store.get(InvitationRow, invitation_id) is not None:
            store.update(InvitationRow, invitation_id, to_tell=True)


def personal_data_exported(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    store.put(ExportRow, {
        "position": ev.position,
        "what": p["what"],
        "format": p["format"],
        "rows": p["rows"],
        "unmasked": p.get("unmasked", False),
        "filters": json.dumps(p.get("filters", {}), ensure_ascii=False, sort_keys=True),
        "file": p.get("file", ""),
        "by": ev.meta.get("actor", ""),
        "at": ev.recorded_at,
    })


HANDLERS = {
    "InvitationIssued": invitation_issued,
    "InvitationOutcomeRecorded": invitation_outcome_recorded,
    "SessionCancelled": session_cancelled,
    "PersonalDataExported": personal_data_exported,
}
