"""Registration forms: one row per form as it stands (the approval queue, each marketer's list).

`decided_*` and `reason` describe the latest change after submission (returned, approved,
rejected or cancelled: who, at which terminal, when, why); a resubmission clears them.
Lines and actions are JSON text with amounts as decimal strings, as the events carry them.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.forms import FormRow


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def form_submitted(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    store.put(FormRow, {
        "form_id": p["form_id"],
        "session_id": p["session_id"],
        "client_id": p["client_id"],
        "marketer": p["marketer"],
        "status": "submitted",
        "lines": _json([{"product": x["product"], "value": str(x["value"]),
                         "source": x["source"]} for x in p.get("lines", [])]),
        "actions": _json(list(p.get("actions", []))),
        "appointment": date.fromisoformat(p["appointment"]) if p.get("appointment") else None,
        "on_site": p["on_site"],
        "revision": p.get("revision", 0),
        "points": p["points"],
        "converted_delta": str(p["converted_delta"]),
        "tier_before": p["tier_before"],
        "tier_after": p["tier_after"],
        "submitted_at": ev.recorded_at,
        "decided_at": None,
        "decided_by": None,
        "decided_terminal": None,
        "reason": None,
        "credit_key": None,
        "photo_taken": False,
        "photo_at": None,
    })


def _decided(store: RowStore, ev: StoredEvent, status: str, **changes: Any) -> None:
    store.update(FormRow, ev.payload["form_id"], status=status, decided_at=ev.recorded_at,
                 decided_by=ev.meta.get("actor"), decided_terminal=ev.meta.get("terminal"),
                 reason=ev.payload.get("reason"), **changes)


def form_returned(store: RowStore, ev: StoredEvent) -> None:
    _decided(store, ev, "returned")


def form_rejected(store: RowStore, ev: StoredEvent) -> None:
    _decided(store, ev, "rejected")


def form_approved(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    _decided(store, ev, "approved", credit_key=p.get("credit_key"), points=p["points"],
             converted_delta=str(p["converted_delta"]), tier_before=p["tier_before"],
             tier_after=p["tier_after"])


def form_cancelled(store: RowStore, ev: StoredEvent) -> None:
    _decided(store, ev, "cancelled")


def photo_taken(store: RowStore, ev: StoredEvent) -> None:
    store.update(FormRow, ev.payload["form_id"], photo_taken=True, photo_at=ev.recorded_at)


HANDLERS = {
    "FormSubmitted": form_submitted,
    "FormReturned": form_returned,
    "FormRejected": form_rejected,
    "FormApproved": form_approved,
    "FormCancelled": form_cancelled,
    "PhotoTaken": photo_taken,
}
