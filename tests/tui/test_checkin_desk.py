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
from tests.tui.conftest import ADMIN, STAFF_PIN, add_staff, screen_text, sign_in, widget_text
from tests.tui.conftest import settle as settle_workers
from tests.tui.keys import burst
from tests.waiting import wait_for, wait_for_text
from upgradecamp.domain.commands import AddStaff, RegisterClients
from upgradecamp.domain.commands.checkins import CheckIn
from upgradecamp.domain.commands.invitations import BuildInviteList
from upgradecamp.domain.commands.sessions import OpenSession, PlanSessions
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap
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
    (1, "张三", "120000.00"),
    (3, "张珊", "80000.00"),
    (5, "王五", "90000.00"),
    (2, "李四", "10000.00"),
    (4, "赵六", "10000.00"),
    (6, "钱七", "10000.00"),
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
def services(db_path, clock, db_templates):
    """Staff of every role at B02, six clients, a session today (planned, not yet open)."""
    return db_templates.services(
        "tui-checkin-desk", db_path, build_desk, clock=clock, terminal="desk-A"
    )


def build_desk(svc) -> None:
    add_staff(svc)
    svc.execute(
        AddStaff(code="ck9", name="孙九", role="checkin", branch="B02", pin=STAFF_PIN), ADMIN
    )
    svc.execute(
        RegisterClients(clients=[client_row(n, name=name, aum=aum) for n, name, aum in CLIENTS]),
        ADMIN,
    )
    svc.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", capacity=2), ORG)


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


async def until(pilot, condition, what: str) -> None:
    """Let the app run until `condition()` holds (timers included), then settle."""
    await wait_for(pilot, condition, what=what)
    await settle(pilot)


async def results_for(pilot, text: str) -> None:
    """Until the (debounced) search for `text` has come back."""
    screen = pilot.app.screen
    await until(pilot, lambda: screen.results_for == text, f"the search results for {text!r}")


async def search(pilot, text: str) -> None:
    """Type into the screen's search field and wait for the debounced search's results."""
    await type_text(pilot, text)
    await results_for(pilot, text)


async def shows(pilot, read, *wanted: str) -> str:
    """What `read()` shows once it holds every `wanted` text: a table's columns widen a
    refresh after its rows arrive, so a check waits for it."""
    return await wait_for_text(pilot, read, *wanted)


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
    return row.name if row else ""


async def test_the_picker_opens_a_planned_session_after_a_yes(services, invitations):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ck1")
        await pilot.press("1")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, CheckInDeskScreen)
        await shows(
            pilot, lambda: widget_text(picker.query_one("#ckp-table")), "15:00", "贵宾室", "planned"
        )
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
        await shows(
            pilot, lambda: board(desk), "Expected 3 · Arrived 0 · Walk-ins 0 · Free seats 2 of 2"
        )
        await pilot.press("escape")  # empty field: back to the picker, which now says open
        await settle(pilot)
        assert app.screen is picker
        await shows(pilot, lambda: widget_text(picker.query_one("#ckp-table")), "open")


async def test_b_shows_the_whole_clusters_sessions(services, invitations):
    for code, name, role in [("org3", "周一", "organizer"), ("mk3", "吴二", "marketer")]:
        services.execute(
            AddStaff(code=code, name=name, role=role, branch="B03", pin=STAFF_PIN), ADMIN
        )
    services.execute(PlanSessions(branch="B03", start="2026-11-20 16:00", theme="理财讲座"), ADMIN)
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
        await shows(
            pilot, lambda: board(desk), "Expected 3 · Arrived 1 · Walk-ins 0 · Free seats 1 of 2"
        )
        assert desk.query_one("#ck-search", Input).value == ""
        assert desk.query_one("#ck-search", Input).has_focus
        await shows(pilot, lambda: recent(desk), "张三", "138****0001", "desk-A")
        # The same code again: refused, naming who, where and when.
        await type_text(pilot, code)
        await pilot.press("enter")
        await settle(pilot)
        assert len(events_of(services, "ClientCheckedIn")) == 1
        assert (
            "✗ 张三 (138****0001) is already checked in: by ck1 at terminal desk-A, 10:00"
            in message(desk)
        )


