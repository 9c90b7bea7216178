"""The sessions table: calendar, status and cancel reason of every session.

Times are stored as UTC (the columns read back as aware UTC datetimes); `queries/sessions.py`
shows them in Asia/Shanghai. The invited, confirmed,
attended and walk-in counters belong to the invitations and check-in projections.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from upgradecamp.domain.events import (
    SessionCancelled,
    SessionChanged,
    SessionClosed,
    SessionOpened,
    SessionPlanned,
)
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.sessions import SessionRow

PROJECTION = Projection()


def utc(value: datetime) -> datetime:
    """An aware datetime in UTC, as the read tables keep it."""
    return value.astimezone(UTC)


@PROJECTION.register
def session_planned(store: RowStore, event: SessionPlanned, stored: StoredEvent) -> None:
    starts = utc(event.starts_at)
    store.put(
        SessionRow,
        {
            "session_id": event.session_id,
            "series_id": event.series_id,
            "branch": event.branch,
            "venue": event.venue,
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=event.duration_minutes),
            "duration_minutes": event.duration_minutes,
            "capacity": event.capacity,
            "theme": event.theme,
            "host": event.host,
            "presenter": event.presenter,
            "status": "planned",
            "cancel_reason": None,
            "invited": 0,
            "confirmed": 0,
            "attended": 0,
            "walk_ins": 0,
            "planned_at": utc(stored.recorded_at),
            "planned_by": stored.meta.get("actor", ""),
        },
    )


@PROJECTION.register
def session_changed(store: RowStore, event: SessionChanged, stored: StoredEvent) -> None:
    row = store.get(SessionRow, event.session_id)
    if row is None:
        raise LookupError(f"SessionChanged for unknown session {event.session_id}")
    changes: dict[str, Any] = {
        name: value
        for name, value in (
            ("venue", event.venue),
            ("duration_minutes", event.duration_minutes),
            ("capacity", event.capacity),
            ("theme", event.theme),
            ("host", event.host),
            ("presenter", event.presenter),
        )
        if value is not None
    }
    if event.starts_at is not None:
        changes["starts_at"] = utc(event.starts_at)
    starts = changes.get("starts_at", row["starts_at"])
    minutes = changes.get("duration_minutes", row["duration_minutes"])
    changes["ends_at"] = starts + timedelta(minutes=minutes)
    store.update(SessionRow, event.session_id, **changes)


@PROJECTION.register
def session_opened(store: RowStore, event: SessionOpened, stored: StoredEvent) -> None:
    store.update(SessionRow, event.session_id, status="open")


@PROJECTION.register
def session_closed(store: RowStore, event: SessionClosed, stored: StoredEvent) -> None:
    store.update(SessionRow, event.session_id, status="closed")


@PROJECTION.register
def session_cancelled(store: RowStore, event: SessionCancelled, stored: StoredEvent) -> None:
    store.update(SessionRow, event.session_id, status="cancelled", cancel_reason=event.reason)
