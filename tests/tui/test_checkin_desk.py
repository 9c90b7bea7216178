"""The check-in desk driven by keys: pick the session, scan a code, search `zs`, check a family
in one Enter each, refuse a second check-in, add a walk-in, override a full room, record a
referral, annul with a reason, and see another terminal's check-in without a key.

The services run on a clock fixed at Friday 2026-11-20 10:00 Beijing time; the session starts
at 15:00 that day with 2 seats and 3 invitations (张三, 张珊, 王五); 李四, 赵六 and 钱七 are
clients without an invitation (walk-ins).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import DataTable, Input

from tests.conftest import FakeClock
from tests.helpers import client_row
from tests.tui.conftest import ADMIN, STAFF, STAFF_PIN, screen_text, sign_in, widget_text
from tests.tui.conftest import settle as settle_workers
from upgradecamp.domain.commands import AddStaff, RegisterClients
from upgradecamp.domain.commands.checkins import CheckIn
from upgradecamp.domain.commands.invitations import BuildInviteList
from upgradecamp.domain.commands.sessions import OpenSession, PlanSessions
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap
from upgradecamp.service.setup import initialise
from upgradecamp.store.db import read_transaction
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.checkin_desk import CheckInDeskScreen, DeskScreen
from upgradecamp.tui.screens.checkin_dialogs import (
    AnnulScreen,
    ConfirmOpenScreen,
    OverrideScreen,
    ProspectScreen,
    ReferrerScreen,
)

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Beijing
SESSION = "B02-20261120-1500"
ORG = Actor(code="org1", role="organizer", branch="B02", name="李四")
DESK_B = Actor(code="ck9", role="checkin", branch="B02", name="孙九")
CLIENTS = [  # n, name, AUM: the first three are in the invite list's range
    (1, "张三", "120000.00"), (3, "张珊", "80000.00"), (5, "王五", "90000.00"),
    (2, "李四", "10000.00"), (4, "赵六", "10000.00"), (6, "钱七", "10000.00"),
]
KEY_NAMES = {" ": "space", "-": "minus"}


def cid(n: int) -> str:
    return client_row(n)["client_id"]


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def services(db_path, clock):
    """Staff of every role at B02, six clients, a session today (planned, not yet open)."""
    svc = bootstrap(db_path, terminal="desk-A", clock=clock)
    initialise(svc, admin_code="admin1", admin_name="管理员", admin_pin="1234")
    for role, (code, name) in STAFF.items():
        if role != "admin":
            svc.execute(AddStaff(code=code, name=name, role=role, branch="B02",
                                 pin=STAFF_PIN), ADMIN)
    svc.execute(AddStaff(code="ck9", name="孙九", role="checkin", branch="B02", pin=STAFF_PIN),
                ADMIN)
    svc.execute(RegisterClients(clients=[client_row(n, name=name, aum=aum)
                                         for n, name, aum in CLIENTS]), ADMIN)
    svc.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", capacity=2), ORG)
    return svc


@pytest.fixture
def invitations(services, clock) -> dict[str, str]:
    """The invite list went out weeks ahead: client id → check-in code."""
    clock.advance(days=-40)
    built = services.execute(BuildInviteList(session_id=SESSION), ORG)
    clock.advance(days=40)
    return {i["client_id"]: i["code"] for i in built["invitations"]}


@pytest.fixture
def opened(services, invitations) -> dict[str, str]:
    services.execute(OpenSession(session_id=SESSION), DESK_B)
    return invitations


def events_of(services, kind: str) -> list:
    with read_transaction(services.engine) as conn:
        return [ev for ev in services.log.tail(conn, 500) if ev.type == kind]


async def settle(pilot) -> None:
    """Workers done, their messages handled, and tables laid out again (a refresh later)."""
    await settle_workers(pilot)
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    await pilot.press(*(KEY_NAMES.get(ch, ch) for ch in text))


async def open_desk(pilot) -> DeskScreen:
    """Sign in as ck1, open the check-in desk place and take the highlighted session."""
    await sign_in(pilot, "ck1")
    await pilot.press("1")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CheckInDeskScreen)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DeskScreen)
    return pilot.app.screen


async def until(pilot, condition, seconds: float = 5.0) -> None:
    """Let the app run until `condition()` holds (timers included), at most `seconds`."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            break
        await pilot.pause(0.05)
    await settle(pilot)


