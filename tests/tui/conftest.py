"""A real database per test, with one staff member of every role, and helpers to read the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from upgradecamp.domain.commands import AddStaff
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import Services, bootstrap
from upgradecamp.service.setup import initialise
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import StoredEvent

ADMIN = Actor(code="admin1", role="admin", branch="B01")
PINS = {"admin1": "1234"}
# role → (code, name); names in Chinese so cell-width alignment is exercised.
STAFF = {
    "organizer": ("org1", "李四"),
    "checkin": ("ck1", "王小明"),
    "marketer": ("mk1", "张三丰"),
    "branch_head": ("bh1", "赵行长"),
    "admin": ("admin1", "管理员"),
}
STAFF_PIN = "2345"


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "t.db")


@pytest.fixture
def services(db_path: str) -> Services:
    services = bootstrap(db_path, terminal="test-terminal-1")
    initialise(services, admin_code="admin1", admin_name="管理员", admin_pin="1234")
    for role, (code, name) in STAFF.items():
        if role != "admin":
            services.execute(AddStaff(code=code, name=name, role=role, branch="B02",
                                      pin=STAFF_PIN), ADMIN)
    return services


def pin_of(code: str) -> str:
    return PINS.get(code, STAFF_PIN)


def tail(services: Services, n: int = 5) -> list[StoredEvent]:
    with read_transaction(services.engine) as conn:
        return services.log.tail(conn, n)


def screen_text(pilot: Pilot[Any]) -> str:
    """Everything the terminal shows right now, line by line, as plain text."""
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


def widget_text(widget: Any) -> str:
    """What one widget shows on screen (borders and padding included), as plain text."""
    region = widget.region
    strips = widget.screen._compositor.render_strips()
    return "\n".join(strips[y].crop(region.x, region.right).text.rstrip()
                     for y in range(region.y, min(region.bottom, len(strips))))


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and their messages be handled.

    An exclusive worker superseded by a newer one ends as cancelled; the loop waits for the newer.
    """
    for _ in range(10):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            return


async def choose(pilot: Pilot[Any], code: str) -> None:
    """Filter the staff list by code and choose the match."""
    await settle(pilot)
    await pilot.press(*code)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def enter_pin(pilot: Pilot[Any], pin: str) -> None:
    await pilot.press(*pin, "enter")
    await settle(pilot)


async def sign_in(pilot: Pilot[Any], code: str, pin: str | None = None) -> None:
    await choose(pilot, code)
    await enter_pin(pilot, pin or pin_of(code))