async def test_two_codes_scanned_in_one_burst_are_two_check_ins(services, opened):
    """A scanner sends code, Enter, code, Enter faster than a check-in takes: each is its own."""
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await burst(pilot, *opened[cid(1)], "enter", *opened[cid(3)].lower(), "enter")
        await until(
            pilot,
            lambda: len(events_of(services, "ClientCheckedIn")) == 2,
            "both scanned codes checked in",
        )
        checked = [
            (ev.payload["client_id"], ev.payload["method"])
            for ev in events_of(services, "ClientCheckedIn")
        ]
        assert sorted(checked) == [(cid(1), "code"), (cid(3), "code")]
        await shows(pilot, lambda: board(desk), "Arrived 2")
        assert desk.query_one("#ck-search", Input).value == ""


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
        await pilot.press("backspace")  # correcting the code takes the refusal away
        await until(
            pilot, lambda: message(desk).strip() == "", "the refusal to go once the code changed"
        )
        assert message(desk).strip() == "", message(desk)


async def test_a_code_of_another_sessions_invitation_is_not_taken_here(services, opened):
    services.execute(PlanSessions(branch="B02", start="2026-12-30 15:00", capacity=2), ORG)
    later = services.execute(
        BuildInviteList(session_id="B02-20261230-1500", aum_min="0", aum_max="50000"), ORG
    )
    codes = {i["client_id"]: i["code"] for i in later["invitations"]}
    assert set(codes) == {cid(2), cid(4), cid(6)}
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await type_text(pilot, codes[cid(2)])
        await pilot.press("enter")
        await settle(pilot)
        await results_for(pilot, codes[cid(2)])
        await shows(pilot, lambda: message(desk), "No invitation with the code")
        await shows(pilot, lambda: results(desk), "李四", "not invited")
        assert events_of(services, "ClientCheckedIn") == []
        await pilot.press("enter")  # seen: not invited here, so the desk asks once
        await settle(pilot)
        assert isinstance(app.screen, ConfirmOpenScreen)
        assert events_of(services, "ClientCheckedIn") == []
        await pilot.press("enter")  # and let in as a walk-in on purpose
        await settle(pilot)
        [event] = events_of(services, "ClientCheckedIn")
        assert event.payload["client_id"] == cid(2) and event.payload["walk_in"] is True


async def test_zs_finds_both_zhangs_and_a_family_takes_one_enter_each(services, opened):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await search(pilot, "zs")
        shown = await shows(
            pilot, lambda: results(desk), "张三", "张珊", "138****0001", "Potential", "invited"
        )
        assert "李四" not in shown and "13800000001" not in screen_text(pilot)
        first = highlighted_name(desk)
        await pilot.press("enter")
        await settle(pilot)
        await shows(pilot, lambda: message(desk), f"✓ {first} checked in (seat 1/2)")
        # Next family member: the field is empty and focused; type again: the one still
        # expected ranks first, the one already in (marked ✓) under them.
        assert desk.query_one("#ck-search", Input).value == ""
        await search(pilot, "zs")
        await shows(pilot, lambda: results(desk), "✓")  # the first one is marked as already in
        second = highlighted_name(desk)
        assert {first, second} == {"张三", "张珊"}
        await pilot.press("enter")
        await settle(pilot)
        await shows(pilot, lambda: message(desk), f"✓ {second} checked in (seat 2/2)")
        checked = [ev.payload["client_id"] for ev in events_of(services, "ClientCheckedIn")]
        assert sorted(checked) == [cid(1), cid(3)]
        assert all(
            ev.payload["method"] == "search" for ev in events_of(services, "ClientCheckedIn")
        )
        # The pinyin of the full name finds 张三 alone; Enter before the results arrive waits
        # for them and, with one match, checks in: here refused, with who, where and when.
        await type_text(pilot, "zhangsan")
        await pilot.press("enter")
        await settle(pilot)
        await shows(
            pilot,
            lambda: message(desk),
            "✗ 张三 (138****0001) is already checked in: by ck1 at terminal desk-A, 10:00",
        )
        assert len(events_of(services, "ClientCheckedIn")) == 2


async def test_enter_on_someone_not_invited_asks_once_before_a_walk_in(services, opened):
    """`zl` finds 赵六, not invited here: Enter asks, Esc leaves them out, Enter Enter seats."""
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await search(pilot, "zl")
        await shows(pilot, lambda: results(desk), "赵六", "not invited")
        await pilot.press("enter")
        await settle(pilot)
        question = app.screen
        assert isinstance(question, ConfirmOpenScreen)
        await shows(
            pilot,
            lambda: widget_text(question),
            "赵六 (138****0004) is not invited",
            "check in as a",
            "Enter or y yes · Esc or n no",
        )
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is desk and events_of(services, "ClientCheckedIn") == []
        await shows(pilot, lambda: message(desk), "赵六 (138****0004) was not checked in")
        assert desk.query_one("#ck-search", Input).value == "zl"  # to choose someone else
        await pilot.press("enter", "enter")  # the question and its yes, no pause
        await settle(pilot)
        [event] = events_of(services, "ClientCheckedIn")
        assert (event.payload["client_id"], event.payload["walk_in"]) == (cid(4), True)


