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
        "consent_withdrawn": False,
        "registered_at": ev.recorded_at,
    })


def client_details_changed(store: RowStore, ev: StoredEvent) -> None:
    p = ev.payload
    changes: dict = {}
    for name in ("name", "mobile", "id_last4", "branch", "rm", "risk_grade",
                 "marketing_consent", "contact_status"):
        if p.get(name) is not None:
            changes[name] = p[name]
    if p.get("name") is not None:
        changes["initials"] = pinyin_initials(p["name"])
    if p.get("mobile") is not None:
        changes["mobile_last4"] = p["mobile"][-4:]
    if p.get("aum") is not None:
        aum = Decimal(p["aum"])
        changes["aum_cents"] = int(aum * 100)
        changes["segment"] = segment_for(aum)
    if p.get("risk_expires") is not None:
        changes["risk_expires"] = date.fromisoformat(p["risk_expires"])
    for name in p.get("cleared", ()):
        changes[name] = None
    store.update(ClientRow, p["client_id"], **changes)


def client_marked_unreachable(store: RowStore, ev: StoredEvent) -> None:
    store.update(ClientRow, ev.payload["client_id"], contact_status="unreachable")


def client_consent_withdrawn(store: RowStore, ev: StoredEvent) -> None:
    store.update(ClientRow, ev.payload["client_id"], marketing_consent=False,
                 consent_withdrawn=True)


HANDLERS = {
    "ClientRegistered": client_registered,
    "ClientDetailsChanged": client_details_changed,
    "ClientMarkedUnreachable": client_marked_unreachable,
    "ClientConsentWithdrawn": client_consent_withdrawn,
}