async def search(pilot, text: str) -> None:
    """Type into the screen's search field and wait for the debounced search's results."""
    await type_text(pilot, text)
    await until(pilot, lambda: pilot.app.screen.results_for == text)


async def shows(pilot, read, *wanted: str) -> str:
    """What `read()` shows once it holds every `wanted` text: a table's columns widen a
    refresh after its rows arrive, so a check waits for it (5 s at most, then fails)."""
    for _ in range(100):
        text = read()
        if all(w in text for w in wanted):
            return text
        await pilot.pause(0.05)
    assert [w for w in wanted if w not in text] == [], text
    return text


def message(screen) -> str:
    return widget_text(screen.query_one("#ck-message"))


def recent(screen) -> str:
    return widget_text(screen.query_one("#ck-recent"))


def board(screen) -> str:
    return widget_text(screen.query_one("#ck-board"))


def results(screen) -> str:
    return widget_text(screen.query_one("#ck-results"))


def highlighted_name(screen) -> str:
    row = screen.highlighted()
    return row["name"] if row else ""


async def test_the_picker_opens_a_planned_session_after_a_yes(services, invitations):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ck1")
        await pilot.press("1")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, CheckInDeskScreen)
        await shows(pilot, lambda: widget_text(picker.query_one("#ckp-table")), "15:00", "贵宾室",
                    "planned")
        await shows(pilot, lambda: screen_text(pilot), "Sessions on 2026-11-20 · B02")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmOpenScreen)
        assert events_of(services, "SessionOpened") == []
        await pilot.press("escape")  # no: nothing happens
        await settle(pilot)
        assert app.screen is picker and events_of(services, "SessionOpened") == []
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        [opened] = events_of(services, "SessionOpened")
        assert opened.payload["session_id"] == SESSION and opened.meta["actor"] == "ck1"
        desk = app.screen
        assert isinstance(desk, DeskScreen) and desk.session_id == SESSION
        assert desk.query_one("#ck-search", Input).has_focus
        await shows(pilot, lambda: board(desk),
                    "Expected 3 · Arrived 0 · Walk-ins 0 · Free seats 2 of 2")
        await pilot.press("escape")  # empty field: back to the picker, which now says open
        await settle(pilot)
        assert app.screen is picker
        await shows(pilot, lambda: widget_text(picker.query_one("#ckp-table")), "open")


async def test_b_shows_the_whole_clusters_sessions(services, invitations):
    for code, name, role in [("org3", "周一", "organizer"), ("mk3", "吴二", "marketer")]:
        services.execute(AddStaff(code=code, name=name, role=role, branch="B03",
                                  pin=STAFF_PIN), ADMIN)
    services.execute(PlanSessions(branch="B03", start="2026-11-20 16:00", theme="理财讲座"),
                     ADMIN)
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ck1")
        await pilot.press("1")
        await settle(pilot)
        table = app.screen.query_one("#ckp-table", DataTable)
        assert table.row_count == 1
        await pilot.press("b")
        await settle(pilot)
        assert table.row_count == 2
        await shows(pilot, lambda: widget_text(table), "理财讲座")
        await shows(pilot, lambda: screen_text(pilot), "whole cluster")


async def test_a_scanned_code_checks_in_at_once_and_the_board_follows(services, opened):
    code = opened[cid(1)]
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await shows(pilot, lambda: board(desk), "Expected 3 · Arrived 0")
        await type_text(pilot, code.lower())  # a scanner's keystrokes, then Enter, no pause
        await pilot.press("enter")
        await settle(pilot)
        [event] = events_of(services, "ClientCheckedIn")
        p = event.payload
        assert (p["client_id"], p["method"], p["walk_in"]) == (cid(1), "code", False)
        assert event.meta["actor"] == "ck1" and event.meta["terminal"] == "desk-A"
        await shows(pilot, lambda: message(desk), "✓ 张三 checked in (seat 1/2)")
        await shows(pilot, lambda: board(desk),
                    "Expected 3 · Arrived 1 · Walk-ins 0 · Free seats 1 of 2")
        assert desk.query_one("#ck-search", Input).value == ""
        assert desk.query_one("#ck-search", Input).has_focus
        await shows(pilot, lambda: recent(desk), "张三", "138****0001", "desk-A")
        # The same code again: refused, naming who, where and when.
        await type_text(pilot, code)
        await pilot.press("enter")
        await settle(pilot)
        assert len(events_of(services, "ClientCheckedIn")) == 1
        assert ("✗ 张三 is already checked in: by ck1 at terminal desk-A, 10:00"
                in message(desk))