async def test_invitees_still_expected_rank_above_those_already_in(
    services, opened, db_path, clock
):
    """张三 came in at another desk: `zs` shows 张珊 (expected) on top, and Enter takes her;
    Enter on 张三 answers who, where and when without a second key."""
    other = bootstrap(db_path, terminal="desk-B", clock=clock)
    other.execute(CheckIn(session_id=SESSION, code=opened[cid(1)]), DESK_B)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await search(pilot, "zs")
        shown = await shows(pilot, lambda: results(desk), "张三", "张珊", "✓")
        assert shown.index("张珊") < shown.index("张三"), shown
        assert highlighted_name(desk) == "张珊"
        await pilot.press("down", "enter")  # 张三, already in: answered at once
        await settle(pilot)
        assert app.screen is desk
        await shows(
            pilot,
            lambda: message(desk),
            "✗ 张三 (138****0001) is already checked in: by ck9 at terminal desk-B, 10:00",
        )
        assert len(events_of(services, "ClientCheckedIn")) == 1
        await search(pilot, "zs")
        await pilot.press("enter")
        await settle(pilot)
        await shows(pilot, lambda: message(desk), "✓ 张珊 checked in")
        assert events_of(services, "ClientCheckedIn")[-1].payload["client_id"] == cid(3)


async def test_a_mobiles_last_4_digits_and_pinyin_like_codes_find_clients(services, opened):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await search(pilot, "0002")
        assert highlighted_name(desk) == "李四"
        await shows(pilot, lambda: results(desk), "not invited")
        await pilot.press("enter", "enter")  # not invited: yes, a walk-in
        await settle(pilot)
        [event] = events_of(services, "ClientCheckedIn")
        assert event.payload["client_id"] == cid(2) and event.payload["walk_in"] is True
        await shows(pilot, lambda: message(desk), "✓ 李四 checked in (seat 1/2) · walk-in")
        await shows(pilot, lambda: board(desk), "Walk-ins 1")
        # `wangwu` is also a possible check-in code: typed fast with Enter, it is tried as a
        # code first, then as pinyin, and the one match is checked in.
        await type_text(pilot, "wangwu")
        await pilot.press("enter")
        await shows(pilot, lambda: message(desk), "✓ 王五 checked in (seat 2/2)")
        await settle(pilot)
        assert [ev.payload["client_id"] for ev in events_of(services, "ClientCheckedIn")] == [
            cid(2),
            cid(5),
        ]


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


async def test_a_burst_in_the_walk_in_dialog_lands_in_the_right_fields(services, opened):
    """`王小明` Enter `13912345678` Enter in one burst, as a fast typist or a paste sends it."""
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, ProspectScreen), "the walk-in dialog")
        await burst(pilot, *"王小明", "enter", *"13912345678", "enter")
        await settle(pilot)
        await until(
            pilot,
            lambda: bool(events_of(services, "ProspectRegistered")),
            "the walk-in to be registered",
        )
        [prospect] = events_of(services, "ProspectRegistered")
        assert (prospect.payload["name"], prospect.payload["mobile"]) == ("王小明", "13912345678")
        assert app.screen is desk


