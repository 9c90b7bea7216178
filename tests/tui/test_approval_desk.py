"""The branch head's approval desk: the live queue, approve with the PIN, reject and return
with a reason, a form decided at another terminal, the photo, and the layout at 80×24.

The services run on a clock fixed at Friday 2026-11-20 10:00 Beijing time; a session of
B02 at 15:00 that day is open, with clients checked in, so marketers can submit forms.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import DataTable, Input

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
    CheckIn,
    OpenSession,
    PlanSessions,
    RegisterClients,
)
from upgradecamp.domain.commands.forms import (
    ApproveForm,
    MarkPhotoTaken,
    RejectForm,
    SubmitForm,
)
from upgradecamp.domain.errors import RuleRefused
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap
from upgradecamp.store.db import read_transaction
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens import approval_desk
from upgradecamp.tui.screens.approval_desk import ApprovalDeskScreen, waiting_text
from upgradecamp.tui.screens.approval_dialogs import ApprovePinScreen, ReasonScreen

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Beijing
SESSION = "B02-20261120-1500"
F01, F02 = f"{SESSION}-F01", f"{SESSION}-F02"
ORG = Actor(code="org1", role="organizer", branch="B02", name="李四")
DESK = Actor(code="ck1", role="checkin", branch="B02", name="王小明")
MK = Actor(code="mk1", role="marketer", branch="B02", name="张三丰")
HEAD = Actor(code="bh1", role="branch_head", branch="B02", name="赵行长")
LINES = (("large_cd", "50000", "existing"), ("fund", "10000", "new"))


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


def populate(svc):
    """Staff of every role at B02, three clients checked in at today's open session."""
    add_staff(svc)
    svc.execute(
        RegisterClients(
            clients=[
                client_row(1, name="王大伟", aum="120000.00"),
                client_row(2, name="刘芳", aum="180000.00"),
                client_row(3, name="陈静", aum="60000.00"),
            ]
        ),
        ADMIN,
    )
    svc.execute(PlanSessions(branch="B02", start="2026-11-20 15:00"), ORG)
    svc.execute(OpenSession(session_id=SESSION), DESK)
    for n in (1, 2, 3):
        svc.execute(CheckIn(session_id=SESSION, client_id=f"C{n:06d}"), DESK)
    return svc


@pytest.fixture
def services(db_path, clock, db_templates):
    return db_templates.services(
        "tui-approval-desk", db_path, populate, clock=clock, terminal="test-terminal-1"
    )


@pytest.fixture
def any_db_services(engine, clock):
    """The same on SQLite, and on PostgreSQL when UPGRADECAMP_TEST_PG is set."""
    return populate(bootstrap(engine=engine, terminal="test-terminal-1", clock=clock))


def submit(svc, client: str = "C000001", lines=LINES, actions=("mobile_banking",)) -> dict:
    return svc.execute(
        SubmitForm(session_id=SESSION, client_id=client, lines=lines, actions=actions), MK
    )


def events_of(svc, kind: str) -> list:
    with read_transaction(svc.engine) as conn:
        return [ev for ev in svc.log.tail(conn, 500) if ev.type == kind]


def other_terminal(svc, clock, name: str = "test-terminal-2"):
    return bootstrap(engine=svc.engine, clock=clock, terminal=name)


async def open_desk(pilot, code: str = "bh1") -> ApprovalDeskScreen:
    await sign_in(pilot, code)
    await pilot.press("1")  # the approval desk is a branch head's first place
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ApprovalDeskScreen)
    return screen


def table(app) -> DataTable:
    return app.screen.query_one("#desk-table", DataTable)


def message(app) -> str:
    """The desk's message as one line (a long one wraps on screen)."""
    text = widget_text(app.screen.query_one("#desk-message"))
    return " ".join(line.strip() for line in text.splitlines())


def detail(app) -> str:
    return widget_text(app.screen.query_one("#desk-detail"))


async def type_text(pilot, text: str) -> None:
    await pilot.press(*("space" if ch == " " else ch for ch in text))


def test_waiting_time_reads_naturally():
    assert waiting_text(0) == "0 min"
    assert waiting_text(4) == "4 min"
    assert waiting_text(65) == "1 h 5 min"
    assert waiting_text(60 * 27 + 3) == "1 d 3 h"
    i18n.set_language("zh_CN")
    assert waiting_text(4) == "4 分钟"


async def test_the_queue_shows_the_form_with_its_waiting_time_and_detail(services, clock):
    submit(services)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_desk(pilot)
        assert table(app).row_count == 1
        rows = widget_text(table(app))
        assert "0 min" in rows and "王大伟" in rows and "张三丰" in rows and "980" in rows
        assert "Potential" in rows and "Potential →" not in rows  # the form keeps the tier
        shown = detail(app)
        assert F01 in shown and "waiting for approval" in shown
        assert "138****0001" in shown and "13800000001" not in screen_text(pilot)
        assert "Large-sum CD" in shown and "1.5" in shown and "15,000.00" in shown
        assert "Mobile banking +200" in shown
        assert "Tier before Potential → after Potential (unchanged)" in shown
        assert "Branch B02 · 1 waiting for approval" in screen_text(pilot)
        # The waiting time follows the clock by a timer, without a reload.
        clock.advance(minutes=4)
        screen.tick()
        await pilot.pause()
        assert "4 min" in widget_text(table(app))
        assert "waiting 4 min" in detail(app)


