"""The register of personal data held (PersonalDataRow), for `privacy report` and `purge`.

Kept from the events themselves (their personal fields as the store opened them): a kind
counts only where the event held something, and a forgetting removes every kind of the client.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from upgradecamp.domain.events import (
    ClientDetailsChanged,
    ClientForgotten,
    ClientRegistered,
    FeedbackGiven,
    FollowUpOutcomeRecorded,
    InvitationOutcomeRecorded,
    ProspectRegistered,
)
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.privacy import PersonalDataRow

PROJECTION = Projection()
KINDS = ("client", "prospect", "followup_note", "invitation_note", "feedback")


def _branch(store: RowStore, client_id: str) -> str:
    for kind in ("client", "prospect"):
        row = store.get(PersonalDataRow, (client_id, kind))
        if row is not None:
            return str(row["branch"])
    return ""


def _held(store: RowStore, client_id: str, kind: str, at: datetime, branch: str = "") -> None:
    row = store.get(PersonalDataRow, (client_id, kind))
    if row is None:
        store.put(
            PersonalDataRow,
            {
                "client_id": client_id,
                "kind": kind,
                "branch": branch or _branch(store, client_id),
                "since": at,
                "items": 1,
                "matched": False,
            },
        )
    else:
        store.update(PersonalDataRow, (client_id, kind), items=row["items"] + 1)


@PROJECTION.prefetch
def _client_rows(event: ClientRegistered | ClientDetailsChanged) -> list[tuple[Any, tuple]]:
    return [
        (PersonalDataRow, (event.client_id, "client")),
        (PersonalDataRow, (event.client_id, "prospect")),
    ]


@PROJECTION.register
def client_registered(store: RowStore, event: ClientRegistered, stored: StoredEvent) -> None:
    _held(store, event.client_id, "client", stored.recorded_at, event.branch)
    if store.get(PersonalDataRow, (event.client_id, "prospect")) is not None:
        store.update(PersonalDataRow, (event.client_id, "prospect"), matched=True)


@PROJECTION.register
def client_details_changed(
    store: RowStore, event: ClientDetailsChanged, stored: StoredEvent
) -> None:
    if event.name is None and event.mobile is None and event.id_last4 is None:
        return
    _held(store, event.client_id, "client", stored.recorded_at)
    if store.get(PersonalDataRow, (event.client_id, "prospect")) is not None:
        store.update(PersonalDataRow, (event.client_id, "prospect"), matched=True)


@PROJECTION.register
def prospect_registered(store: RowStore, event: ProspectRegistered, stored: StoredEvent) -> None:
    _held(store, event.client_id, "prospect", stored.recorded_at, event.branch)


@PROJECTION.register
def followup_note(store: RowStore, event: FollowUpOutcomeRecorded, stored: StoredEvent) -> None:
    if event.note and event.client_id:
        _held(store, event.client_id, "followup_note", stored.recorded_at)


@PROJECTION.register
def invitation_note(store: RowStore, event: InvitationOutcomeRecorded, stored: StoredEvent) -> None:
    if event.note:
        _held(store, event.client_id, "invitation_note", stored.recorded_at)


@PROJECTION.register
def feedback_given(store: RowStore, event: FeedbackGiven, stored: StoredEvent) -> None:
    if event.comment or event.complaint:
        _held(store, event.client_id, "feedback", stored.recorded_at)


@PROJECTION.register
def client_forgotten(store: RowStore, event: ClientForgotten, stored: StoredEvent) -> None:
    for kind in KINDS:
        store.delete(PersonalDataRow, (event.client_id, kind))
