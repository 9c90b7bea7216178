"""A demo database's sign-in screen shows the demo's codes and PINs; an `init` one never does."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Static

from tests.tui.conftest import choose, enter_pin, screen_text, settle, widget_text
from upgradecamp.demo import build_demo
from upgradecamp.domain.commands import ResetStaffPin
from upgradecamp.domain.staff import Actor
from upgradecamp.queries.staff import demo_credentials
from upgradecamp.service.bus import bootstrap
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.home import HomeScreen


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> tuple[str, dict[str, str]]:
    path = str(tmp_path_factory.mktemp("demo") / "demo.db")
    report = build_demo(
        path, customers=120, seed=7, today=date(2026, 11, 20), echo=lambda _line: None
    )
    return path, {m["code"]: m["pin"] for m in report.staff}


async def test_the_demo_panel_lists_the_codes_and_pins_that_sign_in(demo_db):
    path, pins = demo_db
    app = create_app(bootstrap(path, terminal="test-demo"), "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one("#demo-panel")
        assert panel.display and panel.border_title == "Demo staff and PINs"
        shown = widget_text(app.screen.query_one("#demo-pins", Static))
        for code in ("admin", "B01-OR1", "B02-CK1", "B04-MK1"):  # the rest scroll below
            line = next(x for x in shown.splitlines() if x.split()[:1] == [code])
            assert pins[code] in line.split()
        hint = " ".join(widget_text(app.screen.query_one("#demo-hint")).split())
        assert "a database made by `upgradecamp init` never shows PINs" in hint
        await choose(pilot, "B02-CK1")
        await enter_pin(pilot, pins["B02-CK1"])
        assert isinstance(app.screen, HomeScreen) and app.actor.code == "B02-CK1"


def test_a_reset_pin_is_no_longer_shown_as_the_demo_pin(demo_db, tmp_path):
    import shutil

    path, pins = demo_db
    copy = str(tmp_path / "copy.db")
    shutil.copyfile(path, copy)
    shutil.copyfile(f"{path}.key", f"{copy}.key")  # the copy is signed with the same key
    services = bootstrap(copy, terminal="test-demo")
    services.execute(
        ResetStaffPin(code="B03-MK1", pin="975318"), Actor(code="admin", role="admin", branch="B01")
    )
    shown = {c.code: c.pin for c in demo_credentials(services.engine, services.log)}
    assert "B03-MK1" not in shown and shown["B03-MK2"] == pins["B03-MK2"]


async def test_a_database_made_by_init_shows_no_pins(services):
    assert demo_credentials(services.engine, services.log) == []
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#staff-list").option_count > 0  # the list has loaded
        assert not app.screen.query_one("#demo-panel").display
        text = screen_text(pilot)
        assert "Demo staff and PINs" not in text and "234509" not in text
