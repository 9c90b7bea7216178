"""Sign-in: choose yourself, enter the PIN; refusals are shown, never crash, and are recorded."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rich.cells import cell_len
from sqlalchemy.exc import OperationalError
from textual.widgets import Input, OptionList

from tests.tui.conftest import (
    STAFF,
    choose,
    enter_pin,
    screen_text,
    settle,
    tail,
    widget_text,
)
from tests.waiting import wait_for
from upgradecamp.domain.commands import AddStaff
from upgradecamp.domain.staff import MAX_PIN_FAILURES, Actor
from upgradecamp.tui import i18n
from upgradecamp.tui.app import ServicesUnavailable, create_app
from upgradecamp.tui.screens.home import HomeScreen
from upgradecamp.tui.screens.login import LoginScreen


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


async def test_the_staff_list_shows_everyone_with_chinese_names_aligned(services):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        staff_list = app.screen.query_one("#staff-list", OptionList)
        prompts = [str(option.prompt) for option in staff_list.options]
        assert len(prompts) == len(STAFF)
        for code, name in STAFF.values():
            assert any(p.startswith(code) and name in p for p in prompts)
        # Every row's branch starts at the same cell, whatever the name's width.
        starts = {cell_len(p[: p.index("B0")]) for p in prompts}
        assert len(starts) == 1
        header = widget_text(app.screen.query_one("#staff-header"))
        assert cell_len(header[: header.index("Branch")]) - 2 == starts.pop()


async def test_typing_filters_the_list_and_keys_typed_before_it_loads_are_kept(services):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", "k")  # possibly before the list has arrived
        await settle(pilot)
        staff_list = app.screen.query_one("#staff-list", OptionList)
        assert app.screen.query_one("#staff-filter", Input).value == "mk"
        assert [o.id for o in staff_list.options] == ["mk1"]
        await pilot.press("backspace", "backspace", "钱")
        await pilot.pause()
        assert [o.id for o in staff_list.options] == []
        await pilot.press("backspace", "赵")
        await pilot.pause()
        assert [o.id for o in staff_list.options] == ["bh1"]
        await pilot.press("escape")
        await pilot.pause()
        assert staff_list.option_count == len(STAFF)


async def test_keys_typed_while_nothing_or_the_list_has_focus_go_to_the_filter(services):
    """At start-up a terminal may deliver keys before any widget has focus; none is lost."""
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        staff_filter = app.screen.query_one("#staff-filter", Input)
        app.screen.set_focus(None)
        await pilot.pause()
        assert app.focused is None
        await pilot.press("m")
        assert staff_filter.value == "m" and app.focused is staff_filter
        await pilot.press("down")
        assert app.focused is app.screen.query_one("#staff-list")
        await pilot.press("k")
        assert staff_filter.value == "mk" and app.focused is staff_filter
        await pilot.pause()
        assert [o.id for o in app.screen.query_one("#staff-list", OptionList).options] == ["mk1"]


async def test_a_filter_matching_nobody_says_so(services):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"zzz")
        await pilot.pause()
        assert "Nobody matches “zzz”" in screen_text(pilot)


async def test_arrows_and_enter_choose_then_the_pin_signs_in(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        staff_list = app.screen.query_one("#staff-list", OptionList)
        target = [o.id for o in staff_list.options].index("mk1")
        await pilot.press("down", *["down"] * target, "enter")
        await pilot.pause()
        assert "PIN for mk1 张三丰 (Marketer, B02)" in screen_text(pilot)
        pin = app.screen.query_one("#pin", Input)
        assert app.focused is pin and pin.password
        await enter_pin(pilot, "234509")
        assert isinstance(app.screen, HomeScreen)
        assert app.actor == Actor(code="mk1", role="marketer", branch="B02", name="张三丰")


async def test_a_wrong_pin_shows_tries_left_keeps_the_choice_and_is_recorded(services):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "mk1")
        await enter_pin(pilot, "9999")
        assert isinstance(app.screen, LoginScreen)
        text = screen_text(pilot)
        assert "Sign-in refused: Wrong PIN for mk1. 4 more wrong PIN(s) lock the account" in text
        assert "PIN for mk1 张三丰" in text  # still chosen
        pin = app.screen.query_one("#pin", Input)
        assert pin.value == "" and app.focused is pin
        last = tail(services, 1)[-1]
        assert (last.type, last.payload["code"], last.payload["failed_attempts"]) == (
            "StaffPinRejected",
            "mk1",
            1,
        )
        assert last.meta["terminal"] == "test-terminal-1"
        # The right PIN still works straight after.
        await enter_pin(pilot, "234509")
        assert isinstance(app.screen, HomeScreen)


async def test_five_wrong_pins_lock_the_account_and_say_until_when(services):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "ck1")
        for attempt in range(1, MAX_PIN_FAILURES):
            await enter_pin(pilot, "0000")
            assert f"{MAX_PIN_FAILURES - attempt} more wrong PIN(s)" in screen_text(pilot)
        await enter_pin(pilot, "0000")
        text = screen_text(pilot)
        assert "ck1 is locked after 5 wrong PINs until" in text
        assert [e.type for e in tail(services, 2)] == ["StaffPinRejected", "StaffLocked"]
        # Even the right PIN is refused while locked, with the same advice.
        await enter_pin(pilot, "234509")
        assert isinstance(app.screen, LoginScreen)
        assert "ck1 is locked after 5 wrong PINs until" in screen_text(pilot)
        # The list marks the account as locked once it reloads.
        app.screen.load_staff()
        await settle(pilot)
        staff_list = app.screen.query_one("#staff-list", OptionList)
        locked_row = str(staff_list.get_option("ck1").prompt)
        assert locked_row.endswith("locked")


async def test_a_pin_that_is_not_4_to_8_digits_is_explained_without_a_try(services):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "mk1")
        before = tail(services, 1)[-1].position
        await enter_pin(pilot, "12")
        assert "A PIN is 4 to 8 digits" in screen_text(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert "Type your PIN, then press Enter." in screen_text(pilot)
        assert tail(services, 1)[-1].position == before


async def test_escape_from_the_pin_goes_back_to_the_list(services):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "mk1")
        await pilot.press("1", "escape")
        await pilot.pause()
        pin = app.screen.query_one("#pin", Input)
        assert pin.value == "" and pin.disabled
        assert app.focused is app.screen.query_one("#staff-list")
        assert "First choose yourself in the list" in screen_text(pilot)


async def test_a_busy_database_during_sign_in_is_explained_and_nothing_crashes(
    services, monkeypatch
):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "mk1")

        def locked(*_args, **_kwargs):
            raise OperationalError("INSERT …", {}, Exception("database is locked"))

        monkeypatch.setattr(services, "execute", locked)
        await enter_pin(pilot, "234509")
        assert isinstance(app.screen, LoginScreen)
        assert "The database is busy" in screen_text(pilot)
        assert app.screen.query_one("#pin", Input).value == ""
        monkeypatch.undo()
        await enter_pin(pilot, "234509")
        assert isinstance(app.screen, HomeScreen)


async def test_a_database_that_cannot_be_opened_says_what_to_do(tmp_path):
    def open_services():
        raise ServicesUnavailable(
            f"{tmp_path / 'none.db'} holds no upgradecamp database; "
            "run `upgradecamp init --admin CODE`"
        )

    app = create_app(open_services, "en", db_label="none.db", terminal="t1")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        message = " ".join(widget_text(app.screen.query_one("#login-message")).split())
        assert "holds no upgradecamp database; run `upgradecamp init --admin CODE`" in message
        await pilot.press(*"abc")  # still accepts keys
        assert app.screen.query_one("#staff-filter", Input).value == "abc"


async def test_new_staff_appear_in_the_list_when_another_terminal_adds_them(services, db_path):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        staff_list = app.screen.query_one("#staff-list", OptionList)
        assert "new9" not in [o.id for o in staff_list.options]
        from upgradecamp.service.bus import bootstrap

        other = bootstrap(db_path, terminal="test-terminal-2")
        other.execute(
            AddStaff(code="new9", name="钱七", role="checkin", branch="B03", pin="234509"),
            Actor(code="admin1", role="admin"),
        )
        await wait_for(
            pilot,
            lambda: "new9" in [o.id for o in staff_list.options],
            what="new9, added at another terminal, in the staff list",
            seen=lambda: [o.id for o in staff_list.options],
        )


def test_the_tui_up_to_the_login_screen_imports_no_database_or_heavy_library():
    """Start-up speed: these load in a worker after the login screen paints, not before."""
    code = (
        "import sys, upgradecamp.tui.app, upgradecamp.tui.screens.login, "
        "upgradecamp.tui.screens.home; "
        "print(','.join(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'faker', "
        "'pypinyin', 'argon2') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


async def test_code_enter_pin_enter_in_one_burst_while_the_list_loads(services, monkeypatch):
    """A fast hand: the PIN goes to the masked field, never the filter, and signs in once the
    staff list has come."""
    import threading

    import upgradecamp.queries as queries
    from tests.tui.conftest import pin_of
    from tests.tui.keys import burst

    gate, real = threading.Event(), queries.staff_directory

    def slow(*args, **kwargs):
        gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(queries, "staff_directory", slow)
    pin = pin_of("mk1")
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, *"mk1", "enter", *pin, "enter")
        assert app.screen.query_one("#staff-filter", Input).value == "mk1"
        assert pin not in screen_text(pilot), "the PIN shows in clear"
        assert not isinstance(app.screen, HomeScreen)
        gate.set()
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, HomeScreen),
            what="the home screen after the list came and the PIN was checked",
        )
        assert app.actor.code == "mk1"


async def test_code_enter_pin_enter_in_one_burst_once_the_list_is_there(services):
    """Enter in a burst comes before the filter's own Changed messages: it must choose the
    member the typed code names, not the first of the list as it was before the code."""
    from tests.tui.conftest import pin_of
    from tests.tui.keys import burst

    pin = pin_of("mk1")
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        staff_list = app.screen.query_one("#staff-list")
        await wait_for(
            pilot,
            lambda: staff_list.option_count > 1,
            what="the whole staff list",
            seen=lambda: staff_list.option_count,
        )
        await burst(pilot, *"mk1", "enter", *pin, "enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, HomeScreen),
            what="the home screen of the member the code named",
            seen=lambda: screen_text(pilot),
        )
        assert app.actor.code == "mk1"
