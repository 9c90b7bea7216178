"""The log's own integrity, recorded in the log: checkpoints taken of its head, and PIN hashes
brought under the key file's pepper."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import DomainEvent

__all__ = ["LogCheckpointed", "StaffPinPeppered"]


class LogCheckpointed(DomainEvent):
    """An admin took a signed receipt of the head (`upgradecamp log checkpoint`).

    The receipt itself lives outside the database; this event lets the admin's home say when
    the last one was taken and ask for another when it is over a week old.
    """

    TYPE: ClassVar[str] = "LogCheckpointed"
    position: int = Field(ge=0)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    checkpointed_at: datetime

    def stream_id(self) -> str:
        return streams.LOG_CHECKPOINTS


class StaffPinPeppered(DomainEvent):
    """A PIN hash made before the database had a pepper, replaced at the member's sign-in by
    one peppered with the key file's secret (the same PIN: no lockout or count changes)."""

    TYPE: ClassVar[str] = "StaffPinPeppered"
    code: str
    pin_hash: str

    def stream_id(self) -> str:
        return streams.staff(self.code)