async def test_a_new_form_appears_without_a_key_press_and_the_cursor_stays(services, clock):
    submit(services)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_desk(pilot)
        assert table(app).row_count == 1 and screen.current_id == F01
        clock.advance(minutes=2)
        other = other_terminal(services, clock)
        other.execute(
            SubmitForm(session_id=SESSION, client_id="C000002", lines=(("fund", "20000", "new"),)),
            MK,
        )
        await wait_for(
            pilot,
            lambda: table(app).row_count == 2,
            what="the form submitted at another terminal in the queue",
        )
        assert "刘芳" in widget_text(table(app))
        assert screen.current_id == F01 and table(app).cursor_row == 0  # first come first
        # A form decided at another terminal leaves the queue by itself.
        other.execute(RejectForm(form_id=F01, reason="重复登记"), HEAD)
        await wait_for(
            pilot,
            lambda: table(app).row_count == 1,
            what="the form decided at another terminal to leave the queue",
        )
        assert screen.current_id == F02


async def test_approve_with_the_pin_credits_the_points_and_the_form_leaves(services):
    submit(services)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_desk(pilot)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ApprovePinScreen)
        assert "王大伟" in widget_text(dialog.query_one("#approve-summary"))
        assert dialog.query_one("#approve-pin", Input).password
        await pilot.press(*STAFF_PIN, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ApprovalDeskScreen)
        [approved] = events_of(services, "FormApproved")
        assert approved.payload["form_id"] == F01 and approved.meta["actor"] == "bh1"
        [credited] = events_of(services, "PointsCredited")
        assert credited.payload["client_id"] == "C000001"
        assert table(app).row_count == 0
        said = message(app)
        assert "Form B02-20261120-1500-F01 approved: 980 points credited to 王大伟" in said
        assert "No forms are waiting" in detail(app)


async def test_a_wrong_pin_is_said_in_the_dialog_and_approves_nothing(services):
    submit(services)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_desk(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"9999", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ApprovePinScreen)  # the dialog stays for another try
        problem = widget_text(dialog.query_one("#approve-problem"))
        assert "Wrong PIN for bh1. 4 more wrong PIN(s) lock the account" in problem
        assert dialog.query_one("#approve-pin", Input).value == ""
        [rejected] = events_of(services, "StaffPinRejected")
        assert rejected.payload["code"] == "bh1"
        assert events_of(services, "FormApproved") == []
        assert events_of(services, "PointsCredited") == []
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ApprovalDeskScreen)
        assert table(app).row_count == 1


async def test_reject_and_return_need_a_reason(services, clock):
    submit(services)
    clock.advance(minutes=1)
    submit(services, client="C000002", lines=(("fund", "20000", "new"),), actions=())
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_desk(pilot)
        await pilot.press("j")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReasonScreen) and dialog.kind == "reject"
        await pilot.press("enter")  # no reason: refused in the dialog
        await pilot.pause()
        assert "Type a reason" in widget_text(dialog.query_one("#reason-problem"))
        await type_text(pilot, "no signature")
        await pilot.press("enter")
        await settle(pilot)
        [rejected] = events_of(services, "FormRejected")
        assert rejected.payload == {"form_id": F01, "reason": "no signature"}
        assert "Form B02-20261120-1500-F01 rejected: no signature" in message(app)
        assert table(app).row_count == 1
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen) and app.screen.kind == "return"
        await type_text(pilot, "wrong amount")
        await pilot.press("enter")
        await settle(pilot)
        [returned] = events_of(services, "FormReturned")
        assert returned.payload == {"form_id": F02, "reason": "wrong amount"}
        assert "returned to 张三丰 for corrections: wrong amount" in message(app)
        assert table(app).row_count == 0
        # The marketer corrects and resubmits it: it comes back, marked as a revision.
        clock.advance(minutes=2)
        other_terminal(services, clock).execute(
            SubmitForm(
                session_id=SESSION,
                client_id="C000002",
                form_id=F02,
                lines=(("fund", "25000", "new"),),
            ),
            MK,
        )
        await wait_for(
            pilot, lambda: table(app).row_count == 1, what="the resubmitted form back in the queue"
        )
        await settle(pilot)
        shown = detail(app)
        assert "Revision 1: resubmitted after a return" in shown
        assert "Returned by bh1 at 10:01: wrong amount" in shown
        assert "25,000.00" in shown


