"""The reports screen: the hand-built sessions' figures, the funnel drawn in the terminal, the
scope keys, live reload, and both terminal sizes."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import Input, Static

from tests.conftest import FakeClock
from tests.service.test_reports import PIN, S1, S2, hand_built
from tests.tui.conftest import settle, sign_in, widget_text
from tests.waiting import wait_for
from upgradecamp.domain.commands import CheckIn
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap
from upgradecamp.service.setup import initialise
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.reports import (
    DatesScreen,
    ReportsScreen,
    SessionPickScreen,
    funnel_lines,
    weeks_lines,
)
from upgradecamp.tui.widgets.status_bar import StatusBar

BLOCKS = set("█▉▊▋▌▍▎▏")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def services(db_path, clock):
    svc = bootstrap(db_path, clock=clock, terminal="test-terminal-1")
    initialise(svc, admin_code="admin1", admin_name="管理员", admin_pin="123409")
    hand_built(svc, clock)  # the clock now stands on 2026-11-24
    return svc


async def open_reports(pilot, code="org2"):
    await sign_in(pilot, code, PIN)
    await pilot.press("3")  # an organizer's third place
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReportsScreen)


def text_of(app, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id, Static).render())


def bar_cells(line: str) -> int:
    return sum(1 for ch in line if ch in BLOCKS)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_figures_and_funnel_fit_both_sizes_in_chinese(services, size):
    width, height = size
    app = create_app(services, "zh_CN")
    async with app.run_test(size=size) as pilot:
        await open_reports(pilot)
        screen = app.screen
        scope = widget_text(screen.query_one("#reports-scope"))
        assert "活动 2026-10-26 → 2026-11-24 · 全部网点 · 共 2 场" in scope
        figures = widget_text(screen.query_one("#reports-figures")).splitlines()
        assert figures[1].split() == ["邀约", "7"]
        assert figures[3].split() == ["到场", "6"]
        assert "到场率" in figures[6] and figures[6].endswith("57.14%")
        funnel = widget_text(screen.query_one("#reports-funnel")).splitlines()
        assert [line.split()[0] for line in funnel] == ["邀约", "确认", "到场", "登记表", "批准"]
        assert [line.split()[-1] for line in funnel] == ["7", "4", "6", "7", "4"]
        bars = [bar_cells(line) for line in funnel]
        assert bars[0] == bars[3] == max(bars) and bars[1] == bars[4] < bars[2] < bars[0]
        # Each value ends in the same cell: the bars are drawn by cell width.
        assert len({cell_len(line) for line in funnel}) == 1
        for widget_id in ("#reports-figures", "#reports-funnel", "#reports-body"):
            region = screen.query_one(widget_id).region
            assert region.height > 0 and region.right <= width and region.bottom <= height
        assert screen.query_one(StatusBar).region.y == height - 1
        products = text_of(app, "#reports-products").splitlines()
        assert products[0].startswith("定期存款") and products[0].endswith("100,000.00")
        assert products[-1].split() == ["信用卡", "1（数量）"]
        weeks = text_of(app, "#reports-weeks").splitlines()
        assert weeks[-1].split()[-2:] == ["11-16", "11-23"]


async def test_tables_of_branches_marketers_and_sessions(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_reports(pilot)
        branches = text_of(app, "#reports-branches").splitlines()
        assert branches[0].split()[:6] == [
            "Branch",
            "Name",
            "Invited",
            "Attended",
            "Rate",
            "Walk-ins",
        ]
        assert branches[1].split()[:6] == ["B02", "城东支行幸福路网点", "6", "4", "50.00%", "1"]
        assert branches[2].split()[:6] == ["B03", "城东支行文化路网点", "1", "2", "100.00%", "1"]
        marketers = text_of(app, "#reports-marketers").splitlines()
        assert [m.split()[:5] for m in marketers[1:]] == [
            ["mk2", "王五", "3", "2", "66.67%"],
            ["mk3", "孙八", "3", "3", "33.33%"],
            ["mk4", "吴十", "0", "0", "—"],
        ]
        sessions = text_of(app, "#reports-sessions").splitlines()
        assert [s.split()[:3] for s in sessions[1:]] == [
            ["11-20", "15:00", "B02"],
            ["11-24", "15:00", "B03"],
        ]
        assert "Subscribed" in text_of(app, "#reports-figures")
        assert "188,000.00" in text_of(app, "#reports-figures")


async def test_scope_keys_branch_session_period_and_dates(services):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_reports(pilot)
        scope = app.screen.query_one("#reports-scope")
        await pilot.press("b")  # B01: no sessions
        await settle(pilot)
        assert "B01 城东支行营业部" in widget_text(scope)
        assert "No sessions in this scope" in text_of(app, "#reports-funnel")
        await pilot.press("b")
        await settle(pilot)
        assert "B02 城东支行幸福路网点 · 1 sessions" in widget_text(scope)
        assert text_of(app, "#reports-funnel").splitlines()[0].split()[-1] == "6"

        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SessionPickScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert f"Session {S1} · 2026-11-20 15:00 · B02" in widget_text(scope)
        await pilot.press("c")
        await settle(pilot)
        assert "Campaign 2026-10-26 → 2026-11-24" in widget_text(scope)

        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "Campaign 2026-09-26 → 2026-10-25" in widget_text(scope)
        await pilot.press("right_square_bracket")
        await settle(pilot)

        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DatesScreen)
        app.screen.query_one("#dates-from", Input).value = "2026-11-30"
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert "YYYY-MM-DD" in widget_text(app.screen.query_one("#dates-problem"))
        app.screen.query_one("#dates-from", Input).value = "2026-11-21"
        app.screen.query_one("#dates-to", Input).value = "2026-11-30"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        assert "Campaign 2026-11-21 → 2026-11-30 · B02" in widget_text(scope)
        await pilot.press("b")  # B03
        await settle(pilot)
        assert "· 1 sessions" in widget_text(scope)
        assert app.screen.doc["sessions"][0]["session_id"] == S2
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReportsScreen)


async def test_a_check_in_at_another_terminal_shows_without_a_key(services, db_path, clock):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_reports(pilot)
        assert text_of(app, "#reports-funnel").splitlines()[2].split()[-1] == "6"
        other = bootstrap(db_path, clock=clock, terminal="test-terminal-2")
        other.execute(
            CheckIn(session_id=S2, client_id="C000001"),
            Actor(code="ck3", role="checkin", branch="B03"),
        )
        await wait_for(
            pilot,
            lambda: text_of(app, "#reports-funnel").splitlines()[2].split()[-1] == "7",
            what="the funnel to count the check-in made at another terminal",
            seen=lambda: text_of(app, "#reports-funnel"),
        )
        await settle(pilot)
        assert "walk-ins" in text_of(app, "#reports-figures")


async def test_a_role_without_reports_sees_why(services):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        actor = Actor(code="mk2", role="marketer", branch="B02", name="王五")
        app.push_screen(ReportsScreen(actor))
        await settle(pilot)
        assert "may not read reports" in widget_text(app.screen.query_one("#reports-message"))
        app.screen.query_one("#reports-body").focus()
        await pilot.press("escape")


def test_the_funnel_and_weeks_are_drawn_with_blocks():
    i18n.set_language("en")
    lines = funnel_lines(
        {"invited": 8, "confirmed": 4, "attended": 6, "forms": 2, "approved": 1}, 30
    )
    # 30 cells: the widest label (9), a space, 18 cells of bar, a space, the value.
    assert lines[0] == "Invited   " + "█" * 18 + " 8"
    assert lines[1] == "Confirmed " + "█" * 9 + " " * 9 + " 4"
    assert lines[2] == "Attended  " + "█" * 13 + "▌" + " " * 4 + " 6"
    assert lines[4] == "Approved  " + "██▎" + " " * 15 + " 1"
    assert {cell_len(line) for line in lines} == {30}
    weeks = weeks_lines(
        [
            {"week_of": "2026-11-16", "sessions": 2, "attended": 9},
            {"week_of": "2026-11-23", "sessions": 1, "attended": 4},
        ],
        40,
        2,
    )
    assert weeks == ["  2     1", " ███", " ███   ███", "11-16 11-23"]
