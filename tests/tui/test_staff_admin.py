"""The admin's Staff place: unlock, a new PIN and deactivation by key, and what members see."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, OptionList

from tests import waiting
from tests.tui.conftest import STAFF_PIN, choose, enter_pin, screen_text, settle, sign_in, tail
from upgradecamp.domain.commands import VerifyPin
from upgradecamp.domain.errors import DomainError
from upgradecamp.domain.staff import MAX_PIN_FAILURES, Actor
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.home import HomeScreen
from upgradecamp.tui.screens.login import LoginScreen
from upgradecamp.tui.screens.staff_admin import StaffAdminScreen
from upgradecamp.tui.screens.staff_dialogs import (
    DeactivateScreen,
    NewPinScreen,
    UnlockConfirmScreen,
)
from upgradecamp.tui.widgets.tables import table_key

NEW_PIN = "975318"


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


async def wait_for(pilot, condition, what: str) -> None:
    """Let workers and the log poll run until `condition()` holds; fail naming `what` and
    showing the screen."""
    await waiting.wait_for(pilot, condition, what=what, seen=lambda: screen_text(pilot))
    await settle(pilot)


def lock(services, code: str) -> None:
    for _ in range(MAX_PIN_FAILURES):
        with pytest.raises(DomainError):
            services.execute(VerifyPin(code=code, pin="0000"), Actor(code=code, role="?"))


async def open_staff_place(pilot) -> StaffAdminScreen:
    await sign_in(pilot, "admin1")
    assert isinstance(pilot.app.screen, HomeScreen)
    await pilot.press("0")  # the admin's tenth place
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, StaffAdminScreen) and pilot.app.screen.loaded,
        "the Staff place to load",
    )
    return pilot.app.screen


async def highlight(pilot, code: str) -> None:
    table = pilot.app.screen.query_one("#staff-table", DataTable)
    for _ in range(table.row_count):
        if table_key(table) == code:
            return
        await pilot.press("down")
    assert table_key(table) == code, f"{code} is not in the staff table"


def row_text(pilot, code: str) -> str:
    return next(line for line in screen_text(pilot).splitlines() if f" {code} " in line)


async def sign_out_to_login(pilot) -> None:
    await pilot.press("escape")
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, LoginScreen)


async def test_an_admin_unlocks_a_locked_member_who_then_signs_in_again(services):
    lock(services, "ck1")
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        # The locked member is told who can unlock them, and how.
        await choose(pilot, "ck1")
        await enter_pin(pilot, STAFF_PIN)
        told = " ".join(screen_text(pilot).split())
        assert "ck1 is locked after 5 wrong PINs until" in told
        assert (
            "ask 管理员 (admin1) to unlock it (their Staff place, or `upgradecamp staff "
            "unlock ck1`)" in told
        )
        await pilot.press("escape", "escape")
        await settle(pilot)

        screen = await open_staff_place(pilot)
        assert "Staff: everyone, with their lock and last sign-in" in screen_text(pilot)
        assert "locked until" in row_text(pilot, "ck1")
        assert "Last sign-in" in screen_text(pilot) and "never" in row_text(pilot, "mk1")
        await highlight(pilot, "ck1")
        assert "ck1 王小明 is locked until" in screen_text(pilot)
        await pilot.press("u")
        await wait_for(
            pilot, lambda: isinstance(app.screen, UnlockConfirmScreen), "the unlock question"
        )
        assert "Unlock ck1 王小明? They can sign in again at once." in screen_text(pilot)
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: "ck1 is unlocked and can sign in again." in screen_text(pilot),
            "the unlock to be done",
        )
        assert app.screen is screen and "active" in row_text(pilot, "ck1")
        unlocked = tail(services, 1)[-1]
        assert (unlocked.type, unlocked.payload["code"], unlocked.meta["actor"]) == (
            "StaffUnlocked",
            "ck1",
            "admin1",
        )
        await pilot.press("u", "y")  # a refusal is said on the screen, in the user's language
        await wait_for(
            pilot,
            lambda: "ck1 is not locked and has no wrong PINs counted" in screen_text(pilot),
            "the refusal of a second unlock",
        )

        await sign_out_to_login(pilot)
        await sign_in(pilot, "ck1")
        assert isinstance(app.screen, HomeScreen) and app.actor.code == "ck1"
        assert tail(services, 1)[-1].type == "StaffSignedIn"


async def test_a_new_pin_is_typed_twice_masked_and_checked_before_it_is_set(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_staff_place(pilot)
        await highlight(pilot, "mk1")
        before = tail(services, 1)[-1].position
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, NewPinScreen), "the PIN dialog")
        assert app.screen.query_one("#new-pin").password
        await pilot.press(*"111111", "enter")
        assert "not one digit repeated (like 111111)" in " ".join(screen_text(pilot).split())
        await pilot.press(*NEW_PIN, "enter", *"975319", "enter")
        assert "The two PINs differ" in screen_text(pilot)
        assert NEW_PIN not in screen_text(pilot)  # masked
        assert tail(services, 1)[-1].position == before  # nothing set yet
        await pilot.press(*NEW_PIN, "enter", *NEW_PIN, "enter")
        await wait_for(
            pilot, lambda: "mk1 has a new PIN" in screen_text(pilot), "the new PIN to be set"
        )
        reset = tail(services, 1)[-1]
        assert (reset.type, reset.payload["code"]) == ("StaffPinReset", "mk1")

        await sign_out_to_login(pilot)
        await choose(pilot, "mk1")
        await enter_pin(pilot, STAFF_PIN)
        assert "Wrong PIN for mk1" in screen_text(pilot)
        await enter_pin(pilot, NEW_PIN)
        assert isinstance(app.screen, HomeScreen) and app.actor.code == "mk1"


async def test_deactivation_asks_why_and_the_member_leaves_the_sign_in_list(services):
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_staff_place(pilot)
        await highlight(pilot, "org1")
        await pilot.press("d")
        await wait_for(
            pilot, lambda: isinstance(app.screen, DeactivateScreen), "the deactivation dialog"
        )
        assert "停用 org1 李四？" in screen_text(pilot)
        await pilot.press("enter")
        assert "请说明原因" in screen_text(pilot)
        await pilot.press(*"transferred", "enter")
        await wait_for(
            pilot, lambda: "org1 已停用" in screen_text(pilot), "the deactivation to be done"
        )
        assert "已停用" in row_text(pilot, "org1")
        gone = tail(services, 1)[-1]
        assert (gone.type, gone.payload["reason"]) == ("StaffDeactivated", "transferred")

        await sign_out_to_login(pilot)
        staff_list = app.screen.query_one("#staff-list", OptionList)
        await wait_for(pilot, lambda: staff_list.option_count > 0, "the sign-in list")
        assert "org1" not in [o.id for o in staff_list.options]
