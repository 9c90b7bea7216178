"""What the admin's home says about the log's integrity: the last checkpoint, and whether one
is due (over a week old, or none yet)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import col, select

from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import CheckpointRow

CHECKPOINT_EVERY = timedelta(days=7)


@dataclass(frozen=True)
class CheckpointStatus:
    position: int | None
    checkpointed_at: datetime | None
    checkpointed_by: str | None
    days_old: int | None
    due: bool


def checkpoint_status(engine: Engine, now: datetime) -> CheckpointStatus:
    with read_transaction(engine) as conn:
        row = conn.execute(
            select(
                CheckpointRow.position, CheckpointRow.checkpointed_at, CheckpointRow.checkpointed_by
            )
            .order_by(col(CheckpointRow.position).desc())
            .limit(1)
        ).first()
    if row is None:
        return CheckpointStatus(None, None, None, None, True)
    at = row.checkpointed_at  # aware: a UTC column
    age = now - at
    return CheckpointStatus(row.position, at, row.checkpointed_by, age.days, age > CHECKPOINT_EVERY)