async def test_a_burst_of_code_and_pin_in_the_override_never_shows_the_pin(
    services, opened, db_path, clock
):
    other = bootstrap(db_path, terminal="desk-B", clock=clock)
    for n in (2, 4):
        other.execute(CheckIn(session_id=SESSION, client_id=cid(n)), DESK_B)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_desk(pilot)
        await search(pilot, "qq")
        await pilot.press("enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, OverrideScreen), "the override dialog")
        override = app.screen
        assert isinstance(override, OverrideScreen), "the override dialog did not open"
        await burst(pilot, *"org1", "enter", *STAFF_PIN, "enter")
        await settle(pilot)
        await until(
            pilot,
            lambda: len(events_of(services, "ClientCheckedIn")) == 3,
            "the override's check-in",
        )
        last = events_of(services, "ClientCheckedIn")[-1].payload
        assert (last["client_id"], last["override_by"]) == (cid(6), "org1")
        assert STAFF_PIN not in screen_text(pilot)


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
        await results_for(pilot, "C000002")
        assert highlighted_name(desk) == "李四"
        await pilot.press("enter", "enter")  # not invited: yes, a walk-in
        await settle(pilot)
        [event] = events_of(services, "ClientCheckedIn")
        assert event.payload["client_id"] == cid(2)
        assert events_of(services, "ProspectRegistered") == []
        assert "13800000002" not in screen_text(pilot)


async def test_a_full_room_takes_a_walk_in_only_with_an_organizers_override(
    services, opened, db_path, clock
):
    other = bootstrap(db_path, terminal="desk-B", clock=clock)
    for n in (2, 4):  # two walk-ins fill both seats at the other desk
        other.execute(CheckIn(session_id=SESSION, client_id=cid(n)), DESK_B)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await shows(pilot, lambda: board(desk), "Free seats 0 of 2")
        await search(pilot, "钱七")
        await pilot.press("enter", "enter")  # not invited: yes, a walk-in
        await settle(pilot)
        override = app.screen
        assert isinstance(override, OverrideScreen)
        await shows(
            pilot,
            lambda: widget_text(override),
            "The room is full (2 of 2 seats): 钱七 (138****0006)",
        )
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
        await shows(
            pilot, lambda: message(desk), "✓ 钱七 checked in (seat 3/2) · walk-in · override org1"
        )
        await shows(pilot, lambda: recent(desk), "override org1")
        # The room never overflows: an invitee too comes in only with the override.
        await type_text(pilot, opened[cid(5)])
        await pilot.press("enter")
        await settle(pilot)
        invitee = app.screen
        assert isinstance(invitee, OverrideScreen)
        await shows(
            pilot,
            lambda: widget_text(invitee),
            "The room is full (2 of 2 seats): 王五 (138****0005)",
        )
        assert len(events_of(services, "ClientCheckedIn")) == 3
        await type_text(pilot, "org1")
        await pilot.press("enter")
        await type_text(pilot, STAFF_PIN)
        await pilot.press("enter")
        await settle(pilot)
        await shows(pilot, lambda: message(desk), "✓ 王五 checked in (seat 4/2)")
        last = events_of(services, "ClientCheckedIn")[-1].payload
        assert (last["client_id"], last["walk_in"], last["override_by"]) == (cid(5), False, "org1")


async def test_escape_on_the_override_leaves_the_walk_in_out(services, opened, db_path, clock):
    other = bootstrap(db_path, terminal="desk-B", clock=clock)
    for n in (2, 4):
        other.execute(CheckIn(session_id=SESSION, client_id=cid(n)), DESK_B)
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        desk = await open_desk(pilot)
        await search(pilot, "qq")
        await pilot.press("enter", "enter")  # not invited: yes, a walk-in
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
        await shows(
            pilot, lambda: widget_text(desk.query_one("#ck-referrer")), "Brought by 李四 (C000002)"
        )
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
        await shows(
            pilot, lambda: widget_text(dialog), "王五, checked in at 10:00 by ck1 (terminal desk-A)"
        )
        await pilot.press("enter")  # a reason is required
        await pilot.pause()
        assert app.screen is dialog
        await shows(
            pilot, lambda: widget_text(dialog.query_one("#ck-annul-problem")), "Give a reason"
        )
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


async def test_another_desks_check_in_shows_on_the_board_without_a_key(
    services, opened, db_path, clock
):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot)
        await search(pilot, "zs")
        assert "✓" not in results(desk)
        other = bootstrap(db_path, terminal="desk-B", clock=clock)
        other.execute(CheckIn(session_id=SESSION, code=opened[cid(1)]), DESK_B)
        # The log is polled every second; no key is pressed here.
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


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
async def test_the_desks_footer_is_one_line_at_80_by_24(services, opened, lang):
    app = create_app(services, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = await open_desk(pilot)
        keys = desk.query_one("#ck-keys")
        await wait_for(
            pilot,
            lambda: keys.region.height == 1,
            what=f"the footer on one line: {widget_text(keys)!r}",
        )
        assert "F1" in widget_text(keys)


async def test_f4_shows_everyone_in_the_room_searchable_with_time_desk_and_kind(
    services, opened, db_path, clock
):
    from upgradecamp.tui.screens.checkin_room import RoomScreen

    other = bootstrap(db_path, terminal="desk-B", clock=clock)
    other.execute(CheckIn(session_id=SESSION, code=opened[cid(1)]), DESK_B)
    other.execute(CheckIn(session_id=SESSION, client_id=cid(2)), DESK_B)
    clock.advance(minutes=7)
    other.execute(
        CheckIn(session_id=SESSION, client_id=cid(4), override_code="org1", override_pin=STAFF_PIN),
        DESK_B,
    )
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_desk(pilot)
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, RoomScreen), "the room list")
        room = app.screen
        assert isinstance(room, RoomScreen), "F4 did not open the room list"
        table = lambda: widget_text(room.query_one("#room-table"))  # noqa: E731
        shown = await shows(
            pilot,
            table,
            "张三",
            "李四",
            "赵六",
            "invited",
            "walk-in",
            "override org1",
            "desk-B · ck9",
            "10:00",
            "10:07",
        )
        assert shown.index("张三") < shown.index("赵六")  # in arrival order
        await shows(pilot, lambda: widget_text(room.query_one("#room-title")), "In the room · 3")
        await burst(pilot, "z", "s")
        shown = await shows(
            pilot, lambda: widget_text(room.query_one("#room-title")), "In the room · 1 of 3"
        )
        assert "张三" in table() and "李四" not in table() and "赵六" not in table()
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)


