"""The client register: searchable by name, pinyin initials and mobile tail; AUM in cents."""

from __future__ import annotations

from typing import Any

from upgradecamp.domain.events import (
    ClientAssigned,
    ClientConsentWithdrawn,
    ClientDetailsChanged,
    ClientForgotten,
    ClientMarkedUnreachable,
    ClientRegistered,
)
from upgradecamp.domain.names import pinyin_initials
from upgradecamp.domain.privacy import FORGOTTEN_MOBILE, FORGOTTEN_NAME
from upgradecamp.domain.tiers import segment_for
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables import ClientRow

PROJECTION = Projection()


@PROJECTION.prefetch
def _client_row(event: ClientRegistered | ClientDetailsChanged) -> list[tuple[Any, tuple]]:
    return [(ClientRow, (event.client_id,))]


@PROJECTION.register
def client_registered(store: RowStore, event: ClientRegistered, stored: StoredEvent) -> None:
    store.put(
        ClientRow,
        {
            "client_id": event.client_id,
            "name": event.name,
            "initials": pinyin_initials(event.name),
            "mobile": event.mobile,
            "mobile_last4": event.mobile[-4:],
            "id_last4": event.id_last4,
            "branch": event.branch,
            "rm": event.rm,
            "aum_cents": int(event.aum * 100),
            "segment": segment_for(event.aum),
            "risk_grade": event.risk_grade,
            "risk_expires": event.risk_expires,
            "marketing_consent": event.marketing_consent,
            "contact_status": event.contact_status,
            "consent_withdrawn": False,
            "registered_at": stored.recorded_at,
            "birthday": event.birthday,
        },
    )


@PROJECTION.register
def client_details_changed(
    store: RowStore, event: ClientDetailsChanged, stored: StoredEvent
) -> None:
    changes: dict[str, Any] = {}
    if event.name is not None:
        changes.update(name=event.name, initials=pinyin_initials(event.name))
    if event.mobile is not None:
        changes.update(mobile=event.mobile, mobile_last4=event.mobile[-4:])
    for name, value in (
        ("id_last4", event.id_last4),
        ("branch", event.branch),
        ("rm", event.rm),
        ("risk_grade", event.risk_grade),
        ("marketing_consent", event.marketing_consent),
        ("contact_status", event.contact_status),
        ("risk_expires", event.risk_expires),
        ("birthday", event.birthday),
    ):
        if value is not None:
            changes[name] = value
    if event.aum is not None:
        changes.update(aum_cents=int(event.aum * 100), segment=segment_for(event.aum))
    for name in event.cleared:
        changes[name] = None
    store.update(ClientRow, event.client_id, **changes)


@PROJECTION.register
def client_marked_unreachable(
    store: RowStore, event: ClientMarkedUnreachable, stored: StoredEvent
) -> None:
    store.update(ClientRow, event.client_id, contact_status="unreachable")


@PROJECTION.register
def client_consent_withdrawn(
    store: RowStore, event: ClientConsentWithdrawn, stored: StoredEvent
) -> None:
    store.update(ClientRow, event.client_id, marketing_consent=False, consent_withdrawn=True)


@PROJECTION.register
def client_assigned(store: RowStore, event: ClientAssigned, stored: StoredEvent) -> None:
    store.update(ClientRow, event.client_id, rm=event.rm)


@PROJECTION.register
def client_forgotten(store: RowStore, event: ClientForgotten, stored: StoredEvent) -> None:
    """The register keeps the client (branch, AUM, tier, manager: the reports count them) as a
    forgotten client: placeholder name and mobile, nothing to search them by, no marketing.
    Replay reads their events with these placeholders already; both paths end here alike."""
    store.update(
        ClientRow,
        event.client_id,
        name=FORGOTTEN_NAME,
        initials="",
        mobile=FORGOTTEN_MOBILE,
        mobile_last4="",
        id_last4="",
        birthday=None,
        marketing_consent=False,
    )
