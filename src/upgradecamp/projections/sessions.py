"""The sessions table: calendar, status and cancel reason of every session.

Times are stored as UTC (the columns read back as aware UTC datetimes); `queries/sessions.py`
shows them in Asia/Shanghai. The invited, confirmed,
attended and walk-in counters belong to the invitations and check-in projections.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.sessions import SessionRow


def utc(value: datetime | str) -> datetime:
    """An aware datetime (or its ISO text) in UTC, as the read tables keep it."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC)


def session_planned(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    starts = utc(p["starts_at"])
    store.put(SessionRow, {
        "session_id": p["session_id"], "series_id": p.get("series_id"), "branch": p["branch"],
        "venue": p["venue"], "starts_at": starts,
        "ends_at": starts + timedelta(minutes=p["duration_minutes"]),
        "duration_minutes": p["duration_minutes"], "capacity": p["capacity"],
        "theme": p["theme"], "host": p["host"], "presenter": p["presenter"],
        "status": "planned", "cancel_reason": None,
        "invited": 0, "confirmed": 0, "attended": 0, "walk_ins": 0,
        "planned_at": utc(ev.recorded_at), "planned_by": ev.meta.get("actor", ""),
    })


def session_changed(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    row = store.get(SessionRow, p["session_id"])
    if row is None:
        raise LookupError(f"SessionChanged for unknown session {p['session_id']}")
    changes: dict[str, Any] = {k: p[k] for k in ("venue", "duration_minutes", "capacity",
                                                  "theme", "host", "presenter")
                               if p.get(k) is not None}
    if p.get("starts_at") is not None:
        changes["starts_at"] = utc(p["starts_at"])
    starts = changes.get("starts_at", row["starts_at"])
    minutes = changes.get("duration_minutes", row["duration_minutes"])
    changes["ends_at"] = starts + timedelta(minutes=minutes)
    store.update(SessionRow, p["session_id"], **changes)


def _status(status: str):
    def apply(store: RowStore, ev: StoredEvent) -> None:
        store.update(SessionRow, ev.payload["session_id"], status=status)

    apply.__name__ = f"session_{status}"
    return apply


def session_cancelled(store: RowStore, ev: StoredEvent) -> None:
    store.update(SessionRow, ev.payload["session_id"], status="cancelled",
                 cancel_reason=ev.payload["reason"])


HANDLERS = {
    "SessionPlanned": session_planned,
    "SessionChanged": session_changed,
    "SessionOpened": _status("open"),
    "SessionClosed": _status("closed"),
    "SessionCancelled": session_cancelled,
}