async def test_an_unknown_code_is_given_back_to_correct(services, opened):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await type_text(pilot, "ACDEFG")
        await pilot.press("enter")
        await settle(pilot)
        await shows(pilot, lambda: message(desk), "✗ ACDEFG:")
        assert desk.query_one("#ck-search", Input).value == "ACDEFG"
        assert events_of(services, "ClientCheckedIn") == []


async def test_a_code_of_another_sessions_invitation_is_not_taken_here(services, opened):
    services.execute(PlanSessions(branch="B02", start="2026-12-30 15:00", capacity=2), ORG)
    later = services.execute(BuildInviteList(session_id="B02-20261230-1500", aum_min="0",
                                             aum_max="50000"), ORG)
    codes = {i["client_id"]: i["code"] for i in later["invitations"]}
    assert set(codes) == {cid(2), cid(4), cid(6)}
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await type_text(pilot, codes[cid(2)])
        await pilot.press("enter")
        await settle(pilot)
        await until(pilot, lambda: desk.results_for == codes[cid(2)])
        await shows(pilot, lambda: message(desk), "No invitation with the code")
        await shows(pilot, lambda: results(desk), "李四", "not invited")
        assert events_of(services, "ClientCheckedIn") == []
        await pilot.press("enter")  # seen, and let in as a walk-in on purpose
        await settle(pilot)
        [event] = events_of(services, "ClientCheckedIn")
        assert event.payload["client_id"] == cid(2) and event.payload["walk_in"] is True


async def test_zs_finds_both_zhangs_and_a_family_takes_one_enter_each(services, opened):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await search(pilot, "zs")
        shown = await shows(pilot, lambda: results(desk), "张三", "张珊", "138****0001",
                            "Potential", "invited")
        assert "李四" not in shown and "13800000001" not in screen_text(pilot)
        first = highlighted_name(desk)
        await pilot.press("enter")
        await settle(pilot)
        await shows(pilot, lambda: message(desk), f"✓ {first} checked in (seat 1/2)")
        # Next family member: the field is empty and focused; type again, pick the other one.
        assert desk.query_one("#ck-search", Input).value == ""
        await search(pilot, "zs")
        await shows(pilot, lambda: results(desk), "✓")  # the first one is marked as already in
        if highlighted_name(desk) == first:
            await pilot.press("down")
        second = highlighted_name(desk)
        assert {first, second} == {"张三", "张珊"}
        await pilot.press("enter")
        await settle(pilot)
        await shows(pilot, lambda: message(desk), f"✓ {second} checked in (seat 2/2)")
        checked = [ev.payload["client_id"] for ev in events_of(services, "ClientCheckedIn")]
        assert sorted(checked) == [cid(1), cid(3)]
        assert all(ev.payload["method"] == "search"
                   for ev in events_of(services, "ClientCheckedIn"))
        # The pinyin of the full name finds 张三 alone; Enter before the results arrive waits
        # for them and, with one match, checks in: here refused, with who, where and when.
        await type_text(pilot, "zhangsan")
        await pilot.press("enter")
        await settle(pilot)
        await shows(pilot, lambda: message(desk),
                    "✗ 张三 is already checked in: by ck1 at terminal desk-A, 10:00")
        assert len(events_of(services, "ClientCheckedIn")) == 2


async def test_a_mobiles_last_4_digits_and_pinyin_like_codes_find_clients(services, opened):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await search(pilot, "0002")
        assert highlighted_name(desk) == "李四"
        await shows(pilot, lambda: results(desk), "not invited")
        await pilot.press("enter")
        await settle(pilot)
        [event] = events_of(services, "ClientCheckedIn")
        assert event.payload["client_id"] == cid(2) and event.payload["walk_in"] is True
        await shows(pilot, lambda: message(desk), "✓ 李四 checked in (seat 1/2) · walk-in")
        await shows(pilot, lambda: board(desk), "Walk-ins 1")
        # `wangwu` is also a possible check-in code: typed fast with Enter, it is tried as a
        # code first, then as pinyin, and the one match is checked in.
        await type_text(pilot, "wangwu")
        await pilot.press("enter")
        await until(pilot, lambda: "王五" in message(desk))
        await shows(pilot, lambda: message(desk), "✓ 王五 checked in (seat 2/2)")
        assert [ev.payload["client_id"] for ev in events_of(services, "ClientCheckedIn")] == [
            cid(2), cid(5)]


