"""The marketer's registration screens: pick a checked-in client, fill the form and watch the
calculator, suitability before submit, submit to the queue, fix and resubmit a returned form.

The services run on a clock fixed at Friday 2026-11-20 10:00 Beijing time; the session of the
day (B02, 15:00) is open, so forms are on site (×1.2) and the rule set 2026Q4 is in force.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import Checkbox, Input, OptionList, TextArea

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
from tests.waiting import wait_for, wait_for_text
from upgradecamp.domain.commands import AddStaff, RegisterClients
from upgradecamp.domain.commands.checkins import CheckIn
from upgradecamp.domain.commands.forms import ReturnForm, SubmitForm
from upgradecamp.domain.commands.sessions import CloseSession, OpenSession, PlanSessions
from upgradecamp.domain.staff import Actor
from upgradecamp.queries.registration import benefits
from upgradecamp.service.bus import bootstrap
from upgradecamp.service.setup import initialise
from upgradecamp.store.db import read_transaction
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.registration import RegistrationScreen
from upgradecamp.tui.screens.registration_form import FormScreen

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Beijing
SESSION = "B02-20261120-1500"
F01 = f"{SESSION}-F01"
ORG = Actor(code="org1", role="organizer", branch="B02", name="李四")
DESK = Actor(code="ck1", role="checkin", branch="B02", name="王小明")
MK = Actor(code="mk1", role="marketer", branch="B02", name="张三丰")
HEAD = Actor(code="bh1", role="branch_head", branch="B02", name="赵行长")
KEY_NAMES = {" ": "space", "\n": "enter", ",": "comma", ".": "full_stop", "-": "minus"}
WORKED_EXAMPLE = "large_cd 50000 existing\nfund 10000 new\ninsurance 8000 new\ncredit_card 1"


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def services(db_path):
    """Staff of every role at B02, three clients checked in at today's open session."""
    svc = bootstrap(db_path, terminal="test-terminal-1", clock=FakeClock(NOW))
    add_staff(svc)
    svc.execute(
        RegisterClients(
            clients=[
                client_row(1, name="张三", aum="120000.00"),
                client_row(2, name="王芳", aum="60000.00", risk_grade="C2"),
                client_row(3, name="刘洋", aum="90000.00"),
            ]
        ),
        ADMIN,
    )
    svc.execute(PlanSessions(branch="B02", start="2026-11-20 15:00"), ORG)
    svc.execute(OpenSession(session_id=SESSION), ORG)
    for n in (1, 2):
        svc.execute(CheckIn(session_id=SESSION, client_id=f"C{n:06d}"), DESK)
    return svc


def events_of(services, kind: str) -> list:
    with read_transaction(services.engine) as conn:
        return [ev for ev in services.log.tail(conn, 500) if ev.type == kind]


async def type_text(pilot, text: str) -> None:
    await pilot.press(*(KEY_NAMES.get(ch, ch) for ch in text))


async def open_registration(pilot) -> RegistrationScreen:
    await sign_in(pilot, "mk1")
    await pilot.press("1")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RegistrationScreen)
    return pilot.app.screen


async def open_form(pilot, search: str) -> FormScreen:
    """Filter the attendees by typing, then Enter opens the match's form."""
    await type_text(pilot, search)
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FormScreen)
    return pilot.app.screen


async def tick(pilot, code: str) -> None:
    pilot.app.screen.query_one(f"#action-{code}", Checkbox).focus()
    await pilot.press("space")
    await pilot.pause()


