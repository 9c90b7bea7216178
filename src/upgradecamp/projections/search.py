"""The client search index used at the check-in desk (see store/tables/search.py).

Kept from the client events themselves, not from the clients table, so it does not depend on
which projection of an event runs first: a new mobile changes only the mobile tail, a new name
replaces the name's keys (and exactly its old extra keys).
"""

from __future__ import annotations

from upgradecamp.domain.names import search_entry
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.search import ClientSearchRow, SearchKeyRow


def _index(store: RowStore, client_id: str, name: str, mobile_last4: str,
           old_extra: tuple[str, ...] = ()) -> None:
    entry = search_entry(name)
    for key in old_extra:
        if key not in entry.extra:
            store.delete(SearchKeyRow, (key, client_id))
    for key in entry.extra:
        if key not in old_extra:
            store.put(SearchKeyRow, {"key": key, "client_id": client_id})
    store.put(ClientSearchRow, {
        "client_id": client_id, "name": entry.name, "given": entry.given, "tail": entry.tail,
        "pinyin": entry.pinyin, "initials": entry.initials, "short": entry.short,
        "mobile_last4": mobile_last4, "extra": " ".join(entry.extra),
    })


def client_registered(store: RowStore, ev: StoredEvent) -> None:
    """ClientRegistered (CRM) and ProspectRegistered (a walk-in added at the door)."""
    p = ev.payload
    _index(store, p["client_id"], p["name"], p["mobile"][-4:])


def client_details_changed(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    if p.get("name") is None and p.get("mobile") is None:
        return
    row = store.get(ClientSearchRow, p["client_id"])
    if row is None:  # pragma: no cover - every client is indexed when registered
        raise LookupError(f"ClientDetailsChanged for unindexed client {p['client_id']}")
    last4 = p["mobile"][-4:] if p.get("mobile") is not None else row["mobile_last4"]
    if p.get("name") is None:
        store.update(ClientSearchRow, p["client_id"], mobile_last4=last4)
    else:
        _index(store, p["client_id"], p["name"], last4, tuple(row["extra"].split()))


HANDLERS = {
    "ClientRegistered": client_registered,
    "ProspectRegistered": client_registered,
    "ClientDetailsChanged": client_details_changed,
}
