"""A real database per test, with one staff member of every role, and helpers to sign in.

`screen_text`, `widget_text` (tests/screen.py) and `settle` (tests/waiting.py) are re-exported
here for the tests that import them from this module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.conftest import DatabaseTemplates
from tests.screen import screen_text, widget_text
from tests.waiting import wait_for, wait_for_tables, wait_for_workers
from upgradecamp.domain.commands import AddStaff
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import Services, bootstrap
from upgradecamp.service.setup import initialise
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import StoredEvent

ADMIN = Actor(code="admin1", role="admin", branch="B01")
PINS = {"admin1": "123409"}
# role → (code, name); names in Chinese so cell-width alignment is exercised.
STAFF = {
    "organizer": ("org1", "李四"),
    "checkin": ("ck1", "王小明"),
    "marketer": ("mk1", "张三丰"),
    "branch_head": ("bh1", "赵行长"),
    "admin": ("admin1", "管理员"),
}
STAFF_PIN = "234509"


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "t.db")


def add_staff(services: Services) -> None:
    """Initialise, then one staff member of every role at B02 (PIN STAFF_PIN)."""
    initialise(services, admin_code="admin1", admin_name="管理员", admin_pin="123409")
    for role, (code, name) in STAFF.items():
        if role != "admin":
            services.execute(
                AddStaff(code=code, name=name, role=role, branch="B02", pin=STAFF_PIN), ADMIN
            )


@pytest.fixture
def services(db_path: str, db_templates: DatabaseTemplates) -> Services:
    """On the wall clock: built once per session, copied here."""

    def build(path: str) -> None:
        svc = bootstrap(path, terminal="test-terminal-1")
        add_staff(svc)
        svc.engine.dispose()

    db_templates.copy("tui-staff-wall-clock", db_path, build)
    return bootstrap(db_path, terminal="test-terminal-1")


__all__ = ["screen_text", "widget_text", "settle", "sign_in", "choose", "enter_pin", "tail"]


def pin_of(code: str) -> str:
    return PINS.get(code, STAFF_PIN)


def tail(services: Services, n: int = 5) -> list[StoredEvent]:
    with read_transaction(services.engine) as conn:
        return services.log.tail(conn, n)


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and their messages be handled, and the tables lay out what they got
    (fails naming any worker still busy or table behind)."""
    await wait_for_workers(pilot)
    await wait_for_tables(pilot)


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
    """Choose `code`, enter the PIN, and wait until the app has signed them in."""
    await choose(pilot, code)
    await enter_pin(pilot, pin or pin_of(code))
    app = pilot.app
    await wait_for(
        pilot,
        lambda: app.actor is not None,
        what=f"{code} to be signed in",
        seen=lambda: screen_text(pilot),
    )
    await settle(pilot)
