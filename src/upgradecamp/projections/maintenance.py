"""Holdings (for maturity calls) and the calls the tier plans create, as follow-up rows
(no session: `session_id` is empty, the branch is the client's)."""

from __future__ import annotations

from upgradecamp.domain.events import HoldingsImported, MaintenanceCallPlanned
from upgradecamp.projections.followups import opened
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent
from upgradecamp.store.tables.followups import FollowUpRow
from upgradecamp.store.tables.holdings import HoldingRow

PROJECTION = Projection()


@PROJECTION.register
def holdings_imported(store: RowStore, event: HoldingsImported, stored: StoredEvent) -> None:
    for h in event.holdings:
        store.put(
            HoldingRow,
            {
                "client_id": h.client_id,
                "product": h.product,
                "maturity": h.maturity,
                "amount": str(h.amount),
            },
        )


@PROJECTION.register
def maintenance_call_planned(
    store: RowStore, event: MaintenanceCallPlanned, stored: StoredEvent
) -> None:
    store.put(
        FollowUpRow,
        opened(
            stored,
            followup_id=event.followup_id,
            kind=event.kind,
            session_id="",
            branch=event.branch,
            client_id=event.client_id,
            form_id=None,
            next_session_id=None,
            assignee=event.assignee,
            due=event.due,
        ),
    )
