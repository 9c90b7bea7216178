"""Read-side queries for screens and the CLI. They read projections, never write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from upgradecamp.io.masking import mask_payload
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import EventLog, StoredEvent
from upgradecamp.store.tables import BranchRow, ClientRow, StaffRow


def staff_directory(engine: Engine, now: datetime | None = None) -> list[dict[str, Any]]:
    now = now or datetime.now(UTC)
    with read_transaction(engine) as conn:
        rows = conn.execute(select(StaffRow.code, StaffRow.name, StaffRow.role, StaffRow.branch,
                                   StaffRow.locked_until)
                            .order_by(StaffRow.branch, StaffRow.role, StaffRow.code)).all()
    return [{"code": r.code, "name": r.name, "role": r.role, "branch": r.branch,
             "locked": bool(r.locked_until and _aware(r.locked_until) > now)} for r in rows]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def branches(engine: Engine) -> list[dict[str, str]]:
    with read_transaction(engine) as conn:
        rows = conn.execute(select(BranchRow).order_by(BranchRow.code)).mappings().all()
    return [dict(r) for r in rows]


def head_position(engine: Engine) -> int:
    with read_transaction(engine) as conn:
        return EventLog.head(conn)[0]


def event_summary(ev: StoredEvent) -> dict[str, Any]:
    """An event as shown to staff: personal data masked, secrets hidden."""
    return {
        "position": ev.position,
        "recorded_at": ev.recorded_at.isoformat(),
        "stream_id": ev.stream_id,
        "stream_version": ev.stream_version,
        "type": ev.type,
        "schema_version": ev.schema_version,
        "actor": ev.meta.get("actor"),
        "terminal": ev.meta.get("terminal"),
        "payload": mask_payload(ev.payload),
    }


def recent_events(engine: Engine, log: EventLog, n: int = 20) -> list[dict[str, Any]]:
    with read_transaction(engine) as conn:
        return [event_summary(ev) for ev in log.tail(conn, n)]


def cluster_counts(engine: Engine) -> dict[str, int]:
    with read_transaction(engine) as conn:
        return {
            "branches": conn.execute(select(func.count()).select_from(BranchRow)).scalar_one(),
            "staff": conn.execute(select(func.count()).select_from(StaffRow)).scalar_one(),
            "clients": conn.execute(select(func.count()).select_from(ClientRow)).scalar_one(),
        }
