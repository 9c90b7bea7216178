"""The follow-up desk shows the tier plans' calls: a maturity call of the marketer's client,
named in words, worked like any follow-up."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import DataTable

from tests.conftest import FakeClock
from tests.helpers import client_row
from tests.tui.conftest import ADMIN, add_staff, settle, sign_in
from upgradecamp.domain.commands import (
    ImportHoldings,
    RegisterClients,
    RunMaintenance,
)
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.followups import FollowUpsScreen

ORG = Actor(code="org1", role="organizer", branch="B02")
CALL = "MNT-MT-C000001-large_cd-20261125"


async def test_a_maturity_call_is_on_the_marketer_s_desk(db_path, tmp_path):
    clock = FakeClock(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    svc = bootstrap(db_path, terminal="test-terminal-1", clock=clock)
    add_staff(svc)
    svc.execute(RegisterClients(clients=[client_row(1, aum="300000.00", rm="mk1")]), ADMIN)
    holdings = tmp_path / "h.csv"
    holdings.write_text(
        "client_id,product,amount,maturity\nC000001,large_cd,100000,2026-11-25\n", encoding="utf-8"
    )
    svc.execute(ImportHoldings(path=str(holdings)), ORG)
    assert svc.execute(RunMaintenance(), ORG)["created"] == 1
    app = create_app(svc, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "mk1")
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpsScreen)
        table = app.screen.query_one("#fu-table", DataTable)
        assert [row.key.value for row in table.ordered_rows] == [CALL]
        assert table.get_row(CALL)[1].plain == "Maturity call"
