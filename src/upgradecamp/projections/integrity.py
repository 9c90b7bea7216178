"""Checkpoints of the log's head, for the admin's home (store/checkpoints.py)."""

from __future__ import annotations

from upgradecamp.domain.events.integrity import LogCheckpointed
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables import CheckpointRow

PROJECTION = Projection()


@PROJECTION.register
def log_checkpointed(store: RowStore, event: LogCheckpointed, stored: StoredEvent) -> None:
    store.put(
        CheckpointRow,
        {
            "position": event.position,
            "hash": event.hash,
            "checkpointed_at": event.checkpointed_at,
            "checkpointed_by": stored.meta.get("actor", ""),
        },
    )