# -- help where you are -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "walk_in", "room"),
    [
        ("en", "Add a walk-in who is not yet a client", "Who is in the room"),
        ("zh_CN", "新增尚不是客户的现场客户", "在场名单"),
    ],
)
async def test_f1_shows_the_desks_keys_from_its_bindings_in_the_ui_language(
    services, opened, lang, walk_in, room
):
    from upgradecamp.tui.help import HelpScreen, binding_text

    app = create_app(services, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = await open_desk(pilot)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen), "F1 opened no help"
        shown = screen_text(pilot)
        assert "F2" in shown and walk_in in shown and "F4" in shown and room in shown
        # Every key the desk binds is listed with its own text: help cannot drift.
        keys = widget_text(help_screen.query_one("#help-keys"))
        for binding in DeskScreen.BINDINGS:
            assert binding_text(desk, binding) in keys, binding
        await pilot.press("x")  # any key closes it
        await settle(pilot)
        assert app.screen is desk
        assert desk.query_one("#ck-search", Input).value == ""


def test_every_key_of_the_door_login_and_home_has_help_in_both_languages():
    from upgradecamp.tui.i18n import catalogue
    from upgradecamp.tui.screens import checkin_dialogs, checkin_room, login
    from upgradecamp.tui.screens.checkin_desk import CheckInDeskScreen

    screens = [
        DeskScreen,
        CheckInDeskScreen,
        checkin_room.RoomScreen,
        login.LoginScreen,
        checkin_dialogs.ProspectScreen,
        checkin_dialogs.OverrideScreen,
        checkin_dialogs.ReferrerScreen,
        checkin_dialogs.AnnulScreen,
        checkin_dialogs.ConfirmOpenScreen,
    ]
    missing = [
        (lang, b.id)
        for lang in ("en", "zh_CN")
        for screen in screens
        for b in screen.BINDINGS
        if f"help.{b.id}" not in catalogue(lang)
    ]
    assert missing == []


async def test_ctrl_p_finds_the_screens_actions_and_the_roles_places(services, opened):
    from textual.command import CommandPalette

    from upgradecamp.tui.screens.checkin_room import RoomScreen

    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_desk(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
        assert isinstance(app.screen, CommandPalette), "Ctrl+P opened no palette"
        await burst(pilot, *"in the room")
        await until(
            pilot,
            lambda: "Who is in the room" in screen_text(pilot),
            "the room action in the palette",
        )
        assert "Who is in the room" in screen_text(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RoomScreen), "the room list")
        assert isinstance(app.screen, RoomScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
        await burst(pilot, *"go to")
        await until(
            pilot,
            lambda: "Go to Check-in desk" in screen_text(pilot),
            "the check-in desk place in the palette",
        )
        assert "Go to Check-in desk" in screen_text(pilot)
        assert "Go to Planning" not in screen_text(pilot)  # not a check-in staff's place


async def test_question_mark_on_home_lists_the_roles_places_by_their_keys(services, opened):
    from upgradecamp.tui.help import HelpScreen

    app = create_app(services, "zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ck1")
        await settle(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        assert isinstance(app.screen, HelpScreen), "? opened no help"
        keys = widget_text(app.screen.query_one("#help-keys"))
        assert "1" in keys and "前往签到台" in keys
        assert "前往活动策划" not in keys  # the places of other roles are not offered
        await pilot.press("f1")  # F1 again closes it
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
