"""A branch served by `upgradecamp serve`, and Debian's chromium driven headless by Playwright.

The database holds one session at B01 today (open), four invitees with their check-in codes,
two check-in staff, a marketer and the branch head. The server runs as a subprocess in its own
process group, so stopping it stops every tab's app process too.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.browser.terminal_page import CHROMIUM_ARGS, TerminalPage
from tests.conftest import FakeClock
from tests.helpers import client_row

CHROMIUM = os.environ.get("UPGRADECAMP_CHROMIUM") or shutil.which("chromium") or ""
PIN = "246810"
STAFF = {
    "ck1": ("王小明", "checkin"),
    "ck2": ("孙九", "checkin"),
    "mk1": ("张三丰", "marketer"),
    "bh1": ("赵行长", "branch_head"),
    "org1": ("李四", "organizer"),
}
CLIENTS = [(1, "陈一"), (3, "林三"), (5, "周五"), (7, "吴七")]
SERVER_START_SECONDS = 30


@dataclass(frozen=True)
class Branch:
    db: str
    session_id: str
    starts: str  # HH:MM, Beijing time, today
    codes: dict[str, str]  # client id → check-in code, of invitees not yet in the room
    names: dict[str, str]  # client id → name
    in_the_room: str  # a client checked in when the test starts (forms are for attendees)


@dataclass(frozen=True)
class Served:
    url: str
    branch: Branch
    output: list[str]
    folder: Path  # the server's working folder: a browser tab's export must not stay here
    pid: int  # the server's, and its process group's: every tab's app process is in it


def _shanghai_now() -> datetime:
    return datetime.now(UTC) + timedelta(hours=8)


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory) -> Branch:
    return build_branch(tmp_path_factory.mktemp("branch"))


def build_branch(
    folder: Path, clients: list[tuple[int, str]] = CLIENTS, arrived: int = 1
) -> Branch:
    """Planned and invited weeks ago (on a clock set back), opened today on the real clock,
    with `arrived` invitees already in the room (the last ones by client id)."""
    from upgradecamp.domain.commands import AddStaff, RegisterClients
    from upgradecamp.domain.commands.checkins import CheckIn
    from upgradecamp.domain.commands.invitations import BuildInviteList
    from upgradecamp.domain.commands.sessions import OpenSession, PlanSessions
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import bootstrap
    from upgradecamp.service.setup import initialise

    db = str(folder / "branch.db")
    clock = FakeClock(datetime.now(UTC) - timedelta(days=40))
    # The fixture's check-ins were made at another tablet at the door.
    services = bootstrap(db, terminal="web:192.168.1.31", clock=clock)
    initialise(services, admin_code="admin1", admin_name="管理员", admin_pin="123409")
    admin = Actor(code="admin1", role="admin", branch="B01")
    for code, (name, role) in STAFF.items():
        services.execute(AddStaff(code=code, name=name, role=role, branch="B01", pin=PIN), admin)
    services.execute(
        RegisterClients(clients=[client_row(n, name=name, branch="B01") for n, name in clients]),
        admin,
    )
    organizer = Actor(code="org1", role="organizer", branch="B01")
    # Past the home screens' warning window too: what the tabs show is the same all year.
    publish_rules_through(services, organizer, _shanghai_now().date() + timedelta(days=15))
    starts = f"{_shanghai_now():%H}:00"  # this hour: a session running now
    [planned] = services.execute(
        PlanSessions(branch="B01", start=f"{_shanghai_now():%Y-%m-%d} {starts}", capacity=10),
        organizer,
    )["sessions"]
    session_id = planned["session_id"]
    built = services.execute(BuildInviteList(session_id=session_id), organizer)
    clock.now = datetime.now(UTC)
    door = Actor(code="ck1", role="checkin", branch="B01")
    services.execute(OpenSession(session_id=session_id), door)
    codes = {i["client_id"]: i["code"] for i in built["invitations"]}
    for client_id in sorted(codes, reverse=True)[:arrived]:
        services.execute(CheckIn(session_id=session_id, code=codes.pop(client_id)), door)
    services.engine.dispose()
    return Branch(
        db=db,
        session_id=session_id,
        starts=starts,
        codes=codes,
        in_the_room=client_id,
        names={client_row(n)["client_id"]: name for n, name in clients},
    )


def publish_rules_through(services: Any, organizer: Any, day: date) -> None:
    """The served tabs run on the real clock: forms need a rule set in force today, so the
    shipped set is carried on, quarter by quarter, until one covers `day`."""
    from upgradecamp.domain.commands import PublishRuleSet
    from upgradecamp.domain.rule_quarters import draft_next, next_version
    from upgradecamp.service.points import published_rule_sets
    from upgradecamp.store.db import read_transaction

    with read_transaction(services.engine) as conn:
        published = published_rule_sets(conn)
    latest = max(published, key=lambda rs: rs.effective_to)
    names = [rs.version for rs in published]
    while latest.effective_to < day:
        latest = draft_next(latest, next_version(latest.version) or "", names)
        names.append(latest.version)
        services.execute(
            PublishRuleSet(
                version=latest.version,
                effective_from=latest.effective_from.isoformat(),
                effective_to=latest.effective_to.isoformat(),
                rules=latest.to_payload(),
            ),
            organizer,
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _read_lines(stream: Any, into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


@pytest.fixture(scope="module")
def served(branch: Branch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(branch, tmp_path_factory.mktemp("server")) as server:
        yield server


@contextlib.contextmanager
def serving(branch: Branch, folder: Path, lang: str = "en") -> Iterator[Served]:
    """`upgradecamp serve` on a free port; its output is kept for the failure message."""
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("UPGRADECAMP_TERMINAL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "upgradecamp",
            "serve",
            "--db",
            branch.db,
            "--port",
            str(port),
            "--lang",
            lang,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=folder,
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    output: list[str] = []
    try:
        while not any("open http" in line for line in output):
            try:
                output.append(lines.get(timeout=SERVER_START_SECONDS))
            except queue.Empty:
                pytest.fail(
                    f"`upgradecamp serve` printed no URL within {SERVER_START_SECONDS} s;"
                    f" it printed: {''.join(output)!r}"
                )
            if process.poll() is not None:
                pytest.fail(f"`upgradecamp serve` exited ({process.returncode}): {''.join(output)}")
        yield Served(
            url=f"http://127.0.0.1:{port}/",
            branch=branch,
            output=output,
            folder=folder,
            pid=process.pid,
        )
    finally:
        _stop(process)
        while not lines.empty():
            output.append(lines.get())


def processes_in_group(pgid: int) -> list[str]:
    """Live processes of a process group (zombies, already ended, are not counted)."""
    found = subprocess.run(
        ["ps", "-o", "pid=,stat=,args=", "-g", str(pgid)], capture_output=True, text=True
    ).stdout.splitlines()
    return [line.strip() for line in found if not line.split()[1].startswith("Z")]


def _stop(process: subprocess.Popen[str]) -> None:
    """The server and every tab's process (one process group) end, by signal if need be."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            os.killpg(process.pid, 0)  # raises once every process of the group is gone
        except (subprocess.TimeoutExpired, PermissionError):
            continue
        except ProcessLookupError:
            return


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM or not Path(CHROMIUM).exists():
        pytest.skip(
            "chromium is not installed (apt-get install chromium, or set "
            "UPGRADECAMP_CHROMIUM to its path); browser tests skipped"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright); browser tests skipped")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def open_tab(browser: Any, tmp_path: Path) -> Iterator[Any]:
    """`open_tab(name)`: a new browser (its own context) on a wide page, read as a terminal."""
    contexts: list[Any] = []

    def open_one(name: str) -> TerminalPage:
        context = browser.new_context(
            viewport={"width": 1400, "height": 900}, accept_downloads=True
        )
        contexts.append(context)
        return TerminalPage(context.new_page(), name)

    yield open_one
    for context in contexts:
        context.close()
