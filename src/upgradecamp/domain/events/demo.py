"""The mark a demo build leaves in its own log, so screens can tell a demo from a real branch."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import DomainEvent


class DemoBuilt(DomainEvent):
    """`upgradecamp demo` built this database from `seed`; `staff` are the codes it created.

    The demo's PINs are drawn from the seed (never stored), so a demo's sign-in screen can show
    them again; a database made by `init` has no such event and never shows a PIN.
    """

    TYPE: ClassVar[str] = "DemoBuilt"
    seed: int
    today: date
    customers: int
    staff: list[str]

    def stream_id(self) -> str:
        return streams.DEMO
