"""The client search index used at the check-in desk (see store/tables/search.py).

Kept from the client events themselves, not from the clients table, so it does not depend on
which projection of an event runs first: a new mobile changes only the mobile tail, a new name
replaces the name's keys (and exactly its old extra keys).
"""

from __future__ import annotations

from typing import Any

from upgradecamp.domain.events import (
    ClientDetailsChanged,
    ClientForgotten,
    ClientRegistered,
    ProspectRegistered,
)
from upgradecamp.domain.names import search_entry
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.search import ClientSearchRow, SearchKeyRow

PROJECTION = Projection()


@PROJECTION.prefetch
def _search_row(
    event: ClientRegistered | ProspectRegistered | ClientDetailsChanged,
) -> list[tuple[Any, tuple]]:
    return [(ClientSearchRow, (event.client_id,))]


def _index(
    store: RowStore, client_id: str, name: str, mobile_last4: str, old_extra: tuple[str, ...] = ()
) -> None:
    entry = search_entry(name)
    for key in old_extra:
        if key not in entry.extra:
            store.delete(SearchKeyRow, (key, client_id))
    for key in entry.extra:
        if key not in old_extra:
            store.put(SearchKeyRow, {"key": key, "client_id": client_id})
    store.put(
        ClientSearchRow,
        {
            "client_id": client_id,
            "name": entry.name,
            "given": entry.given,
            "tail": entry.tail,
            "pinyin": entry.pinyin,
            "initials": entry.initials,
            "short": entry.short,
            "mobile_last4": mobile_last4,
            "extra": " ".join(entry.extra),
        },
    )


@PROJECTION.register
def client_registered(
    store: RowStore, event: ClientRegistered | ProspectRegistered, stored: StoredEvent
) -> None:
    """A client from the CRM, or a walk-in added at the door: indexed alike."""
    _index(store, event.client_id, event.name, event.mobile[-4:])


@PROJECTION.register
def client_details_changed(
    store: RowStore, event: ClientDetailsChanged, stored: StoredEvent
) -> None:
    if event.name is None and event.mobile is None:
        return
    row = store.get(ClientSearchRow, event.client_id)
    if row is None:  # pragma: no cover - every client is indexed when registered
        raise LookupError(f"ClientDetailsChanged for unindexed client {event.client_id}")
    last4 = event.mobile[-4:] if event.mobile is not None else row["mobile_last4"]
    if event.name is None:
        store.update(ClientSearchRow, event.client_id, mobile_last4=last4)
    else:
        _index(store, event.client_id, event.name, last4, tuple(row["extra"].split()))


@PROJECTION.register
def client_forgotten(store: RowStore, event: ClientForgotten, stored: StoredEvent) -> None:
    """A forgotten client leaves the index: the door cannot find them by name or mobile."""
    row = store.get(ClientSearchRow, event.client_id)
    if row is None:
        return
    for key in row["extra"].split():
        store.delete(SearchKeyRow, (key, event.client_id))
    store.delete(ClientSearchRow, event.client_id)
