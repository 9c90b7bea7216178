"""Projections: one module per read model, each mapping event types to row updates."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from upgradecamp.projections import (
    checkins,
    clients,
    cluster,
    followups,
    forms,
    invitations,
    ledger,
    search,
    sessions,
    staff,
)
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent

READ_MODEL = "read_model"

Projector = Callable[[RowStore, StoredEvent], None]

_MODULES = (cluster, staff, clients, ledger, sessions, invitations, checkins, forms,
            search, followups)


def _dispatch() -> dict[str, list[Projector]]:
    table: dict[str, list[Projector]] = {}
    for module in _MODULES:
        for event_type, fn in module.HANDLERS.items():
            table.setdefault(event_type, []).append(fn)
    return table


DISPATCH = _dispatch()


def project(store: RowStore, events: Iterable[StoredEvent]) -> tuple[int, int]:
    """Apply events to the read tables through `store`.

    Returns how many events were applied and the last position (0 when there were none).
    """
    dispatch = DISPATCH
    count = last = 0
    for ev in events:
        for fn in dispatch.get(ev.type, ()):
            fn(store, ev)
        last = ev.position
        count += 1
    return count, last
