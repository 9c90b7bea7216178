"""The home screen per role, the status bar, and every terminal following the shared log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.cells import cell_len
from sqlalchemy.exc import OperationalError
from textual.screen import Screen
from textual.widgets import OptionList

from tests.tui.conftest import STAFF, screen_text, settle, sign_in, tail, widget_text
from tests.waiting import wait_for, wait_for_screen_text, wait_for_text
from upgradecamp.domain.commands import AddStaff
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.home import (
    PLACE_SCREENS,
    PLACES,
    HomeScreen,
    PlaceLaterScreen,
    activity_lines,
    lazy_screen,
)
from upgradecamp.tui.screens.login import LoginScreen
from upgradecamp.tui.widgets.status_bar import StatusBar

EXPECTED_PLACES = {
    "organizer": ["Planning", "Clients", "Reports", "Follow-ups", "Rules", "Wall", "Client books"],
    "checkin": ["Check-in desk"],
    "marketer": [
        "Registration",
        "Points calculator",
        "Follow-ups",
        "Rules",
        "Rewards",
        "My clients",
    ],
    "branch_head": [
        "Approval desk",
        "Reports",
        "Follow-ups",
        "Points calculator",
        "Rules",
        "Wall",
        "Marketers' review",
    ],
    "admin": [
        "Planning",
        "Clients",
        "Check-in desk",
        "Registration",
        "Approval desk",
        "Follow-ups",
        "Reports",
        "Points calculator",
        "Rules",
        "Staff",
    ],
}
ROLE_NAMES = {
    "organizer": "Organizer",
    "checkin": "Check-in",
    "marketer": "Marketer",
    "branch_head": "Branch head",
    "admin": "Admin",
}


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def place_labels(app) -> list[str]:
    places = app.screen.query_one("#places", OptionList)
    return [str(option.prompt).split(maxsplit=1)[1] for option in places.options]


@pytest.mark.parametrize("role", list(STAFF))
async def test_each_role_signs_in_to_its_own_places(services, role):
    code, name = STAFF[role]
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, code)
        assert isinstance(app.screen, HomeScreen)
        assert place_labels(app) == EXPECTED_PLACES[role]
        places_text = widget_text(app.screen.query_one("#places"))
        for n, label in enumerate(EXPECTED_PLACES[role], 1):
            assert f"{n % 10}  {label}" in places_text  # the tenth place opens with 0
        for other in set(EXPECTED_PLACES["admin"]) - set(EXPECTED_PLACES[role]):
            assert other not in places_text
        assert f"{name} ({code}) · {ROLE_NAMES[role]}" in screen_text(pilot)
        status = widget_text(app.screen.query_one(StatusBar))
        assert f"Staff {code} {name}" in status and f"Role {ROLE_NAMES[role]}" in status
        signed_in = tail(services, 1)[-1]
        assert (signed_in.type, signed_in.payload["code"], signed_in.meta["actor"]) == (
            "StaffSignedIn",
            code,
            code,
        )
        assert signed_in.payload["terminal"] == "test-terminal-1"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_login_and_home_fit_both_terminal_sizes(services, size):
    width, height = size
    app = create_app(services, "zh_CN")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for widget_id in ("#staff-filter", "#staff-list", "#pin", "#keys"):
            region = app.screen.query_one(widget_id).region
            assert region.height > 0 and region.bottom <= height and region.right <= width
        assert app.screen.query_one(StatusBar).region.y == height - 1
        await sign_in(pilot, "admin1")
        assert isinstance(app.screen, HomeScreen)
        places = app.screen.query_one("#places")
        assert places.region.bottom <= height and places.region.height >= len(PLACES)
        assert len(place_labels(app)) == len(PLACES)
        assert app.screen.query_one(StatusBar).region.y == height - 1
        lines = screen_text(pilot).splitlines()
        assert len(lines) == height
        assert "日志 #" in lines[-1]


async def test_chinese_labels_in_zh_cn(services):
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert "登录：先选择您本人，再输入 PIN" in text
        assert "工号" in text and "姓名" in text and "客户经理" in text
        assert "数据库 t.db" in text
        await sign_in(pilot, "mk1")
        text = screen_text(pilot)
        assert "张三丰（mk1）· 客户经理 · B02" in text
        assert place_labels(app) == [
            "升级登记",
            "积分计算器",
            "事后跟进",
            "积分规则",
            "积分兑换",
            "我的客户",
        ]
        assert "最近动态" in text and "员工登录" in text
        assert "员工 mk1 张三丰" in text and "角色 客户经理" in text


async def test_cluster_counts_and_recent_activity_are_shown(services):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "org1")
        assert (
            widget_text(app.screen.query_one("#counts")).strip()
            == "Branches 5 · Staff 5 · Clients 0"
        )
        panel = app.screen.query_one("#activity")
        activity = widget_text(panel).splitlines()
        assert "Signed in" in activity[0] and "org1" in activity[0]
        assert any("Staff added" in line and "bh1" in line for line in activity)
        # The last events, newest first: as many as the panel holds, ten at the least.
        events = tail(services, 100)
        shown = [line for line in activity if line.strip()]
        assert len(shown) == min(len(events), max(10, panel.size.height))
        assert "Branch added" in shown[-1]
        assert "(hidden)" not in "\n".join(activity) and "argon2" not in "\n".join(activity)


async def test_activity_from_another_terminal_appears_without_a_key(services, db_path):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "admin1")
        activity = app.screen.query_one("#activity")
        assert "new9" not in widget_text(activity)
        head_before = tail(services, 1)[-1].position

        other_terminal = bootstrap(db_path, terminal="test-terminal-2")
        other_terminal.execute(
            AddStaff(code="new9", name="钱七", role="checkin", branch="B03", pin="234509"),
            Actor(code="admin1", role="admin", branch="B01"),
        )
        # The log is polled every second.
        await wait_for_text(
            pilot,
            lambda: widget_text(activity),
            "new9",
            what="the other terminal's new staff in the activity panel",
        )
        lines = widget_text(activity).splitlines()
        assert "Staff added" in lines[0] and "new9 钱七" in lines[0]
        assert app.head_position == head_before + 1
        assert f"Log #{head_before + 1}" in widget_text(app.screen.query_one(StatusBar))
        assert (
            widget_text(app.screen.query_one("#counts")).strip().startswith("Branches 5 · Staff 6")
        )


async def test_an_unreadable_log_is_shown_and_polling_recovers(services, monkeypatch):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "mk1")
        status = app.screen.query_one(StatusBar)
        assert "not readable" not in widget_text(status)
        import upgradecamp.queries

        def locked(_engine):
            raise OperationalError("SELECT …", {}, Exception("database is locked"))

        monkeypatch.setattr(upgradecamp.queries, "head_position", locked)
        await wait_for(
            pilot, lambda: app.log_unavailable, what="the poll to find the log unreadable"
        )
        assert isinstance(app.screen, HomeScreen)
        await wait_for_text(pilot, lambda: widget_text(status), "log not readable, retrying")
        monkeypatch.undo()
        await wait_for(
            pilot, lambda: not app.log_unavailable, what="the poll to read the log again"
        )
        await wait_for_text(
            pilot,
            lambda: widget_text(status),
            absent=["not readable"],
            what="the status bar to stop saying the log is not readable",
        )


async def test_a_failed_activity_load_is_explained_and_retried(services, monkeypatch):
    import upgradecamp.queries

    real = upgradecamp.queries.recent_events
    database = {"busy": True}

    def maybe_busy(*args, **kwargs):
        if database["busy"]:
            raise OperationalError("SELECT …", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(upgradecamp.queries, "recent_events", maybe_busy)
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "mk1")
        activity = app.screen.query_one("#activity")
        assert "The database is busy" in " ".join(widget_text(activity).split())
        database["busy"] = False  # nothing else changes: no new event moves the log head
        await wait_for_text(
            pilot, lambda: widget_text(activity), "Signed in", what="the retried activity load"
        )
        assert "Signed in" in widget_text(activity).splitlines()[0]


async def test_a_place_not_built_yet_says_it_arrives_later(services, monkeypatch):
    # Every place is built by now: two taken out stand for places a later version adds.
    monkeypatch.delitem(PLACE_SCREENS, "reports", raising=False)
    monkeypatch.delitem(PLACE_SCREENS, "followups", raising=False)
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "bh1")
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, PlaceLaterScreen)
        assert app.screen.place == "reports"
        assert "Reports arrives in a later version" in " ".join(screen_text(pilot).split())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # Arrows and Enter reach the same places; a digit beyond the role's places does nothing.
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.screen.place == "followups"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("8")  # a branch head has seven places
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


class FakeReports(Screen[None]):
    """Stands in for a place a later version builds."""

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor


async def test_a_built_place_opens_its_screen_and_a_broken_one_does_not_crash(
    services, monkeypatch
):
    monkeypatch.setitem(PLACE_SCREENS, "reports", lazy_screen(__name__, "FakeReports"))
    monkeypatch.setitem(PLACE_SCREENS, "followups", lazy_screen(__name__, "NoSuchScreen"))
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await sign_in(pilot, "org1")
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, FakeReports) and app.screen.actor.code == "org1"
        app.pop_screen()
        await pilot.pause()
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await wait_for_screen_text(pilot, "NoSuchScreen")  # in a notification


async def test_signing_out_returns_to_a_clean_login(services):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ck1")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None
        assert app.screen.query_one("#staff-filter").value == ""
        assert app.screen.query_one("#pin").disabled
        assert "Staff — │ Role —" in widget_text(app.screen.query_one(StatusBar))
        await sign_in(pilot, "mk1")
        assert place_labels(app) == EXPECTED_PLACES["marketer"]


async def test_q_quits_from_home(services):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "mk1")
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


def test_activity_lines_are_aligned_by_cell_width_and_older_days_show_their_date():
    i18n.set_language("zh_CN")
    now = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai
    events = [
        {
            "recorded_at": "2026-11-19T01:00:00+00:00",
            "type": "StaffAdded",
            "actor": "admin1",
            "payload": {"code": "mk1", "name": "张三丰", "role": "marketer"},
        },
        {
            "recorded_at": "2026-11-20T09:59:30+00:00",
            "type": "StaffSignedIn",
            "actor": "mk1",
            "payload": {"code": "mk1"},
        },
        {
            "recorded_at": "2026-11-20T09:59:59+00:00",
            "type": "LaterEventType",
            "actor": "x",
            "payload": {"client_id": "C000001", "nested": {"mobile": "138****0001"}},
        },
    ]
    lines = activity_lines(events, now)
    assert lines[0].startswith("17:59:59") and "LaterEventType" in lines[0]
    assert lines[1].startswith("17:59:30") and "员工登录" in lines[1]
    assert lines[2].startswith("11-19 09:00") and "新增员工" in lines[2]
    assert lines[2].endswith("mk1 张三丰 客户经理")
    # Each column starts at the same cell on every line, whatever the characters' widths.
    who_starts = {
        cell_len(line[: line.index(actor)])
        for line, actor in zip(lines, ("x ", "mk1 ", "admin1"), strict=True)
    }
    assert len(who_starts) == 1
    assert "nested" not in lines[0]
