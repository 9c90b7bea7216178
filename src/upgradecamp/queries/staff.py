"""Staff as an admin sees them (the Staff place, `staff list`), and a demo's sign-in PINs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from upgradecamp.domain.events import streams
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.tables import StaffRow


@dataclass(frozen=True)
class StaffAccount:
    code: str
    name: str
    role: str
    branch: str
    active: bool
    failed_attempts: int
    locked_until: datetime | None  # only while the lock lasts
    last_signed_in: datetime | None
    deactivated_at: datetime | None
    deactivated_reason: str | None

    @property
    def status(self) -> str:
        """active, locked or deactivated."""
        if not self.active:
            return "deactivated"
        return "locked" if self.locked_until else "active"

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "role": self.role,
            "branch": self.branch,
            "status": self.status,
            "failed_attempts": self.failed_attempts,
            "locked_until": self.locked_until,
            "last_signed_in": self.last_signed_in,
            "deactivated_at": self.deactivated_at,
            "deactivated_reason": self.deactivated_reason,
        }


@dataclass(frozen=True)
class DemoCredential:
    code: str
    name: str
    role: str
    branch: str
    pin: str


def staff_accounts(engine: Engine, now: datetime) -> list[StaffAccount]:
    """Everyone, deactivated members too (their history is kept), by branch, role and code."""
    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(StaffRow).order_by(StaffRow.branch, StaffRow.role, StaffRow.code)
        ).all()
    out = []
    for r in rows:
        locked = r.locked_until
        out.append(
            StaffAccount(
                code=r.code,
                name=r.name,
                role=r.role,
                branch=r.branch,
                active=r.active,
                failed_attempts=r.failed_attempts,
                locked_until=locked if locked and locked > now else None,
                last_signed_in=r.last_signed_in,
                deactivated_at=r.deactivated_at,
                deactivated_reason=r.deactivated_reason,
            )
        )
    return out


def demo_credentials(engine: Engine, log: EventLog) -> list[DemoCredential]:
    """The demo's staff with their PINs, for a demo database's sign-in panel; [] otherwise.

    Only members the demo created, still active, whose PIN was never reset: for them the PIN
    drawn from the recorded seed is the one that signs in.
    """
    from upgradecamp.demo_staff import demo_pin
    from upgradecamp.domain.events.demo import DemoBuilt

    with read_transaction(engine) as conn:
        events = [ev.event for ev in log.read_stream(conn, streams.DEMO)]
        marks = [event for event in events if isinstance(event, DemoBuilt)]
        if not marks:
            return []
        seed, codes = marks[0].seed, marks[0].staff
        rows = {
            r.code: r for r in conn.execute(select(StaffRow).where(col(StaffRow.code).in_(codes)))
        }
    return [
        DemoCredential(
            code=code, name=row.name, role=row.role, branch=row.branch, pin=demo_pin(seed, code)
        )
        for code in codes
        if (row := rows.get(code)) is not None and row.active and row.pin_reset_at is None
    ]
