"""The Rewards place: a marketer types the client number, sees the balance, picks a reward
and redeems it with Enter; a refusal (too few points) is shown in words and nothing is
recorded; the stock left follows."""

from __future__ import annotations

from textual.widgets import DataTable

from tests.helpers import client_row
from tests.tui.conftest import ADMIN, sign_in, widget_text
from tests.waiting import wait_for
from upgradecamp.domain.commands import CreditBonus, RegisterClients
from upgradecamp.domain.staff import Actor
from upgradecamp.store.db import read_transaction
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.rewards import RewardsScreen

HEAD = Actor(code="bh1", role="branch_head", branch="B02")


def redemptions_recorded(services) -> list[dict]:
    with read_transaction(services.engine) as conn:
        return [ev.payload for ev in services.log.tail(conn, 50) if ev.type == "PointsRedeemed"]


async def test_a_marketer_redeems_at_the_desk(services):
    services.execute(RegisterClients(clients=[client_row(1, name="王大伟"), client_row(2)]), ADMIN)
    services.execute(
        CreditBonus(
            client_id="C000001",
            kind="referral_checkin",
            reference="C000002",
            on="2026-11-20",
            referred_client="C000002",
        ),
        HEAD,
    )
    app = create_app(services, "en")
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "mk1")
        await pilot.press("5")
        await wait_for(
            pilot, lambda: isinstance(app.screen, RewardsScreen), what="the Rewards screen"
        )
        screen = app.screen
        table = screen.query_one("#rewards-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 6, what="the catalogue")
        await pilot.press("C", *"000001", "enter")
        account = screen.query_one("#rewards-account")
        await wait_for(
            pilot, lambda: "balance 500 points" in widget_text(account), what="the client's balance"
        )
        assert "王大伟" in widget_text(account) and "138****0001" in widget_text(account)
        codes = [row.key.value for row in table.ordered_rows]
        table.move_cursor(row=codes.index("umbrella"))  # 600: more than the 500 held
        await pilot.press("enter")
        result = screen.query_one("#rewards-result")
        await wait_for(pilot, lambda: "holds 500" in widget_text(result), what="the refusal")
        assert redemptions_recorded(services) == []
        table.move_cursor(row=codes.index("car_wash"))  # 500
        await pilot.press("enter")
        await wait_for(pilot, lambda: "balance now 0" in widget_text(result), what="the redemption")
        assert [r["reward"] for r in redemptions_recorded(services)] == ["car_wash"]
        await wait_for(
            pilot,
            lambda: "C000001-R01" in widget_text(account),
            what="the redemption in the client's list",
        )
        row = table.get_row("car_wash")
        assert row[3] == "49/50"