async def test_a_form_decided_at_another_terminal_is_refused_with_who_decided(services, clock):
    submit(services)
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_desk(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ApprovePinScreen)
        clock.advance(minutes=3)
        other_terminal(services, clock).execute(RejectForm(form_id=F01, reason="客户放弃"), HEAD)
        await pilot.press(*STAFF_PIN, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ApprovalDeskScreen)
        said = message(app)
        assert "登记表 B02-20261120-1500-F01 已由 bh1 于" in said
        assert "在终端 test-terminal-2 处理" in said and "10:03" in said
        assert events_of(services, "FormApproved") == []
        await wait_for(
            pilot,
            lambda: table(app).row_count == 0,
            what="the form decided at another terminal to leave the queue",
        )


async def test_the_photo_is_marked_for_a_form_approved_today(services):
    submit(services)
    services.execute(ApproveForm(form_id=F01, pin=STAFF_PIN), HEAD)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_desk(pilot)
        assert table(app).row_count == 0
        await pilot.press("p")  # the queue holds no approved forms
        assert "press v for those awaiting their photo" in message(app)
        await pilot.press("v")
        await settle(pilot)
        assert "Approved today, awaiting the photo" in screen_text(pilot)
        assert table(app).row_count == 1 and "王大伟" in widget_text(table(app))
        assert "Photo not taken yet" in detail(app)
        await pilot.press("a")  # an approved form is not approved again
        assert "only forms waiting for approval" in message(app)
        await pilot.press("p")
        await settle(pilot)
        [photo] = events_of(services, "PhotoTaken")
        assert photo.payload == {"form_id": F01} and photo.meta["actor"] == "bh1"
        assert "Photo with 王大伟 marked taken" in message(app)
        assert table(app).row_count == 0
        # A second mark (from a stale screen) is refused with who marked it.
        with pytest.raises(RuleRefused, match="already marked"):
            services.execute(MarkPhotoTaken(form_id=F01), HEAD)


async def test_the_core_branch_head_sees_every_branch_another_head_only_theirs(services):
    submit(services)
    for code, branch in (("bh0", "B01"), ("bh3", "B03")):
        services.execute(
            AddStaff(
                code=code, name=f"{branch}行长", role="branch_head", branch=branch, pin=STAFF_PIN
            ),
            ADMIN,
        )
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_desk(pilot, "bh0")
        assert screen.scope is None and "All branches" in screen_text(pilot)
        assert table(app).row_count == 1 and "B02" in widget_text(table(app))
        app.sign_out()
        screen = await open_desk(pilot, "bh3")
        assert screen.scope == "B03" and "Branch B03 · 0 waiting" in screen_text(pilot)
        assert table(app).row_count == 0 and "No forms are waiting" in detail(app)


def test_awaiting_photo_lists_todays_approvals_without_a_photo(any_db_services, clock):
    from upgradecamp.queries.approval_desk import awaiting_photo

    services = any_db_services
    submit(services)
    submit(services, client="C000002", lines=(("fund", "20000", "new"),), actions=())
    submit(services, client="C000003", lines=(("fund", "20000", "new"),), actions=())
    services.execute(ApproveForm(form_id=F01, pin=STAFF_PIN), HEAD)
    clock.advance(minutes=5)
    services.execute(ApproveForm(form_id=F02, pin=STAFF_PIN), HEAD)
    today = NOW.date()
    assert [f.form_id for f in awaiting_photo(services.engine, today)] == [F01, F02]
    assert [f.form_id for f in awaiting_photo(services.engine, today, branch="B02")] == [F01, F02]
    assert awaiting_photo(services.engine, today, branch="B03") == []
    first = awaiting_photo(services.engine, today)[0]
    assert first.client_name == "王大伟" and first.mobile == "138****0001"
    services.execute(MarkPhotoTaken(form_id=F01), HEAD)
    assert [f.form_id for f in awaiting_photo(services.engine, today)] == [F02]
    clock.advance(days=1)  # the next day: yesterday's approvals are no longer listed
    assert awaiting_photo(services.engine, clock().date()) == []


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_desk_fits_the_terminal_in_chinese(services, clock, size):
    submit(services)
    clock.advance(minutes=12)
    submit(services, client="C000002", lines=(("fund", "300000", "new"),), actions=())
    app = create_app(services, "zh_CN")
    async with app.run_test(size=size) as pilot:
        screen = await open_desk(pilot)
        assert screen.has_class("-narrow") == (size[0] < approval_desk.WIDE)
        text = screen_text(pilot)
        lines = text.splitlines()
        assert len(lines) == size[1]
        assert "审批台" in text and "待审批（先到先审）" in text
        assert "12 分钟" in text and "王大伟" in text and "刘芳" in text
        assert "升级前" in text and "客户经理" in text
        assert "13800000001" not in text and "13800000002" not in text
        assert "a 批准" in text
        # The highlighted form's lines and tiers are on screen (scrolled into reach).
        shown = detail(app)
        assert "大额存单" in shown and "存量" in shown and "潜力客户" in shown
        await pilot.press("down")
        await settle(pilot)
        assert "刘芳" in detail(app)
        assert "升级" in detail(app)  # 60000 + fund 300000 × 1.5 passes silver
