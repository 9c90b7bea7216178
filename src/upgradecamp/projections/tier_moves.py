"""Each client's last change of tier (客户等级变动), for the tier plans' "tier changed" calls.

A tier is the experience tier while one lasts, else the ladder's tier of the imported AUM; it
moves when an import changes the AUM or an experience tier starts or ends. This module runs
before `clients` and `ledger` (see `_MODULES`), so it reads the state just before the event.
Two moves on one day keep the state before the first: the day's net move is what is called.
"""

from __future__ import annotations

from datetime import date

from upgradecamp.domain.clock import business_date
from upgradecamp.domain.events import ClientDetailsChanged, ExperienceEnded, ExperienceStarted
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables import ClientPointsRow, ClientRow
from upgradecamp.store.tables.holdings import TierMoveRow

PROJECTION = Projection()


def _moved(store: RowStore, client_id: str, on: date, experience: str | None) -> None:
    client = store.get(ClientRow, client_id)
    if client is None:
        return
    last = store.get(TierMoveRow, client_id)
    if last is not None and last["changed_on"] == on:
        return
    store.put(
        TierMoveRow,
        {
            "client_id": client_id,
            "changed_on": on,
            "aum_before_cents": client["aum_cents"],
            "experience_before": experience,
        },
    )


def _experience(store: RowStore, client_id: str) -> str | None:
    account = store.get(ClientPointsRow, client_id)
    return None if account is None else account["experience_tier"]


@PROJECTION.register
def aum_changed(store: RowStore, event: ClientDetailsChanged, stored: StoredEvent) -> None:
    if event.aum is None:
        return
    client = store.get(ClientRow, event.client_id)
    if client is None or client["aum_cents"] == int(event.aum * 100):
        return
    _moved(
        store,
        event.client_id,
        business_date(stored.recorded_at),
        _experience(store, event.client_id),
    )


@PROJECTION.register
def experience_started(store: RowStore, event: ExperienceStarted, stored: StoredEvent) -> None:
    _moved(store, event.client_id, event.starts, _experience(store, event.client_id))


@PROJECTION.register
def experience_ended(store: RowStore, event: ExperienceEnded, stored: StoredEvent) -> None:
    _moved(store, event.client_id, event.on, event.tier)
