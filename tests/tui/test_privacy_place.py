"""The admin forgets a client from the TUI (Staff place, v, f): client id, reason and PIN in
one burst, the same ForgetClient command as the CLI, and the report of personal data held."""

from __future__ import annotations

import pytest

from tests import waiting
from tests.conftest import ADMIN
from tests.helpers import client_row
from tests.tui.conftest import screen_text, settle, tail
from tests.tui.keys import burst
from tests.tui.test_staff_admin import open_staff_place
from upgradecamp.domain.commands import RegisterClients
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.i18n import client_name
from upgradecamp.tui.screens.privacy import ForgetClientScreen, PrivacyScreen

ADMIN_PIN = "123409"


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


async def wait_for(pilot, condition, what: str) -> None:
    await waiting.wait_for(pilot, condition, what=what, seen=lambda: screen_text(pilot))
    await settle(pilot)


async def test_the_admin_forgets_a_client_with_a_pin_and_sees_the_report(services):
    services.execute(RegisterClients(clients=[client_row(n) for n in range(3)]), ADMIN)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_staff_place(pilot)
        await pilot.press("v")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, PrivacyScreen) and "client details" in screen_text(pilot)
            ),
            "the privacy report",
        )
        assert "Personal data held for 3 client(s)" in screen_text(pilot)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForgetClientScreen), "the dialog")
        await burst(pilot, *"C000001", "enter", *"written request", "enter", *"111111", "enter")
        await wait_for(
            pilot,
            lambda: "tries left" in screen_text(pilot) or "wrong" in screen_text(pilot).lower(),
            "the wrong PIN answered in the dialog",
        )
        assert isinstance(app.screen, ForgetClientScreen)
        await burst(pilot, *ADMIN_PIN, "enter")
        await wait_for(
            pilot, lambda: "Client C000001 is forgotten" in screen_text(pilot), "the forgetting"
        )
        await wait_for(
            pilot,
            lambda: "Personal data held for 2 client(s)" in screen_text(pilot),
            "the report to count one fewer",
        )
        forgotten = [e for e in tail(services, 5) if e.type == "ClientForgotten"]
        assert [
            (e.payload["client_id"], e.payload["reason"], e.meta["actor"]) for e in forgotten
        ] == [("C000001", "written request", "admin1")]


def test_a_forgotten_clients_placeholder_reads_in_the_ui_language():
    i18n.set_language("en")
    assert client_name("已遗忘客户") == "forgotten"
    assert client_name("张三") == "张三"
    i18n.set_language("zh_CN")
    assert client_name("已遗忘客户") == "已遗忘客户"


def test_desks_name_a_forgotten_client_in_the_ui_language():
    """The check-in list and the follow-up desk show the placeholder translated, not 已遗忘客户."""
    from upgradecamp.domain.privacy import FORGOTTEN_NAME
    from upgradecamp.queries.checkins import RecentCheckIn
    from upgradecamp.tui.screens.checkin_cells import recent_cells

    row = RecentCheckIn(
        checkin_id="K1",
        client_id="C000001",
        name=FORGOTTEN_NAME,
        mobile="",
        walk_in=False,
        method="code",
        invitation_id=None,
        at="2026-11-20T09:00:00+08:00",
        time="09:00",
        by="ck1",
        terminal="desk-A",
        referred_by=None,
        override_by=None,
        annulled=False,
        annul_reason=None,
    )
    i18n.set_language("en")
    assert recent_cells(row)[1].plain == "forgotten"
    i18n.set_language("zh_CN")
    assert recent_cells(row)[1].plain == FORGOTTEN_NAME
