"""What the admin's home shows of the log's integrity: the checkpoints taken of its head."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from upgradecamp.store.types import UTCDateTime


class CheckpointRow(SQLModel, table=True):
    __tablename__ = "log_checkpoints"
    position: int = Field(primary_key=True, sa_type=BigInteger)
    hash: str
    checkpointed_at: datetime = Field(sa_type=UTCDateTime)
    checkpointed_by: str