def shown(app, selector: str) -> str:
    return widget_text(app.screen.query_one(selector))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_marketer_picks_a_client_types_the_worked_example_and_submits(services, size):
    app = create_app(services, "en")
    async with app.run_test(size=size) as pilot:
        picker = await open_registration(pilot)
        listing = widget_text(picker.query_one("#reg-list"))
        assert "张三" in listing and "王芳" in listing and "刘洋" not in listing  # checked in
        assert "138****0001" in listing and "13800000001" not in screen_text(pilot)
        assert "15:00 B02" in widget_text(picker.query_one("#reg-sessions"))
        form = await open_form(pilot, "zs")  # pinyin initials of 张三
        assert form.context.client["client_id"] == "C000001"
        assert form.query_one("#form-lines", TextArea).has_focus
        await type_text(pilot, WORKED_EXAMPLE)
        await pilot.pause()
        assert form.calculation.points == 600 + 180 + 288 + 120
        await tick(pilot, "mobile_banking")
        calc = form.calculation
        assert (calc.points, str(calc.converted_delta), str(calc.converted_aum), str(calc.gap)) == (
            1388,
            "49000.00",
            "169000.00",
            "31000.00",
        )
        result = shown(app, "#form-calc")
        assert "Points 1,388" in result
        assert "Converted AUM 169,000.00 (+49,000.00)" in result
        assert "Tier Potential → Potential" in result  # the ladder's English names
        assert "31,000.00 short of Silver VIP" in result
        assert "On site: points ×1.2" in shown(app, "#form-info")
        assert events_of(services, "FormSubmitted") == []  # nothing before Ctrl+S
        await pilot.press("ctrl+s")
        await settle(pilot)
        [submitted] = events_of(services, "FormSubmitted")
        p = submitted.payload
        assert (p["form_id"], p["client_id"], p["marketer"], p["points"], p["on_site"]) == (
            F01,
            "C000001",
            "mk1",
            1388,
            True,
        )
        assert [(x["product"], x["source"]) for x in p["lines"]] == [
            ("large_cd", "existing"),
            ("fund", "new"),
            ("insurance", "new"),
            ("credit_card", "new"),
        ]
        assert p["actions"] == ["mobile_banking"]
        message = shown(app, "#form-message")
        assert F01 in message and "branch head's queue" in message
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RegistrationScreen)
        assert "in queue F01" in widget_text(app.screen.query_one("#reg-list"))


