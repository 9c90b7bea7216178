"""Nothing cut: every role's screens at 80×24 and 120×40, in Chinese and English, show every
title, label, hint, column header and footer whole (`tests/tui/cuts.py` says how it is read).

One app per role, size and language signs in and walks the role's places from its home, and in
each place the dialogs staff open there (walk-in, room, approval PIN and reason, the session
editor, the invite builder, help F1, …), then comes back home. The database is the snapshot
tests' small branch day (S1 held and closed, S2 open today with a form waiting), built once.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.conftest import DatabaseTemplates, FakeClock
from tests.tui.conftest import STAFF, settle, sign_in
from tests.tui.cuts import find_cuts
from tests.tui.test_snapshots import NOW, play
from tests.waiting import wait_for, wait_for_screen
from upgradecamp.service.bus import Services
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.home import HomeScreen, place_key, places_for

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
LANGUAGES = ("zh_CN", "en")

# Cuts still open at 80×24: none. A table too wide for the terminal leaves out its least
# needed columns (`tui/widgets/tables.fill_table(drop_to_fit=…)`) rather than cut a header.
OPEN_AT_80: tuple[str, ...] = ()

# What staff open inside a place, as the keys pressed on the place's screen. Each is looked
# at, then closed again with Esc; F1 (help) is looked at in every place.
INSIDE: dict[str, tuple[tuple[str, ...], ...]] = {
    "planning": (("n",), ("i",), ("c",), ("p",), ("d",)),
    "checkin_desk": (("enter",), ("enter", "f2"), ("enter", "f3"), ("enter", "f4")),
    "registration": (("f2",), ("down", "enter"), ("down", "enter", "f2")),
    "approval_desk": (("a",), ("j",), ("r",), ("v",)),
    "followups": (("d",), ("a",), ("h",)),
    "reports": (("d",), ("s",), ("t",)),
    "review": (("f2",),),
    "rules": (("n",),),
    "wall": (("enter",),),
    "staff": (("p",), ("d",), ("v",), ("v", "f")),
}


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def services(tmp_path, db_templates: DatabaseTemplates) -> Services:
    return db_templates.services(
        "snapshot-day", tmp_path / "t.db", play, clock=FakeClock(NOW), terminal="desk-A"
    )


class Tour:
    """Looks at each screen it is shown and keeps every cut, named by where it was seen."""

    def __init__(self, pilot: Pilot[Any]) -> None:
        self.pilot = pilot
        self.cuts: list[str] = []

    async def look(self, where: str) -> None:
        await settle(self.pilot)
        screen = type(self.pilot.app.screen).__name__
        self.cuts += [f"{where} ({screen}): {cut}" for cut in find_cuts(self.pilot.app)]

    async def press(self, *keys: str) -> None:
        for key in keys:
            await self.pilot.press(key)
            await settle(self.pilot)

    async def back_to(self, depth: int) -> None:
        """Esc until the screen stack is `depth` deep again."""
        app = self.pilot.app
        for _ in range(8):
            if len(app.screen_stack) <= depth:
                break
            await self.press("escape")
        await wait_for(
            self.pilot,
            lambda: len(app.screen_stack) <= depth,
            what=f"the screen stack back to {depth}",
            seen=lambda: app.screen_stack,
        )

    async def place(self, number: int, place: str) -> None:
        app = self.pilot.app
        home = len(app.screen_stack)
        await self.press(place_key(number))
        await wait_for(
            self.pilot,
            lambda: not isinstance(app.screen, HomeScreen),
            what=f"the place {place} to open",
        )
        await self.look(place)
        depth = len(app.screen_stack)
        for keys in (("f1",), *INSIDE.get(place, ())):
            await self.press(*keys)
            await self.look(f"{place} {'+'.join(keys)}")
            await self.back_to(depth)
        await self.back_to(home)
        await wait_for_screen(self.pilot, HomeScreen)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("role", list(STAFF))
async def test_no_screen_cuts_its_fixed_text(services, role, size, language):
    code = STAFF[role][0]
    app = create_app(services, language)
    async with app.run_test(size=SIZES[size]) as pilot:
        tour = Tour(pilot)
        await tour.look("login")
        await sign_in(pilot, code)
        await wait_for_screen(pilot, HomeScreen)
        await tour.look("home")
        await tour.press("f1")
        await tour.look("home f1")
        await tour.back_to(2)
        for number, place in enumerate(places_for(role), 1):
            await tour.place(number, place)
    cuts = [
        cut
        for cut in tour.cuts
        if not (size == "80x24" and any(known in cut for known in OPEN_AT_80))
    ]
    assert not cuts, f"{role} at {size} in {language}:\n" + "\n".join(cuts)
