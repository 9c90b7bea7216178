"""Registration forms: one row per form as it stands (the approval queue, each marketer's list).

`decided_*` and `reason` describe the latest change after submission (returned, approved,
rejected or cancelled: who, at which terminal, when, why); a resubmission clears them.
Lines and actions are JSON text with amounts as decimal strings, as the events carry them.
"""

from __future__ import annotations

import json
from typing import Any

from upgradecamp.domain.events import (
    FormApproved,
    FormCancelled,
    FormRejected,
    FormReturned,
    FormSubmitted,
    PhotoTaken,
)
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.forms import FormRow

PROJECTION = Projection()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@PROJECTION.register
def form_submitted(store: RowStore, event: FormSubmitted, stored: StoredEvent) -> None:
    store.put(
        FormRow,
        {
            "form_id": event.form_id,
            "session_id": event.session_id,
            "client_id": event.client_id,
            "marketer": event.marketer,
            "status": "submitted",
            "lines": _json(
                [
                    {"product": x.product, "value": str(x.value), "source": x.source}
                    for x in event.lines
                ]
            ),
            "actions": _json(list(event.actions)),
            "appointment": event.appointment,
            "on_site": event.on_site,
            "revision": event.revision,
            "points": event.points,
            "converted_delta": str(event.converted_delta),
            "tier_before": event.tier_before,
            "tier_after": event.tier_after,
            "submitted_at": stored.recorded_at,
            "decided_at": None,
            "decided_by": None,
            "decided_terminal": None,
            "reason": None,
            "credit_key": None,
            "photo_taken": False,
            "photo_at": None,
        },
    )


def _decided(
    store: RowStore,
    form_id: str,
    stored: StoredEvent,
    status: str,
    reason: str | None,
    **changes: Any,
) -> None:
    store.update(
        FormRow,
        form_id,
        status=status,
        decided_at=stored.recorded_at,
        decided_by=stored.meta.get("actor"),
        decided_terminal=stored.meta.get("terminal"),
        reason=reason,
        **changes,
    )


@PROJECTION.register
def form_returned(store: RowStore, event: FormReturned, stored: StoredEvent) -> None:
    _decided(store, event.form_id, stored, "returned", event.reason)


@PROJECTION.register
def form_rejected(store: RowStore, event: FormRejected, stored: StoredEvent) -> None:
    _decided(store, event.form_id, stored, "rejected", event.reason)


@PROJECTION.register
def form_approved(store: RowStore, event: FormApproved, stored: StoredEvent) -> None:
    _decided(
        store,
        event.form_id,
        stored,
        "approved",
        None,
        credit_key=event.credit_key,
        points=event.points,
        converted_delta=str(event.converted_delta),
        tier_before=event.tier_before,
        tier_after=event.tier_after,
    )


@PROJECTION.register
def form_cancelled(store: RowStore, event: FormCancelled, stored: StoredEvent) -> None:
    _decided(store, event.form_id, stored, "cancelled", event.reason)


@PROJECTION.register
def photo_taken(store: RowStore, event: PhotoTaken, stored: StoredEvent) -> None:
    store.update(FormRow, event.form_id, photo_taken=True, photo_at=stored.recorded_at)
