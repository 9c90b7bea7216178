"""The client register: searchable by name, pinyin initials and mobile tail; AUM in cents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from upgradecamp.domain.names import pinyin_initials
from upgradecamp.domain.tiers import segment_for
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables import ClientRow


def client_registered(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    aum = Decimal(p["aum"])
    store.put(ClientRow, {
        "client_id": p["client_id"],
        "name": p["name"],
        "initials": pinyin_initials(p["name"]),
        "mobile": p["mobile"],
        "mobile_last4": p["mobile"][-4:],
        "id_last4": p["id_last4"],
        "branch": p["branch"],
        "rm": p.get("rm"),
        "aum_cents": int(aum * 100),
        "segment": segment_for(aum),
        "risk_grade": p.get("risk_grade"),
        "risk_expires": date.fromisoformat(p["risk_expires"]) if p.get("risk_expires") else None,
        "marketing_consent": p["marketing_consent"],
        "contact_status": p["contact_status"],
        "registered_at": ev.recorded_at,
    })


HANDLERS = {"ClientRegistered": client_registered}