async def test_a_walk_in_prospect_is_added_on_the_spot(services, opened):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await pilot.press("f2")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ProspectScreen)
        await type_text(pilot, "王二")
        await pilot.press("enter")
        await type_text(pilot, "1391234567")  # one digit short: refused in the form
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form
        await shows(pilot, lambda: widget_text(form.query_one("#ck-prospect-problem")), "11 digits")
        await type_text(pilot, "8")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is desk
        [event] = events_of(services, "ClientCheckedIn")
        assert event.payload["walk_in"] is True and event.payload["method"] == "walk_in"
        [prospect] = events_of(services, "ProspectRegistered")
        assert prospect.payload["name"] == "王二"
        assert event.payload["client_id"] == prospect.payload["client_id"]
        await shows(pilot, lambda: message(desk), "✓ 王二 checked in (seat 1/2) · new prospect P")
        assert "13912345678" not in screen_text(pilot)
        await shows(pilot, lambda: recent(desk), "139****5678")
        assert desk.query_one("#ck-search", Input).has_focus


async def test_a_walk_in_with_a_known_mobile_is_found_as_that_client(services, opened):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        desk = await open_desk(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await type_text(pilot, "李小四")
        await pilot.press("enter")
        await type_text(pilot, "13800000002")  # 李四's number
        await pilot.press("enter")
        await settle(pilot)
        assert events_of(services, "ClientCheckedIn") == []
        await shows(pilot, lambda: message(desk), "✗ 李小四:", "138****0002")
        search_field = desk.query_one("#ck-search", Input)
        assert search_field.value == "C000002" and search_field.has_focus
        await until(pilot, lambda: desk.results_for == "C000002")
        assert highlighted_name(desk) == "李四"
        await pilot.press("enter")
        await settle(pilot)
        [event] = events_of(services, "ClientCheckedIn")
        assert event.payload["client_id"] == cid(2)
        assert events_of(services, "ProspectRegistered") == []
        assert "13800000002" not in screen_text(pilot)


async def test_a_full_room_takes_a_walk_in_only_with_an_organizers_override(services, opened,
                                                                            db_path, clock):
    other = bootstrap(db_path, terminal="desk-B", clock=clock)
    for n in (2, 4):  # two walk-ins fill both seats at the other desk
        other.execute(CheckIn(session_id=SESSION, client_id=cid(n)), DESK_B)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await shows(pilot, lambda: board(desk), "Free seats 0 of 2")
        await search(pilot, "钱七")
        await pilot.press("enter")
        await settle(pilot)
        override = app.screen
        assert isinstance(override, OverrideScreen)
        await shows(pilot, lambda: widget_text(override), "The room is full (2 seats): 钱七")
        await type_text(pilot, "org1")
        await pilot.press("enter")
        await type_text(pilot, "9999")  # a wrong PIN: refused, asked again
        assert "9999" not in widget_text(override)  # the PIN is masked
        await pilot.press("enter")
        await settle(pilot)
        assert len(events_of(services, "ClientCheckedIn")) == 2
        again = app.screen
        assert isinstance(again, OverrideScreen)
        await shows(pilot, lambda: widget_text(again), "Wrong PIN")
        await type_text(pilot, "org1")
        await pilot.press("enter")
        await type_text(pilot, STAFF_PIN)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is desk
        checked = events_of(services, "ClientCheckedIn")
        assert len(checked) == 3
        assert checked[-1].payload["client_id"] == cid(6)
        assert checked[-1].payload["override_by"] == "org1"
        await shows(pilot, lambda: message(desk),
                    "✓ 钱七 checked in (seat 3/2) · walk-in · override org1")
        await shows(pilot, lambda: recent(desk), "override org1")
        # An invitee is admitted whatever the head count, without an override.
        await type_text(pilot, opened[cid(5)])
        await pilot.press("enter")
        await settle(pilot)
        await shows(pilot, lambda: message(desk), "✓ 王五 checked in (seat 4/2)")


async def test_escape_on_the_override_leaves_the_walk_in_out(services, opened, db_path, clock):
    other = bootstrap(db_path, terminal="desk-B", clock=clock)
    for n in (2, 4):
        other.execute(CheckIn(session_id=SESSION, client_id=cid(n)), DESK_B)
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        desk = await open_desk(pilot)
        await search(pilot, "qq")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverrideScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is desk
        await shows(pilot, lambda: message(desk), "No override: 钱七 was not checked in.")
        assert len(events_of(services, "ClientCheckedIn")) == 2


async def test_who_brought_the_client_is_recorded_with_the_check_in(services, opened):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await pilot.press("f3")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReferrerScreen)
        await search(pilot, "lisi")
        await shows(pilot, lambda: widget_text(dialog.query_one("#ck-referrer-results")), "李四")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is desk
        await shows(pilot, lambda: widget_text(desk.query_one("#ck-referrer")),
                    "Brought by 李四 (C000002)")
        await type_text(pilot, opened[cid(5)])
        await pilot.press("enter")
        await settle(pilot)
        [event] = events_of(services, "ClientCheckedIn")
        assert event.payload["client_id"] == cid(5) and event.payload["referred_by"] == cid(2)
        await shows(pilot, lambda: message(desk), "brought by C000002")
        assert not desk.query_one("#ck-referrer").display  # done: the next client is new
        assert desk.referrer is None


