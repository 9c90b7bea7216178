"""The sessions view and the session editor: plan, edit, series, refusals, cancel, live reload.

The services run on a clock fixed at Friday 2026-11-20 10:00 Beijing time, so dates are fixed
and 'today' and 'in the past' mean the same in every run.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable, Input, OptionList, Select

from tests.conftest import FakeClock
from tests.tui.conftest import (
    ADMIN,
    STAFF_PIN,
    add_staff,
    screen_text,
    settle,
    sign_in,
    widget_text,
)
from tests.waiting import wait_for, wait_for_text
from upgradecamp.domain.commands import AddStaff
from upgradecamp.domain.commands.sessions import CancelSession, PlanSessions
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap
from upgradecamp.store.db import read_transaction
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens import sessions as sessions_module
from upgradecamp.tui.screens.session_editor import SessionEditorScreen
from upgradecamp.tui.screens.sessions import CancelReasonScreen, ConfirmScreen, SessionsScreen

ORG = Actor(code="org1", role="organizer", branch="B02", name="李四")
KEY_NAMES = {" ": "space", "-": "minus", ":": "colon", ",": "comma", ".": "full_stop"}
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Beijing


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def services(db_path, clock, db_templates):
    """Staff of every role at B02 (so a host and a presenter are found there), a fixed clock."""
    return db_templates.services(
        "tui-staff", db_path, add_staff, clock=clock, terminal="test-terminal-1"
    )


def events_of(services, kind: str) -> list:
    with read_transaction(services.engine) as conn:
        return [ev for ev in services.log.tail(conn, 500) if ev.type == kind]


async def type_text(pilot, text: str) -> None:
    await pilot.press(*(KEY_NAMES.get(ch, ch) for ch in text))


async def replace_text(pilot, field: str, text: str) -> None:
    """Focus a field of the editor, clear it and type `text` key by key."""
    widget = pilot.app.screen.query_one(f"#field-{field}", Input)
    widget.focus()
    widget.value = ""
    await pilot.pause()
    await type_text(pilot, text)
    await pilot.pause()


async def open_planning(pilot) -> SessionsScreen:
    await sign_in(pilot, "org1")
    await pilot.press("1")
    await settle(pilot)
    assert isinstance(pilot.app.screen, SessionsScreen)
    return pilot.app.screen


def problem(app, field: str) -> str:
    return widget_text(app.screen.query_one(f"#problem-{field}"))


def table_text(app) -> str:
    return widget_text(app.screen.query_one("#sessions-table"))


async def table_shows(pilot, *wanted: str) -> str:
    """The sessions table's text once it shows every `wanted` piece (columns widen a refresh
    after the rows arrive)."""
    return await wait_for_text(
        pilot,
        lambda: table_text(pilot.app),
        *wanted,
        what="the sessions table to show " + ", ".join(wanted),
    )


def select_choices(select: Select) -> list[str]:
    """The staff codes a Select offers, read from its option list (no blank entry)."""
    prompts = [str(option.prompt) for option in select.query_one(OptionList).options]
    return [prompt.split(" ", 1)[0] for prompt in prompts if " · " in prompt]


def plan(services, start: str, **kwargs) -> dict:
    return services.execute(PlanSessions(branch="B02", start=start, **kwargs), ORG)


async def test_organizer_plans_a_session_by_keys_and_sees_it(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_planning(pilot)
        assert "No sessions from this week on" in screen_text(pilot)
        await pilot.press("n")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, SessionEditorScreen)
        assert editor.query_one("#field-branch", Select).value == "B02"
        assert editor.query_one("#field-theme", Input).value == "小小银行家"
        assert editor.query_one("#field-date", Input).has_focus
        await type_text(pilot, "2027-01-05")
        await pilot.press("enter")
        await replace_text(pilot, "time", "14:30")
        await replace_text(pilot, "capacity", "12")
        await pilot.pause()
        assert "Tue 2027-01-05, 14:30–15:10" in widget_text(editor.query_one("#editor-preview"))
        assert events_of(services, "SessionPlanned") == []  # nothing before Save
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SessionsScreen)
        [planned] = events_of(services, "SessionPlanned")
        p = planned.payload
        assert (p["branch"], p["capacity"], p["duration_minutes"], p["venue"], p["theme"]) == (
            "B02",
            12,
            40,
            "贵宾室",
            "小小银行家",
        )
        assert datetime.fromisoformat(p["starts_at"]) == datetime(2027, 1, 5, 6, 30, tzinfo=UTC)
        assert (p["host"], p["presenter"]) == ("org1", "mk1")  # chosen by role
        assert planned.meta["actor"] == "org1"
        await table_shows(pilot, "01-05 Tue", "14:30", "Little bankers")
        message = widget_text(app.screen.query_one("#sessions-message"))
        assert "1 session(s) planned, the first is B02-20270105-1430" in message
        assert "less than" not in message  # 46 days ahead: no short-notice warning


async def test_a_weekly_series_is_previewed_then_planned_all_at_once(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_planning(pilot)
        await pilot.press("s")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, SessionEditorScreen) and editor.mode == "series"
        await type_text(pilot, "2027-01-04")  # a Monday
        await replace_text(pilot, "weekdays", "tue,thu")
        await replace_text(pilot, "weeks", "2")
        preview = widget_text(editor.query_one("#editor-preview"))
        assert "Save plans 4 session(s): 01-05 Tue, 01-07 Thu, 01-12 Tue, 01-14 Thu" in preview
        await replace_text(pilot, "weekdays", "周二 四,六")  # Chinese weekday names work too
        assert "6 session(s)" in widget_text(editor.query_one("#editor-preview"))
        await replace_text(pilot, "weekdays", "tue,thu")
        assert events_of(services, "SessionPlanned") == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SessionsScreen)
        planned = events_of(services, "SessionPlanned")
        assert [ev.payload["session_id"] for ev in planned] == [
            "B02-20270105-1500",
            "B02-20270107-1500",
            "B02-20270112-1500",
            "B02-20270114-1500",
        ]
        assert len({ev.payload["series_id"] for ev in planned}) == 1
        assert planned[0].payload["series_id"]
        assert app.screen.query_one("#sessions-table", DataTable).row_count == 4
        assert "4 session(s) planned" in widget_text(app.screen.query_one("#sessions-message"))


async def test_bad_input_is_answered_beside_the_field_and_nothing_is_written(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_planning(pilot)
        await pilot.press("n")
        await settle(pilot)
        editor = app.screen
        await type_text(pilot, "2027-02-30")
        assert "There is no such day" in problem(app, "date")
        await replace_text(pilot, "date", "2026-11-19")
        assert "in the past" in problem(app, "date")
        await replace_text(pilot, "date", "2026-11-20")
        await replace_text(pilot, "time", "09:00")  # today, but an hour ago
        assert "in the past" in problem(app, "time")
        await replace_text(pilot, "time", "25:00")
        assert "HH:MM" in problem(app, "time")
        await replace_text(pilot, "duration", "90")
        assert "10 to 60 minutes" in problem(app, "duration")
        await replace_text(pilot, "capacity", "0")
        assert "1 to 20 clients" in problem(app, "capacity")
        editor.query_one("#field-host", Select).value = "mk1"
        editor.query_one("#field-presenter", Select).value = "mk1"
        await settle(pilot)
        assert "two different people" in problem(app, "presenter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is editor
        message = widget_text(editor.query_one("#editor-message"))
        assert "Nothing was saved: 4 field(s) need correcting" in message
        assert events_of(services, "SessionPlanned") == []
        assert editor.query_one("#field-duration", Input).value == "90"


async def test_a_short_notice_is_hinted_while_typing_and_warned_after_saving(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_planning(pilot)
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "2026-12-01")
        assert "Only 11 days ahead" in problem(app, "date")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SessionsScreen)
        message = widget_text(app.screen.query_one("#sessions-message"))
        assert "1 session(s) start in less than 30 days (the first in 11 days)" in message


async def test_an_overlap_refusal_keeps_the_form_open_with_what_was_typed(services):
    plan(services, "2027-01-05 15:00")
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_planning(pilot)
        await pilot.press("n")
        await settle(pilot)
        editor = app.screen
        await type_text(pilot, "2027-01-05")
        await replace_text(pilot, "time", "15:20")
        await replace_text(pilot, "theme", "年末理财沙龙")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is editor
        message = widget_text(editor.query_one("#editor-message"))
        assert "贵宾室 在 2027-01-05 15:20 已被占用" in message
        assert [
            editor.query_one(f"#field-{f}", Input).value for f in ("date", "time", "theme")
        ] == ["2027-01-05", "15:20", "年末理财沙龙"]
        assert len(events_of(services, "SessionPlanned")) == 1
        await replace_text(pilot, "venue", "会议室")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SessionsScreen)
        second = events_of(services, "SessionPlanned")[-1].payload
        assert (second["venue"], second["theme"]) == ("会议室", "年末理财沙龙")
        await table_shows(pilot, "年末理财沙龙")


async def test_edit_changes_only_what_was_changed(services):
    plan(services, "2027-01-05 15:00")
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_planning(pilot)
        await pilot.press("e")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, SessionEditorScreen) and editor.mode == "edit"
        assert editor.query_one("#field-branch", Select).disabled
        assert editor.query_one("#field-date", Input).value == "2027-01-05"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Nothing changed" in widget_text(editor.query_one("#editor-message"))
        await replace_text(pilot, "capacity", "15")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SessionsScreen)
        [changed] = events_of(services, "SessionChanged")
        assert {k: v for k, v in changed.payload.items() if v is not None} == {
            "session_id": "B02-20270105-1500",
            "capacity": 15,
        }
        assert "session B02-20270105-1500 changed" in widget_text(
            app.screen.query_one("#sessions-message")
        )


async def test_cancel_asks_for_a_reason_and_open_and_close_ask_first(services):
    plan(services, "2026-11-20 15:00")  # today, this afternoon
    plan(services, "2027-01-05 15:00")
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_planning(pilot)
        table = app.screen.query_one("#sessions-table", DataTable)
        assert table.row_count == 2
        await pilot.press("down")  # the January session
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, CancelReasonScreen)
        await pilot.press("enter")
        assert "A reason is required" in widget_text(app.screen.query_one("#cancel-problem"))
        await type_text(pilot, "branch closed for works")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionsScreen)
        [cancelled] = events_of(services, "SessionCancelled")
        assert cancelled.payload["reason"] == "branch closed for works"
        assert "01-05 15:00 B02 贵宾室 is cancelled" in widget_text(
            app.screen.query_one("#sessions-message")
        )
        assert table.row_count == 1
        await pilot.press("v")  # show the cancelled ones too
        await settle(pilot)
        assert table.row_count == 2
        await table_shows(pilot, "cancelled")

        await pilot.press("up", "o")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no: nothing happens
        await settle(pilot)
        assert events_of(services, "SessionOpened") == []
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert [e.payload["session_id"] for e in events_of(services, "SessionOpened")] == [
            "B02-20261120-1500"
        ]
        await table_shows(pilot, "open")
        await pilot.press("e")  # an open session is no longer edited
        assert "Only a planned session can be edited" in widget_text(
            app.screen.query_one("#sessions-message")
        )
        await pilot.press("x", "y")
        await settle(pilot)
        assert len(events_of(services, "SessionClosed")) == 1
        await pilot.press("x", "y")  # closing twice: the handler's refusal, on screen
        await settle(pilot)
        assert "is closed" in widget_text(app.screen.query_one("#sessions-message"))


async def test_the_branch_filter_cycles_through_branches(services):
    plan(services, "2027-01-05 15:00")
    services.execute(
        AddStaff(code="org3", name="周八", role="organizer", branch="B03", pin=STAFF_PIN), ADMIN
    )
    services.execute(
        AddStaff(code="mk3", name="吴九", role="marketer", branch="B03", pin=STAFF_PIN), ADMIN
    )
    services.execute(PlanSessions(branch="B03", start="2027-01-06 15:00"), ORG)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_planning(pilot)
        table = screen.query_one("#sessions-table", DataTable)
        assert table.row_count == 2
        assert "all branches" in widget_text(screen.query_one("#sessions-filter"))
        await pilot.press("b")
        await settle(pilot)
        assert "Branch: B01" in widget_text(screen.query_one("#sessions-filter"))
        assert table.row_count == 0
        await pilot.press("b")
        await settle(pilot)
        assert table.row_count == 1
        await table_shows(pilot, "B02")
        await pilot.press("b")
        await settle(pilot)
        assert table.row_count == 1
        await table_shows(pilot, "Film nights")
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one("#field-branch", Select).value == "B03"
        assert app.screen.query_one("#field-theme", Input).value == "观影活动"
        host = app.screen.query_one("#field-host", Select)
        assert select_choices(host) == ["mk3", "org3"]


async def test_a_change_from_another_terminal_shows_and_the_cursor_stays(services, db_path, clock):
    plan(services, "2027-01-05 15:00")
    plan(services, "2027-01-07 15:00")
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_planning(pilot)
        table = screen.query_one("#sessions-table", DataTable)
        await pilot.press("down")
        assert screen.current_id == "B02-20270107-1500"
        other = bootstrap(db_path, terminal="test-terminal-2", clock=clock)
        other.execute(PlanSessions(branch="B02", start="2026-12-29 15:00"), ORG)
        # The log is polled every second.
        await wait_for(
            pilot,
            lambda: table.row_count == 3,
            what="the session planned at another terminal in the table",
            seen=lambda: table_text(app),
        )
        await table_shows(pilot, "12-29 Tue")
        assert screen.current_id == "B02-20270107-1500"
        assert table.cursor_row == 2
        other.execute(CancelSession(session_id="B02-20270107-1500", reason="改期"), ORG)
        await wait_for(
            pilot,
            lambda: table.row_count == 2,
            what="the session cancelled at another terminal to leave the table",
            seen=lambda: table_text(app),
        )


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_views_fit_the_terminal_in_chinese(services, size):
    width, height = size
    plan(services, "2027-01-05 15:00", theme="金融教育基地之小小银行家亲子活动")
    plan(services, "2027-01-07 15:00", venue="会议室")
    app = create_app(services, "zh_CN")
    async with app.run_test(size=size) as pilot:
        await open_planning(pilot)
        # The columns widen a refresh after the rows arrive: wait for the screen to show them.
        text = await wait_for_text(
            pilot,
            lambda: screen_text(pilot),
            "01-05 周二",
            "计划中",
            what="the planning table laid out in Chinese",
        )
        lines = text.splitlines()
        assert len(lines) == height
        assert max(cell_len(line) for line in lines) <= width
        for shown in ("日期", "已邀约", "已确认", "状态", "01-05 周二", "计划中"):
            assert shown in text
        assert "n 新建场次" in text and "Esc 返回" in text
        assert "主持人 org1 李四" in text
        await pilot.press("s")
        await settle(pilot)
        text = screen_text(pilot)
        for label in (
            "网点",
            "日期",
            "时间",
            "容量",
            "场地",
            "主题",
            "主持人",
            "主讲人",
            "每周星期",
            "周数",
            "Ctrl+S",
        ):
            assert label in text
        assert max(cell_len(line) for line in text.splitlines()) <= width
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SessionsScreen)


async def test_invite_and_call_keys_open_their_screens_or_say_why_not(services, monkeypatch):
    plan(services, "2027-01-05 15:00")
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_planning(pilot)
        monkeypatch.setitem(
            sessions_module.FOLLOW_ON_SCREENS,
            "calls",
            ("upgradecamp.tui.screens.no_such_module", "NoScreen"),
        )
        await pilot.press("c")
        await settle(pilot)
        assert app.screen is screen
        assert "The call list cannot be opened in this version" in widget_text(
            screen.query_one("#sessions-message")
        )
        monkeypatch.undo()
        await pilot.press("i")
        await settle(pilot)
        assert type(app.screen).__name__ == "InviteBuilderScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_a_failed_load_is_said_on_screen_and_retried(services, monkeypatch):
    from sqlalchemy.exc import OperationalError

    import upgradecamp.queries.sessions

    plan(services, "2027-01-05 15:00")

    def locked(*_args, **_kwargs):
        raise OperationalError("SELECT …", {}, Exception("database is locked"))

    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "org1")
        monkeypatch.setattr(upgradecamp.queries.sessions, "list_sessions", locked)
        await pilot.press("1")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SessionsScreen)
        assert "The database is busy" in widget_text(screen.query_one("#sessions-message"))
        monkeypatch.undo()
        table = screen.query_one("#sessions-table", DataTable)
        await wait_for(
            pilot,
            lambda: table.row_count == 1,  # retried every two seconds
            what="the retried load of the sessions",
        )
        assert "busy" not in widget_text(screen.query_one("#sessions-message"))
