"""The follow-up desk: a marketer's open follow-ups overdue first, outcomes with a note by keys,
reschedule, an organizer's reassignment and assignee filter, a follow-up closed elsewhere (by a
form approved later: converted) leaving by itself, and the layout at 80×24 and 120×40.

Session S1 of B02 ran on Tuesday 2026-11-17 and was closed: the policy created its
follow-ups (due 2026-11-20, the appointment reminder 2026-11-26). The services' clock then
stands on Monday 2026-11-23 10:00 Beijing time, so most of them are three days overdue;
session S2 of B02 is open that day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from textual.widgets import DataTable, Input, OptionList

from tests.conftest import FakeClock
from tests.helpers import client_row
from tests.tui.conftest import (
    ADMIN,
    STAFF_PIN,
    add_staff,
    screen_text,
    settle,
    sign_in,
    widget_text,
)
from tests.waiting import wait_for
from upgradecamp.domain.commands import (
    AddStaff,
    ApproveForm,
    BuildInviteList,
    CheckIn,
    CloseSession,
    ImportClientFile,
    OpenSession,
    PlanSessions,
    ReassignFollowUp,
    RecordFollowUpOutcome,
    RegisterClients,
    RunMaintenance,
    SubmitForm,
)
from upgradecamp.domain.staff import Actor
from upgradecamp.queries.followups import FollowUpLine
from upgradecamp.service.bus import bootstrap
from upgradecamp.store.db import read_transaction
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.followup_dialogs import (
    NoteScreen,
    ReassignScreen,
    RescheduleScreen,
    parse_due,
)
from upgradecamp.tui.screens.followups import FollowUpsScreen, due_text, session_label

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing
S1, S2 = "B02-20261117-1500", "B02-20261123-1500"
FP1 = f"{S1}-FP-C000001-F01"
AR1 = f"{S1}-AR-C000001-F01"
IC2, IC3, IC6 = f"{S1}-IC-C000002", f"{S1}-IC-C000003", f"{S1}-IC-C000006"
IN4, IN5 = f"{S1}-IN-C000004", f"{S1}-IN-C000005"
MINE = [FP1, IC2, IC3, IN4, IN5, AR1]  # overdue first (due 11-20), then the reminder (11-26)
ORG = Actor(code="org1", role="organizer", branch="B02", name="李四")
DESK = Actor(code="ck1", role="checkin", branch="B02", name="王小明")
MK = Actor(code="mk1", role="marketer", branch="B02", name="张三丰")
HEAD = Actor(code="bh1", role="branch_head", branch="B02", name="赵行长")
MK2 = Actor(code="mk2", role="marketer", branch="B02", name="李雷")
NAMES = {1: "王大伟", 2: "刘芳", 3: "陈静", 4: "黄磊", 5: "周洁", 6: "吴刚"}
LINES = (("large_cd", "50000", "existing"), ("fund", "10000", "new"))
KEY_NAMES = {" ": "space", "-": "minus"}


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def services(db_path, clock, db_templates):
    """S1 played out and closed: C1 signed a form with an appointment, C2, C3 and C6 came
    without one, C4 and C5 stayed away. Every client's manager is mk1, but C6's is mk2."""
    return db_templates.services(
        "tui-followup-desk", db_path, play_s1, clock=clock, terminal="test-terminal-1"
    )


def play_s1(svc) -> None:
    clock = svc.clock
    add_staff(svc)
    svc.execute(
        AddStaff(code=MK2.code, name=MK2.name, role="marketer", branch="B02", pin=STAFF_PIN), ADMIN
    )
    svc.execute(
        RegisterClients(
            clients=[
                client_row(n, name=name, aum=f"{100000 + n}.00", rm="mk2" if n == 6 else "mk1")
                for n, name in NAMES.items()
            ]
        ),
        ADMIN,
    )
    clock.advance(days=-40)  # invitations go out weeks ahead
    for start in ("2026-11-17 15:00", "2026-11-23 15:00"):
        svc.execute(PlanSessions(branch="B02", start=start), ORG)
    svc.execute(BuildInviteList(session_id=S1), ORG)
    clock.now = datetime(2026, 11, 17, 6, 30, tzinfo=UTC)  # Tuesday 14:30 in Beijing
    svc.execute(OpenSession(session_id=S1), DESK)
    for n in (1, 2, 3, 6):
        svc.execute(CheckIn(session_id=S1, client_id=f"C{n:06d}"), DESK)
    form = svc.execute(
        SubmitForm(session_id=S1, client_id="C000001", lines=LINES, appointment="2026-11-27"), MK
    )
    svc.execute(ApproveForm(form_id=form["form_id"], pin=STAFF_PIN), HEAD)
    clock.advance(hours=2)
    svc.execute(CloseSession(session_id=S1), ORG)  # the policy creates the follow-ups
    clock.now = NOW


def events_of(svc, kind: str) -> list:
    with read_transaction(svc.engine) as conn:
        return [ev for ev in svc.log.tail(conn, 500) if ev.type == kind]


def other_terminal(svc, clock, name: str = "test-terminal-2"):
    return bootstrap(engine=svc.engine, clock=clock, terminal=name)


async def open_desk(pilot, code: str = "mk1") -> FollowUpsScreen:
    await sign_in(pilot, code)
    place = {"mk1": "3", "mk2": "3", "org1": "4", "bh1": "3", "admin1": "6"}[code]
    await pilot.press(place)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FollowUpsScreen)
    return screen


def table(app) -> DataTable:
    return app.screen.query_one("#fu-table", DataTable)


def shown_ids(app) -> list[str]:
    return [row.key.value for row in table(app).ordered_rows]


def message(app) -> str:
    text = widget_text(app.screen.query_one("#fu-message"))
    return " ".join(line.strip() for line in text.splitlines())


def row_text(app, followup_id: str) -> list[str]:
    return [cell.plain for cell in table(app).get_row(followup_id)]


async def type_text(pilot, text: str) -> None:
    await pilot.press(*(KEY_NAMES.get(ch, ch) for ch in text))


# -- pure helpers -----------------------------------------------------------------------------
def line(due: str, **fields) -> FollowUpLine:
    """A follow-up as the desk gets it, with what a test does not care about left blank."""
    blank = dict(
        followup_id="F",
        kind="intention_call",
        session_id=S1,
        branch="B02",
        client_id="C1",
        client_name="",
        mobile="",
        form_id=None,
        next_session_id=None,
        assignee="mk1",
        assignee_name="mk1",
        overdue=False,
        days_overdue=0,
        status="open",
        outcome=None,
        attempts=0,
        note="",
        created_at=None,
        done_at=None,
        done_by=None,
    )
    return FollowUpLine(**{**blank, "due": due, **fields})


def test_due_dates_read_naturally():
    today = date(2026, 11, 23)
    assert due_text(line("2026-11-20", status="open"), today) == "11-20 overdue 3 d"
    assert due_text(line("2026-11-23", status="open"), today) == "11-23 today"
    assert due_text(line("2026-11-26", status="open"), today) == "11-26"
    assert due_text(line("2026-11-20", status="done", outcome="reached"), today) == "11-20 Reached"
    assert session_label(S1) == "B02 11-17"
    i18n.set_language("zh_CN")
    assert due_text(line("2026-11-20", status="open"), today) == "11-20 逾期 3 天"


def test_a_new_due_date_is_checked_as_typed():
    today, current = date(2026, 11, 23), date(2026, 11, 20)
    assert parse_due("2026-11-30", today, current) == (
        date(2026, 11, 30),
        "Due 2026-11-30, in 7 day(s).",
    )
    assert parse_due("2026-11-23", today, current)[0] == today
    due, text = parse_due("2026-13-01", today, current)
    assert due is None and "YYYY-MM-DD, e.g. 2026-11-30" in text
    due, text = parse_due("2026-11-22", today, current)
    assert due is None and "before today (2026-11-23)" in text
    due, text = parse_due("2026-11-20", date(2026, 11, 18), current)
    assert due is None and "due 2026-11-20 already" in text


# -- the marketer's desk ----------------------------------------------------------------------
async def test_a_marketer_sees_their_open_follow_ups_overdue_first(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_desk(pilot)
        assert shown_ids(app) == MINE  # C6's follow-up is mk2's
        first = table(app).get_row(FP1)
        assert first[0].plain == "11-20 overdue 3 d" and "red" in str(first[0].style)
        assert row_text(app, FP1)[2:5] == ["王大伟", "138****0001", "B02 11-17"]
        cells = row_text(app, IC2)
        assert cells[0] == "11-20 overdue 3 d"
        assert cells[1] == "Intention call" and cells[2] == "刘芳"
        assert cells[3] == "138****0002" and cells[4] == "B02 11-17" and cells[5] == "0"
        reminder = table(app).get_row(AR1)
        assert reminder[0].plain == "11-26" and "red" not in str(reminder[0].style)
        text = screen_text(pilot)
        assert "My follow-ups (mk1) · 6 open · 5 overdue" in text
        assert "吴刚" not in text and "13800000001" not in text
        assert "1 reached  2 not reached  3 converted  4 declined  d reschedule" in text
        detail = widget_text(app.screen.query_one("#fu-detail"))
        assert "Deliver benefits and photo · 王大伟 (C000001) · 138****0001" in detail
        assert f"session {S1}" in detail and f"Form {S1}-F01" in detail
        assert "Due 2026-11-20 · 0 tries · assignee 张三丰 (mk1)" in detail


async def test_reached_with_a_note_closes_it_and_the_cursor_moves_on(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_desk(pilot)
        assert screen.current_id == FP1
        await pilot.press("1")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NoteScreen)
        assert "Reached · 王大伟" in widget_text(dialog)
        await type_text(pilot, "photo delivered")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        [recorded] = events_of(services, "FollowUpOutcomeRecorded")
        assert recorded.payload["followup_id"] == FP1
        assert recorded.payload["outcome"] == "reached"
        assert recorded.payload["note"] == "photo delivered"
        assert recorded.meta["actor"] == "mk1"
        assert shown_ids(app) == MINE[1:]
        assert screen.current_id == IC2 and table(app).cursor_row == 0
        assert "Reached recorded for 王大伟; the follow-up is closed." in message(app)
        # Closed ones come back with h, marked with their outcome, and refuse another one.
        await pilot.press("h")
        await settle(pilot)
        assert FP1 in shown_ids(app) and shown_ids(app)[-1] == FP1
        assert row_text(app, FP1)[0] == "11-20 Reached"
        assert "closed ones shown" in screen_text(pilot)
        assert screen.current_id == IC2
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert screen.current_id == FP1
        await pilot.press("2")
        await pilot.pause()
        assert not isinstance(app.screen, NoteScreen)
        assert "closed already (Reached)" in message(app)
        await pilot.press("h")
        await settle(pilot)
        assert FP1 not in shown_ids(app)


async def test_not_reached_keeps_it_open_with_one_attempt(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_desk(pilot)
        await pilot.press("down")
        await settle(pilot)
        assert screen.current_id == IC2
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("enter")  # no note
        await settle(pilot)
        [recorded] = events_of(services, "FollowUpOutcomeRecorded")
        assert recorded.payload["followup_id"] == IC2
        assert recorded.payload["outcome"] == "not_reached" and recorded.payload["note"] == ""
        assert shown_ids(app) == MINE
        assert row_text(app, IC2)[5] == "1"
        assert screen.current_id == IC3  # on to the next open one
        assert "Not reached recorded for 刘芳 (try 1); it stays open." in message(app)
        # Esc on the note records nothing.
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpsScreen)
        assert len(events_of(services, "FollowUpOutcomeRecorded")) == 1


async def test_reschedule_checks_the_date_as_typed_and_moves_the_follow_up(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_desk(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        assert screen.current_id == IC3
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RescheduleScreen)
        assert "Now due 2026-11-20; today is 2026-11-23." in widget_text(dialog)
        problem = dialog.query_one("#reschedule-problem")
        await type_text(pilot, "2026-11-1")
        await pilot.pause()
        assert widget_text(problem).strip() == ""  # half typed: not an error yet
        await type_text(pilot, "0")
        await pilot.pause()
        assert "before today (2026-11-23)" in widget_text(problem)
        await pilot.press("enter")  # refused in the dialog
        await pilot.pause()
        assert app.screen is dialog and events_of(services, "FollowUpRescheduled") == []
        field = dialog.query_one("#reschedule-date", Input)
        field.value = ""
        await type_text(pilot, "2026-11-30")
        await pilot.pause()
        assert "Due 2026-11-30, in 7 day(s)." in widget_text(problem)
        await pilot.press("tab")
        await type_text(pilot, "next week")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        [moved] = events_of(services, "FollowUpRescheduled")
        assert moved.payload == {"followup_id": IC3, "due": "2026-11-30", "reason": "next week"}
        assert shown_ids(app) == [FP1, IC2, IN4, IN5, AR1, IC3]  # now due last
        assert screen.current_id == IC3 and row_text(app, IC3)[0] == "11-30"
        assert "陈静's follow-up is now due 2026-11-30." in message(app)
        assert "4 overdue" in screen_text(pilot)


async def test_a_follow_up_closed_elsewhere_leaves_without_a_key_press(services, clock):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_desk(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        assert screen.current_id == IC3
        # 刘芳 comes to today's session and signs: the approval converts her intention call.
        other = other_terminal(services, clock)
        other.execute(OpenSession(session_id=S2), DESK)
        other.execute(CheckIn(session_id=S2, client_id="C000002"), DESK)
        form = other.execute(
            SubmitForm(session_id=S2, client_id="C000002", lines=(("fund", "20000", "new"),)), MK
        )
        other.execute(ApproveForm(form_id=form["form_id"], pin=STAFF_PIN), HEAD)
        converted = [
            ev
            for ev in events_of(services, "FollowUpOutcomeRecorded")
            if ev.payload["followup_id"] == IC2
        ]
        assert converted and converted[0].payload["automatic"] is True
        await wait_for(
            pilot,
            lambda: IC2 not in shown_ids(app),
            what="IC2, closed at another terminal, to leave the list",
            seen=lambda: shown_ids(app),
        )
        assert screen.current_id == IC3 and table(app).cursor_row == 1  # still on 陈静
        # Another terminal records an outcome of the highlighted one while its note is typed:
        # the refusal says who closed it.
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        other.execute(RecordFollowUpOutcome(followup_id=IC3, outcome="declined"), MK)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpsScreen)
        assert "was already closed (declined) by mk1" in message(app)
        await wait_for(
            pilot,
            lambda: IC3 not in shown_ids(app),
            what="IC3, closed at another terminal, to leave the list",
            seen=lambda: shown_ids(app),
        )


# -- the organizer's desk ---------------------------------------------------------------------
async def test_an_organizer_sees_the_branch_filters_by_assignee_and_reassigns(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_desk(pilot, "org1")
        assert sorted(shown_ids(app)) == sorted([*MINE, IC6])
        text = screen_text(pilot)
        assert "Branch B02 · every assignee · 7 open · 6 overdue" in text
        assert "Assignee" in text and "李雷" in text and "a reassign  f assignee" in text
        await pilot.press("f")
        await settle(pilot)
        assert set(shown_ids(app)) == set(MINE)
        assert "assignee 张三丰 · 6 open" in screen_text(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert shown_ids(app) == [IC6]
        await pilot.press("f")
        await settle(pilot)
        assert len(shown_ids(app)) == 7
        assert screen.current_id == IC6  # the cursor stayed on the follow-up it was on
        # Give 王大伟's fulfilment to mk2.
        await pilot.press("ctrl+home")
        await settle(pilot)
        assert screen.current_id == FP1
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReassignScreen)
        shown = widget_text(dialog)
        assert "Now with 张三丰 (mk1). Staff of branch B02:" in shown
        assert "ck1" not in shown  # check-in staff do not work follow-ups
        options = dialog.query_one("#reassign-staff", OptionList)
        assert options.get_option_at_index(options.highlighted).id == "mk2"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        [moved] = events_of(services, "FollowUpReassigned")
        assert moved.payload == {"followup_id": FP1, "assignee": "mk2"}
        assert moved.meta["actor"] == "org1"
        assert row_text(app, FP1)[1] == "李雷"
        assert "王大伟's follow-up given to 李雷 (mk2)." in message(app)


async def test_a_marketer_may_not_reassign_or_filter(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_desk(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, FollowUpsScreen)
        assert "Only an organizer or a branch head" in message(app)
        await pilot.press("f")
        await pilot.pause()
        assert "You see your own follow-ups only." in message(app)
        assert events_of(services, "FollowUpReassigned") == []


async def test_a_branch_head_sees_the_branch_and_an_admin_every_branch(services):
    services.execute(
        AddStaff(code="bh3", name="B03行长", role="branch_head", branch="B03", pin=STAFF_PIN), ADMIN
    )
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_desk(pilot, "bh1")
        assert screen.branch == "B02" and len(shown_ids(app)) == 7
        assert "Branch B02 · every assignee · 7 open" in screen_text(pilot)
        app.sign_out()
        await settle(pilot)
        screen = await open_desk(pilot, "admin1")
        assert screen.branch is None and len(shown_ids(app)) == 7
        assert "All branches · every assignee · 7 open · 6 overdue" in screen_text(pilot)
        app.sign_out()
        await settle(pilot)
        await sign_in(pilot, "bh3")
        await pilot.press("3")
        await settle(pilot)
        assert shown_ids(app) == []
        assert "No open follow-ups here" in screen_text(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_desk_fits_the_terminal_in_chinese(services, size):
    app = create_app(services, "zh_CN")
    async with app.run_test(size=size) as pilot:
        await open_desk(pilot)
        text = screen_text(pilot)
        lines = text.splitlines()
        assert len(lines) == size[1]
        assert "事后跟进" in text and "我的跟进（mk1）· 待跟进 6 条 · 逾期 5 条" in text
        assert "11-20 逾期 3 天" in text and "到期" in text and "王大伟" in text
        assert "1 已联系上" in text and "d 改期" in text
        assert "13800000001" not in text and "138****0001" in text
        await pilot.press("1")
        await settle(pilot)
        assert "已联系上 · 王大伟" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        dialog_text = screen_text(pilot)
        assert "新的到期日" in dialog_text and "改期原因" in dialog_text
        assert "Enter 保存" in dialog_text


# -- the maintenance year: tier-changed calls and who sees what -----------------------------------
C7 = "C000007"
TC2 = "MNT-TC-C000002-potential-silver-20261123"
TC7 = "MNT-TC-C000007-potential-silver-20261123"
TC_LABEL = {"en": "Tier changed call", "zh_CN": "客户等级变动电话"}
RM_ONLY = {"en": "(RM only)", "zh_CN": "（仅限其客户经理）"}


def tier_moves(svc, tmp_path) -> None:
    """C2 (mk1's) and C7 (mk2's, never at a session of mk1's) move up to silver by an AUM
    import on the Monday; that day's maintenance run calls each from their RM."""
    svc.execute(RegisterClients(clients=[client_row(7, name="郑强", rm="mk2")]), ADMIN)
    path = tmp_path / "clients.csv"
    path.write_text(
        "客户号,姓名,手机号,证件号后四位,所属网点,客户经理,金融资产,营销同意\n"
        "C000002,刘芳,13800000002,0002,B02,mk1,250000.00,Y\n"
        "C000007,郑强,13800000007,0007,B02,mk2,250000.00,Y\n",
        encoding="utf-8",
    )
    svc.execute(ImportClientFile(path=str(path), good_rows_only=True), ORG)
    ran = svc.execute(RunMaintenance(on="2026-11-23"), ORG)
    assert ran["by_kind"] == {"tier_changed": 2}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
async def test_a_tier_changed_call_is_worked_on_the_desk(services, tmp_path, lang):
    tier_moves(services, tmp_path)
    app = create_app(services, lang)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_desk(pilot)
        await wait_for(pilot, lambda: TC2 in shown_ids(app), what="the tier-changed call shown")
        assert TC7 not in shown_ids(app)  # mk2's
        cells = row_text(app, TC2)
        assert TC_LABEL[lang].startswith(cells[1].rstrip("…")) and cells[2] == "刘芳"
        table(app).move_cursor(row=shown_ids(app).index(TC2), animate=False)
        await wait_for(pilot, lambda: screen.current_id == TC2, what="the cursor on the call")
        assert TC_LABEL[lang] in widget_text(app.screen.query_one("#fu-detail"))
        await pilot.press("1")
        await wait_for(
            pilot, lambda: isinstance(app.screen, NoteScreen), what="the note window open"
        )
        await type_text(pilot, "congratulated")
        await pilot.press("enter")
        await wait_for(pilot, lambda: TC2 not in shown_ids(app), what="the call closed")
        [recorded] = events_of(services, "FollowUpOutcomeRecorded")
        assert recorded.payload["followup_id"] == TC2
        assert (recorded.payload["outcome"], recorded.payload["note"]) == (
            "reached",
            "congratulated",
        )
        assert recorded.meta["actor"] == "mk1"


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
async def test_a_follow_up_of_a_client_outside_the_book_shows_masked(services, tmp_path, lang):
    """C7 is mk2's client and never came to a session mk1 hosts or presents: given C7's call,
    mk1 sees the name and masked mobile, not the notes; their own client's note shows in full."""
    tier_moves(services, tmp_path)
    services.execute(
        RecordFollowUpOutcome(followup_id=TC2, outcome="not_reached", note="call after 5pm"), MK
    )
    services.execute(
        RecordFollowUpOutcome(followup_id=TC7, outcome="not_reached", note="wife is ill"), MK2
    )
    services.execute(ReassignFollowUp(followup_id=TC7, assignee="mk1"), ORG)
    app = create_app(services, lang)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_desk(pilot)
        await wait_for(pilot, lambda: TC7 in shown_ids(app), what="C7's call on mk1's desk")
        assert row_text(app, TC2)[-1] == "call after 5pm"
        assert row_text(app, TC7)[2:4] == ["郑强", "138****0007"]
        assert row_text(app, TC7)[-1] == RM_ONLY[lang]
        table(app).move_cursor(row=shown_ids(app).index(TC7), animate=False)
        await wait_for(pilot, lambda: screen.current_id == TC7, what="the cursor on C7's call")
        detail = widget_text(app.screen.query_one("#fu-detail"))
        assert "C000007" in detail and "138****0007" in detail
        assert "wife is ill" not in screen_text(pilot) and "13800000007" not in screen_text(pilot)
        assert "客户经理" in detail or "own manager" in detail
        table(app).move_cursor(row=shown_ids(app).index(TC2), animate=False)
        await wait_for(pilot, lambda: screen.current_id == TC2, what="the cursor on C2's call")
        detail = widget_text(app.screen.query_one("#fu-detail"))
        assert "call after 5pm" in detail
        assert "客户经理" not in detail and "own manager" not in detail