async def test_a_check_in_made_in_error_is_annulled_with_a_reason(services, opened):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await search(pilot, "wangwu")
        await pilot.press("enter")
        await settle(pilot)
        [checked] = events_of(services, "ClientCheckedIn")
        await shows(pilot, lambda: board(desk), "Arrived 1")
        await pilot.press("f8")  # the newest check-in is highlighted in the recent list
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AnnulScreen)
        await shows(pilot, lambda: widget_text(dialog),
                    "王五, checked in at 10:00 by ck1 (terminal desk-A)")
        await pilot.press("enter")  # a reason is required
        await pilot.pause()
        assert app.screen is dialog
        await shows(pilot, lambda: widget_text(dialog.query_one("#ck-annul-problem")),
                    "Give a reason")
        await type_text(pilot, "wrong person")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is desk
        [annulled] = events_of(services, "CheckInAnnulled")
        assert annulled.payload["checkin_id"] == checked.payload["checkin_id"]
        assert annulled.payload["reason"] == "wrong person"
        await shows(pilot, lambda: message(desk), "Check-in of 王五 annulled: wrong person")
        await shows(pilot, lambda: board(desk), "Arrived 0")
        await shows(pilot, lambda: recent(desk), "annulled: wrong person")
        assert desk.query_one("#ck-search", Input).has_focus
        await pilot.press("f8")  # the same one again: said, nothing asked
        await settle(pilot)
        assert app.screen is desk
        await shows(pilot, lambda: message(desk), "already annulled")


async def test_another_desks_check_in_shows_on_the_board_without_a_key(services, opened,
                                                                       db_path, clock):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await search(pilot, "zs")
        assert "✓" not in results(desk)
        other = bootstrap(db_path, terminal="desk-B", clock=clock)
        other.execute(CheckIn(session_id=SESSION, code=opened[cid(1)]), DESK_B)
        # The log is polled every second: 20 pauses of 0.1 s are two poll intervals.
        for _ in range(20):
            await pilot.pause(0.1)
            if "Arrived 1" in board(desk) and "✓" in results(desk):
                break
        assert "Arrived 1" in board(desk) and "✓" in results(desk)  # within two polls
        await shows(pilot, lambda: board(desk), "Expected 3 · Arrived 1")
        await shows(pilot, lambda: recent(desk), "desk-B")
        await shows(pilot, lambda: results(desk), "✓ 10:00 ck9")  # the search results follow too


async def test_the_desk_fits_80_by_24_in_chinese(services, opened):
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        desk = await open_desk(pilot)
        await search(pilot, "zs")
        text = screen_text(pilot)
        assert "签到 · 15:00 贵宾室" in text
        assert "应到 3 · 已到 0 · 现场客户 0 · 空位 2/2" in text
        assert "张三" in text and "张珊" in text and "已邀约" in text
        assert "最近签到" in text and "Enter 签到" in text
        assert "13800000001" not in text
        await pilot.press("enter")
        await settle(pilot)
        await shows(pilot, lambda: message(desk), "已签到（座位 1/2）")
        for widget_id in ("#ck-board", "#ck-search", "#ck-message", "#ck-recent", "#ck-keys"):
            region = desk.query_one(widget_id).region
            assert region.height >= 1 and region.bottom <= 23, widget_id
        assert desk.query_one("#ck-results").region.height >= 4

