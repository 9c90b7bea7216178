"""`upgradecamp serve` in a real browser (Debian's chromium, headless): three tabs, one database.

Two check-in staff sign in on two tabs; one checks a client in by code and the other's board
shows the arrival within 2 seconds. The branch head's tab shows a form submitted from the CLI
within 2 seconds. Each tab records which device it is (web:<address>) with its events, and an
export made in a tab arrives in that browser as a download.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys

import pytest
from tests.browser.conftest import PIN, Served, processes_in_group, serving
from tests.browser.flows import open_check_in_desk, sign_in
from tests.waiting import wait_until

pytestmark = pytest.mark.browser
LIVE_SECONDS = 2.0  # the issue: another desk sees a change within 2 seconds


def test_a_check_in_in_one_tab_reaches_the_other_tabs_board(browser, served, open_tab):
    door, hall = open_tab("check-in tab ck1"), open_tab("check-in tab ck2")
    sign_in(door, served, "ck1")
    sign_in(hall, served, "ck2")
    assert "Term web:127.0.0.1" in door.text()
    # Nothing is fetched from outside the branch server (a branch network is closed).
    assert [url for url in door.requested if not url.startswith(served.url)] == []
    open_check_in_desk(door, served)
    open_check_in_desk(hall, served)
    hall.wait_for_text("Arrived 1 ")  # the one the fixture checked in

    client_id, code = sorted(served.branch.codes.items())[0]
    name = served.branch.names[client_id]
    door.type(code)
    door.press("Enter")
    door.wait_for_text(f"✓ {name} checked in")
    hall.wait_for_text("Arrived 2 ", name, timeout=LIVE_SECONDS)
    hall.wait_for_text("web:127.0.0.1")
    [event] = [e for e in events(served, "ClientCheckedIn") if e.payload["client_id"] == client_id]
    assert (event.meta["actor"], event.meta["terminal"]) == ("ck1", "web:127.0.0.1")


def events(served: Served, kind: str) -> list:
    from upgradecamp.service.bus import bootstrap
    from upgradecamp.store.db import read_transaction

    services = bootstrap(served.branch.db)
    try:
        with read_transaction(services.engine) as conn:
            return [e for e in services.log.tail(conn, 200) if e.type == kind]
    finally:
        services.engine.dispose()


def submit_form_from_the_cli(served: Served, client_id: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "UPGRADECAMP_PIN": PIN}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "upgradecamp",
            "forms",
            "submit",
            served.branch.session_id,
            "--client",
            client_id,
            "--line",
            "large_cd:100000",
            "--as",
            "mk1",
            "--db",
            served.branch.db,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_the_branch_heads_tab_shows_a_form_submitted_from_the_cli(browser, served, open_tab):
    desk = open_tab("branch-head tab bh1")
    sign_in(desk, served, "bh1")
    desk.press("1")
    desk.wait_for_text("No forms are waiting")
    client_id = served.branch.in_the_room
    name = served.branch.names[client_id]
    assert name not in desk.text()
    submitted = submit_form_from_the_cli(served, client_id)
    assert submitted.returncode == 0, submitted.stderr
    desk.wait_for_text(name, timeout=LIVE_SECONDS)


def test_an_export_in_a_tab_downloads_to_that_browser_and_is_recorded(browser, served, open_tab):
    tab = open_tab("organizer tab org1")
    sign_in(tab, served, "org1")
    session_id = served.branch.session_id
    tab.press("1")  # Planning: today's session is the one highlighted
    tab.wait_for_text(served.branch.starts)
    tab.press("c")
    tab.wait_for_text(session_id)
    tab.press("e")
    name = f"{session_id}-sms.csv"
    tab.wait_for_text("Bulk-SMS file", name)
    with tab.page.expect_download(timeout=10_000) as arriving:
        tab.press("Enter")
    download = arriving.value
    assert download.suggested_filename == name
    with open(download.path(), encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    invited = len(served.branch.codes) + 1
    assert len(rows) == 1 + invited and all(r[1].endswith("拒收请回复R") for r in rows[1:])
    tab.wait_for_text("sent to this browser as a download")
    [event] = events(served, "PersonalDataExported")
    assert (event.payload["rows"], event.meta["actor"], event.meta["terminal"]) == (
        invited,
        "org1",
        "web:127.0.0.1",
    )
    assert list(served.folder.iterdir()) == []


def test_stopping_the_server_ends_every_tabs_process_while_tabs_are_open(
    browser, branch, open_tab, tmp_path
):
    with serving(branch, tmp_path) as served:
        tab = open_tab("tab left open")
        tab.open(served.url)
        tab.wait_for_text("Sign in")
        assert len(processes_in_group(served.pid)) > 1  # the server and this tab's app
        os.kill(served.pid, signal.SIGTERM)  # what Ctrl+C or a service manager sends
        wait_until(
            lambda: not processes_in_group(served.pid),
            what="every process of the server's group to end after SIGTERM",
            seen=lambda: processes_in_group(served.pid),
        )
