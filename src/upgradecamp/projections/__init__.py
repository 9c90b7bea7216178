"""Projections: one module per read model, each mapping event classes to row updates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlmodel import SQLModel

from upgradecamp.domain.events import DomainEvent
from upgradecamp.projections import (
    checkins,
    clients,
    cluster,
    feedback,
    followups,
    forms,
    integrity,
    invitations,
    ledger,
    maintenance,
    privacy,
    rewards,
    search,
    sessions,
    staff,
    targets,
    tier_moves,
)
from upgradecamp.projections.registry import Projection, Projector, Reads
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent

READ_MODEL = "read_model"
F = TypeVar("F")

_MODULES = (
    cluster,
    staff,
    tier_moves,
    clients,
    ledger,
    sessions,
    invitations,
    checkins,
    forms,
    privacy,
    search,
    followups,
    integrity,
    rewards,
    feedback,
    targets,
    maintenance,
)


def _by_event(
    per_module: Callable[[Projection], Mapping[type[DomainEvent], F]],
) -> dict[type[DomainEvent], list[F]]:
    """Every module's functions for each event class, in the modules' order."""
    table: dict[type[DomainEvent], list[F]] = {}
    for module in _MODULES:
        for event_class, fn in per_module(module.PROJECTION).items():
            table.setdefault(event_class, []).append(fn)
    return table


DISPATCH: dict[type[DomainEvent], list[Projector]] = _by_event(lambda p: p.handlers)
READS: dict[type[DomainEvent], list[Reads]] = _by_event(lambda p: p.reads)
PREFETCH_FROM = 32  # events in one batch before their rows are read in bulk


def prefetch(store: RowStore, events: Sequence[StoredEvent]) -> None:
    """Read the rows a batch's handlers have said they will `get`, table by table."""
    wanted: dict[type[SQLModel], list[Any]] = {}
    for stored in events:
        for reads in READS.get(type(stored.event), ()):
            for model, key in reads(stored.event):
                wanted.setdefault(model, []).append(key)
    for model, keys in wanted.items():
        store.prefetch(model, keys)


def project(store: RowStore, events: Iterable[StoredEvent]) -> tuple[int, int]:
    """Apply events to the read tables through `store`.

    Returns how many events were applied and the last position (0 when there were none).
    """
    dispatch = DISPATCH
    if isinstance(events, Sequence) and len(events) >= PREFETCH_FROM and not store.tables_empty:
        prefetch(store, events)
    count = last = 0
    for stored in events:
        event = stored.event
        for fn in dispatch.get(type(event), ()):
            fn(store, event, stored)
        last = stored.position
        count += 1
    return count, last