async def test_bad_lines_are_named_and_the_good_ones_still_count(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_registration(pilot)
        form = await open_form(pilot, "0001")  # the mobile's last digits
        await type_text(pilot, "基金 10000\nfund ten\n大额存单 50000 存量")
        await pilot.pause()
        assert "Line 2:" in shown(app, "#form-problems")
        assert form.calculation.points == 180 + 600
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Line(s) 2 cannot be read" in shown(app, "#form-message")
        assert events_of(services, "FormSubmitted") == []
        assert form.query_one("#form-lines", TextArea).text.count("\n") == 2


async def test_an_unsuitable_line_is_flagged_before_submit_and_refused_keeping_the_text(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_registration(pilot)
        form = await open_form(pilot, "王芳")
        assert "risk grade C2 to 2027-06-30" in shown(app, "#form-info")
        await type_text(pilot, "time_deposit 20000\nfund 10000")
        await pilot.pause()
        problems = shown(app, "#form-problems")
        assert "Line 2: Fund (R3) exceeds the client's risk grade C2" in problems
        assert "Line 1" not in problems  # a deposit needs no assessment
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Not submitted" in shown(app, "#form-message")
        assert "exceeds the client's risk grade C2" in shown(app, "#form-message")
        assert form.query_one("#form-lines", TextArea).text == "time_deposit 20000\nfund 10000"
        assert events_of(services, "FormSubmitted") == []
        # Fixing the line lets it through.
        form.query_one("#form-lines", TextArea).text = "time_deposit 20000\nwealth_mgmt 10000"
        await pilot.pause()
        assert shown(app, "#form-problems").strip() == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(events_of(services, "FormSubmitted")) == 1


async def test_typing_is_kept_when_going_back_and_the_appointment_is_checked(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_registration(pilot)
        form = await open_form(pilot, "zs")
        await type_text(pilot, "fund 10000")
        form.query_one("#form-appointment", Input).focus()
        await type_text(pilot, "2026-11-19")
        await pilot.pause()
        assert "must be after the session's day" in shown(app, "#form-problems")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")  # the filter still holds "zs"
        await settle(pilot)
        again = app.screen
        assert isinstance(again, FormScreen) and again is not form
        assert again.query_one("#form-lines", TextArea).text == "fund 10000"
        assert again.query_one("#form-appointment", Input).value == "2026-11-19"


async def test_a_returned_form_appears_live_with_its_reason_and_is_resubmitted(services):
    services.execute(
        SubmitForm(
            session_id=SESSION,
            client_id="C000001",
            lines=(("fund", "10000", "new"),),
            actions=("wechat_bind",),
        ),
        MK,
    )
    app = create_app(services, "en", poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await open_registration(pilot)
        assert "in queue F01" in widget_text(picker.query_one("#reg-list"))
        services.execute(ReturnForm(form_id=F01, reason="金额写错，应为 20000"), HEAD)
        banner = picker.query_one("#reg-banner")
        await wait_for_text(
            pilot,
            lambda: widget_text(banner),
            "1 form(s) returned",
            what="the form returned elsewhere in the banner",
        )
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        forms = widget_text(picker.query_one("#reg-list"))
        assert "returned" in forms and "金额写错，应为 20000" in forms
        assert picker.query_one("#reg-list", OptionList).has_focus
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "金额写错，应为 20000" in shown(app, "#form-reason")
        assert "submission 2" in shown(app, "#form-title")
        lines = form.query_one("#form-lines", TextArea)
        assert lines.text == "fund 10000 new"
        assert form.query_one("#action-wechat_bind", Checkbox).value
        lines.text = "fund 20000 new"
        await pilot.pause()
        assert form.calculation.points == 360 + 50
        await pilot.press("ctrl+s")
        await settle(pilot)
        submitted = events_of(services, "FormSubmitted")
        assert [(e.payload["form_id"], e.payload["revision"]) for e in submitted] == [
            (F01, 0),
            (F01, 1),
        ]
        assert submitted[-1].payload["points"] == 410
        assert "resubmitted" in shown(app, "#form-message")


async def test_a_client_with_a_form_in_the_queue_is_not_given_a_second(services):
    services.execute(
        SubmitForm(session_id=SESSION, client_id="C000001", actions=("mobile_banking",)), MK
    )
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        picker = await open_registration(pilot)
        await type_text(pilot, "zs")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is picker
        assert "Form F01 for this client is already in the branch head's" in widget_text(
            picker.query_one("#reg-message")
        )


async def test_chinese_at_80x24_toggles_calculation_and_benefits(services):
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_registration(pilot)
        form = await open_form(pilot, "zs")
        await type_text(pilot, "基金 10000")
        await pilot.pause()
        text = screen_text(pilot)
        assert "升级确认单 · 张三" in text
        assert "积分 180" in text
        assert "本行标准权益" not in text
        await pilot.press("f2")
        await pilot.pause()
        text = screen_text(pilot)
        assert "权益" in text and "本行标准权益" in text and "积分 180" not in text
        await pilot.press("f2")
        await pilot.pause()
        assert "积分 180" in screen_text(pilot)
        assert form.query_one("#form-lines", TextArea).text == "基金 10000"


async def test_at_120x40_calculation_and_benefits_show_together(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_registration(pilot)
        await open_form(pilot, "zs")
        text = screen_text(pilot)
        assert "Benefits package" in text and "Bank standard benefits" in text
        assert "Points 0" in text


async def test_own_branch_sessions_come_first_and_each_shows_its_own_attendees(services):
    for code, name, role in (("mk9", "钱九", "marketer"), ("ck9", "孙十", "checkin")):
        services.execute(
            AddStaff(code=code, name=name, role=role, branch="B03", pin=STAFF_PIN), ADMIN
        )
    services.execute(PlanSessions(branch="B03", start="2026-11-20 14:00"), ADMIN)
    services.execute(OpenSession(session_id="B03-20261120-1400"), ADMIN)
    services.execute(PlanSessions(branch="B02", start="2026-11-20 17:00"), ORG)  # not open
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        picker = await open_registration(pilot)
        sessions = widget_text(picker.query_one("#reg-sessions")).splitlines()
        assert ["15:00 B02" in sessions[0], "14:00 B03" in sessions[1]] == [True, True]
        assert "17:00" not in "\n".join(sessions)
        await pilot.press("shift+tab")
        assert picker.query_one("#reg-sessions", OptionList).has_focus
        await pilot.press("down")
        await settle(pilot)
        assert picker.session_id == "B03-20261120-1400"
        assert "Nobody is checked in at this session yet" in widget_text(
            picker.query_one("#reg-list")
        )
        await pilot.press("up")
        await settle(pilot)
        assert "张三" in widget_text(picker.query_one("#reg-list"))


async def test_a_session_closing_while_the_form_is_open_drops_the_on_site_bonus(services):
    app = create_app(services, "en", poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_registration(pilot)
        form = await open_form(pilot, "zs")
        await type_text(pilot, "fund 10000")
        await pilot.pause()
        assert form.calculation.points == 180
        services.execute(CloseSession(session_id=SESSION), ORG)
        await wait_for(
            pilot,
            lambda: form.calculation.points != 180,
            what="the session's close to drop the on-site bonus",
        )
        assert form.calculation.points == 150
        assert "After the session: no on-site bonus" in shown(app, "#form-info")
        await pilot.press("ctrl+s")
        await settle(pilot)
        [submitted] = events_of(services, "FormSubmitted")
        assert (submitted.payload["on_site"], submitted.payload["points"]) == (False, 150)


def test_the_benefits_package_reads_four_parts_in_order(engine, clock):
    """On SQLite and (with UPGRADECAMP_TEST_PG) PostgreSQL: the fixtures' package, by part."""
    svc = bootstrap(engine=engine, clock=clock, terminal="test-terminal")
    initialise(svc, admin_code="admin1", admin_name="管理员", admin_pin="123409")
    package = benefits(engine)
    assert list(package) == [
        "bank_standard",
        "branch_special",
        "financial_partner",
        "nearby_merchant",
    ]
    assert package["bank_standard"][0] == {
        "title": "贵宾专属窗口",
        "description": "银卡及以上客户在营业网点享受贵宾窗口优先办理，免排队。",
        "title_en": "VIP priority counter",
        "description_en": "Silver and above are served first at the VIP counter of every branch, "
        "without queuing.",
    }
    assert [len(items) for items in package.values()] == [3, 2, 2, 2]


async def test_an_unreadable_line_is_named_with_an_example_and_a_refusal_goes_with_the_change(
    services,
):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_registration(pilot)
        form = await open_form(pilot, "0001")
        await type_text(pilot, "dae 100000 他行\nfund 1000.123")
        await pilot.pause()
        problems = shown(app, "#form-problems")
        assert "Line 1: Unknown product “dae”" in problems and "e.g. “fund 10000”" in problems
        assert "Line 2: fund (基金): 1000.123 has more than two decimals" in problems
        assert form.calculation is None or form.calculation.points == 0
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Line(s) 1, 2 cannot be read" in shown(app, "#form-message")
        assert events_of(services, "FormSubmitted") == []
        await pilot.press("backspace")  # the input the refusal was about changes: it goes
        await pilot.pause()
        assert shown(app, "#form-message").strip() == ""


async def test_f3_records_an_attendee_s_feedback_and_a_complaint_goes_to_the_head(services):
    from upgradecamp.tui.screens.feedback_dialog import FeedbackDialog

    app = create_app(services, "en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_registration(pilot)
        await type_text(pilot, "wf")  # 王芳
        await pilot.pause()
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, FeedbackDialog) and app.screen.client_id == "C000002"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (
            "Give a score" in shown(app, "#fb-problem")
            and events_of(services, "FeedbackGiven") == []
        )
        await pilot.press("2", "enter")
        await type_text(pilot, "too long")
        await pilot.press("enter")
        await type_text(pilot, "waited 30 min")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RegistrationScreen)
        [given] = events_of(services, "FeedbackGiven")
        assert (given.payload["score"], given.payload["complaint"]) == (2, "waited 30 min")
        assert "the complaint is bh1's, due 2026-11-23" in shown(app, "#reg-message")
