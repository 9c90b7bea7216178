"""What each desk looks like at 80×24 and 120×40, compared with the approved SVG snapshots in
`tests/tui/__snapshots__/test_snapshots/`.

A change to a screen fails here until a person has looked at the new picture: run
`pytest tests/tui/test_snapshots.py --snapshot-update`, open the changed SVGs (the failing run
also writes `snapshot_report.html` with both side by side) and commit them with the change.

The database is the same on every run: a fixed clock (Monday 2026-11-23 10:00 in Beijing),
seeded check-in codes and numbered ids. Last Tuesday's session S1 was held and closed (its
follow-ups are due); today's S2 is open with two walk-ins checked in and one form waiting.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.conftest import FakeClock
from tests.helpers import client_row
from tests.tui.conftest import ADMIN, STAFF, STAFF_PIN, add_staff, settle, sign_in
from tests.waiting import wait_for, wait_for_screen
from upgradecamp.domain.commands import (
    AddStaff,
    ApproveForm,
    BuildInviteList,
    CheckIn,
    CloseSession,
    OpenSession,
    PlanSessions,
    RegisterClients,
    SubmitForm,
)
from upgradecamp.domain.staff import Actor
from upgradecamp.queries import head_position
from upgradecamp.service.bus import Services, bootstrap
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.approval_desk import ApprovalDeskScreen
from upgradecamp.tui.screens.calculator import CalculatorScreen
from upgradecamp.tui.screens.checkin_desk import CheckInDeskScreen, DeskScreen
from upgradecamp.tui.screens.followups import FollowUpsScreen
from upgradecamp.tui.screens.home import HomeScreen
from upgradecamp.tui.screens.registration import RegistrationScreen
from upgradecamp.tui.screens.sessions import SessionsScreen

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing
S1, S2 = "B02-20261117-1500", "B02-20261123-1500"
ORG = Actor(code="org1", role="organizer", branch="B02", name="李四")
DESK = Actor(code="ck1", role="checkin", branch="B02", name="王小明")
MK = Actor(code="mk1", role="marketer", branch="B02", name="张三丰")
HEAD = Actor(code="bh1", role="branch_head", branch="B02", name="赵行长")
NAMES = {1: "王大伟", 2: "刘芳", 3: "陈静", 4: "黄磊", 5: "周洁", 6: "吴刚"}
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def play(svc: Services) -> None:
    clock = svc.clock
    add_staff(svc)
    svc.execute(
        AddStaff(code="mk2", name="李雷", role="marketer", branch="B02", pin=STAFF_PIN), ADMIN
    )
    svc.execute(
        RegisterClients(
            clients=[
                client_row(n, name=name, aum=f"{100000 + n * 1000}.00", rm="mk1")
                for n, name in NAMES.items()
            ]
        ),
        ADMIN,
    )
    clock.advance(days=-40)  # the sessions and invitations weeks ahead
    for start in ("2026-11-17 15:00", "2026-11-23 15:00"):
        svc.execute(PlanSessions(branch="B02", start=start), ORG)
    svc.execute(BuildInviteList(session_id=S1), ORG)
    clock.now = datetime(2026, 11, 17, 6, 30, tzinfo=UTC)  # S1: Tuesday 14:30
    svc.execute(OpenSession(session_id=S1), DESK)
    for n in (1, 2, 3):
        svc.execute(CheckIn(session_id=S1, client_id=f"C{n:06d}"), DESK)
    form = svc.execute(
        SubmitForm(
            session_id=S1,
            client_id="C000001",
            lines=(("large_cd", "50000", "existing"),),
            appointment="2026-11-27",
        ),
        MK,
    )
    svc.execute(ApproveForm(form_id=form["form_id"], pin=STAFF_PIN), HEAD)
    clock.advance(hours=2)
    svc.execute(CloseSession(session_id=S1), ORG)  # its follow-ups are created
    clock.now = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # S2: today 09:30
    svc.execute(OpenSession(session_id=S2), DESK)
    for n in (4, 5):
        svc.execute(CheckIn(session_id=S2, client_id=f"C{n:06d}"), DESK)
    svc.execute(
        SubmitForm(session_id=S2, client_id="C000004", lines=(("fund", "20000", "new"),)), MK
    )
    clock.now = NOW


@pytest.fixture
def services(tmp_path) -> Services:
    """Built afresh for each picture (a few hundred milliseconds): a template would share its
    seeded streams' positions, and the pictures must not depend on the order tests run in."""
    ids = itertools.count(1)
    svc = bootstrap(
        str(tmp_path / "t.db"),
        clock=FakeClock(NOW),
        terminal="desk-A",
        new_id=lambda: f"{next(ids):032x}",
        rng=random.Random(2026),
    )
    play(svc)
    return svc


async def steady(pilot: Pilot[Any]) -> None:
    """The log's head polled (the status bar shows it), workers done and no blinking cursor:
    the picture is the same at any moment."""
    app = pilot.app
    engine = app.get_services().engine
    await wait_for(
        pilot,
        lambda: app.head_position == head_position(engine),
        what="the app to poll the log's head",
        seen=lambda: f"app at #{app.head_position}, log at #{head_position(engine)}",
    )
    await settle(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def desk(
    code: str | None, *keys: str, screen: type | None = None
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Sign in as `code` (none: stay on the login screen), press `keys`, wait for `screen`."""

    async def run_before(pilot: Pilot[Any]) -> None:
        if code is not None:
            await sign_in(pilot, code)
            await wait_for_screen(pilot, HomeScreen)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if screen is not None:
            await wait_for_screen(pilot, screen)
        await steady(pilot)

    return run_before


DESKS = {
    "login": desk(None),
    **{f"home-{role}": desk(code) for role, (code, _name) in STAFF.items()},
    "checkin-desk": desk("ck1", "1", "enter", screen=DeskScreen),
    "checkin-picker": desk("ck1", "1", screen=CheckInDeskScreen),
    "registration": desk("mk1", "1", screen=RegistrationScreen),
    "approval-desk": desk("bh1", "1", screen=ApprovalDeskScreen),
    "followup-desk": desk("mk1", "3", screen=FollowUpsScreen),
    "calculator": desk("mk1", "2", screen=CalculatorScreen),
    "sessions": desk("org1", "1", screen=SessionsScreen),
}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(DESKS))
def test_each_desk_looks_as_approved(snap_compare, services, name, size):
    app = create_app(services, "en")
    assert snap_compare(app, terminal_size=SIZES[size], run_before=DESKS[name])
