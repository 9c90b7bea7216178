"""The room's screen follows a scripted session: check-ins and approvals run through the bus
while the wall is up, and it shows each within the app's log poll, by surname and title only.

The clock is fixed at Friday 2026-11-20 14:50 Beijing time; the B02 session starts at 15:00
that day with three confirmed invitees: 王小明, 欧阳娜娜 and 张三.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import Digits

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
from upgradecamp.domain.commands import RegisterClients
from upgradecamp.domain.commands.checkins import CheckIn
from upgradecamp.domain.commands.forms import ApproveForm, SubmitForm
from upgradecamp.domain.commands.invitations import BuildInviteList, RecordInvitationOutcome
from upgradecamp.domain.commands.sessions import OpenSession, PlanSessions
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap
from upgradecamp.store.db import read_transaction
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.wall import WallScreen
from upgradecamp.tui.screens.wall_picker import WallPickerScreen
from upgradecamp.tui.wall_app import run_wall

NOW = datetime(2026, 11, 20, 6, 50, tzinfo=UTC)  # 14:50 in Beijing
SESSION = "B02-20261120-1500"
ORG = Actor(code="org1", role="organizer", branch="B02", name="李四")
DESK = Actor(code="ck1", role="checkin", branch="B02", name="王小明")
MK = Actor(code="mk1", role="marketer", branch="B02", name="张三丰")
HEAD = Actor(code="bh1", role="branch_head", branch="B02", name="赵行长")
NAMES = {1: "王小明", 2: "欧阳娜娜", 3: "张三"}


def cid(n: int) -> str:
    return f"C{n:06d}"


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def services(db_path):
    clock = FakeClock(NOW)
    svc = bootstrap(db_path, terminal="desk-A", clock=clock)
    add_staff(svc)
    svc.execute(
        RegisterClients(clients=[client_row(n, name=name) for n, name in NAMES.items()]), ADMIN
    )
    clock.advance(days=-40)
    svc.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", capacity=10), ORG)
    built = svc.execute(BuildInviteList(session_id=SESSION), ORG)
    for inv in built["invitations"]:
        svc.execute(
            RecordInvitationOutcome(
                invitation=inv["invitation_id"], channel="call", result="confirmed"
            ),
            ORG,
        )
    clock.advance(days=40)
    svc.execute(OpenSession(session_id=SESSION), DESK)
    return svc


async def until(pilot, condition, what: str) -> None:
    """Let the app run (its poll included) until `condition()` holds; fail naming `what` and
    showing the screen."""
    await wait_for(
        pilot, condition, what=f"the wall to show {what}", seen=lambda: screen_text(pilot)
    )


def digits(wall: WallScreen, name: str) -> str:
    return wall.query_one(f"#wall-{name}", Digits).value


def text_of(wall: WallScreen, name: str) -> str:
    return widget_text(wall.query_one(f"#wall-{name}"))


async def test_the_wall_follows_check_ins_and_approvals_by_surname_only(services):
    app = run_wall(services, HEAD, SESSION, "zh_CN", run=False)
    async with app.run_test(size=(120, 40)) as pilot:
        wall = app.screen
        assert isinstance(wall, WallScreen)
        await until(pilot, lambda: wall.loads > 0, "its first load")
        assert digits(wall, "arrived") == "0" and "预计 3 位" in text_of(wall, "arrived-note")
        assert "距开始还有 10 分钟" in text_of(wall, "agenda")
        assert "欢迎光临！请到签到台签到。" in text_of(wall, "greeting")

        services.execute(CheckIn(session_id=SESSION, client_id=cid(1)), DESK)
        await until(
            pilot,
            lambda: "欢迎 王先生/女士 莅临！" in text_of(wall, "greeting"),
            "the first welcome",
        )
        assert digits(wall, "arrived") == "1"

        services.clock.advance(minutes=12)  # 15:02
        services.execute(CheckIn(session_id=SESSION, client_id=cid(2)), DESK)
        await until(
            pilot,
            lambda: "欢迎 欧阳先生/女士 莅临！" in text_of(wall, "greeting"),
            "the second welcome",
        )
        assert "王先生/女士" in text_of(wall, "arrivals") and digits(wall, "arrived") == "2"
        assert "当前环节：客户签到 · 本环节还剩 3 分钟 · 距结束 38 分钟" in text_of(wall, "agenda")

        services.clock.advance(minutes=18)  # 15:20
        form = services.execute(
            SubmitForm(session_id=SESSION, client_id=cid(1), lines=(("fund", "400000", "new"),)), MK
        )
        await until(pilot, lambda: digits(wall, "forms") == "1", "the form submitted")
        assert digits(wall, "approved") == "0" and "恭喜" not in text_of(wall, "celebration")
        assert "升级方案介绍" in text_of(wall, "agenda")
        services.execute(ApproveForm(form_id=form["form_id"], pin=STAFF_PIN), HEAD)
        celebrated = "恭喜 王先生/女士 升级为金卡贵宾！"
        await until(
            pilot, lambda: celebrated in text_of(wall, "celebration"), "the upgrade celebrated"
        )
        assert digits(wall, "approved") == "1" and digits(wall, "subscribed") == "400 000"
        assert wall.query_one("#wall-celebration").has_class("-new")

        shown = screen_text(pilot)
        for secret in ("王小明", "欧阳娜娜", "138", cid(1)):
            assert secret not in shown, secret
        await pilot.press("escape")  # a wall started on its own closes with Esc
        await until(pilot, lambda: not app.is_running, "the app closing")


async def test_the_lists_stay_bounded_however_many_arrive(services):
    names = "甲乙丙丁戊己庚辛壬癸子丑"
    services.execute(
        RegisterClients(
            clients=[
                client_row(n, name=f"孙{names[n - 10]}", aum="10000.00") for n in range(10, 22)
            ]
        ),
        ADMIN,
    )
    app = run_wall(services, HEAD, SESSION, "en", run=False)
    async with app.run_test(size=(120, 40)) as pilot:
        wall = app.screen
        await until(pilot, lambda: wall.loads > 0, "its first load")
        for n in range(10, 20):
            services.clock.advance(seconds=30)
            services.execute(CheckIn(session_id=SESSION, client_id=cid(n)), DESK)
        await until(pilot, lambda: digits(wall, "arrived") == "10", "ten arrivals")
        assert len(wall.state["arrivals"]) == 6
        assert "Welcome, 孙先生/女士!" in text_of(wall, "greeting")


async def test_organizers_open_the_wall_from_home_and_go_back(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "org1")
        await pilot.press("6")  # the organizer's sixth place
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, WallPickerScreen)
        await until(
            pilot,
            lambda: "15:00–15:40" in widget_text(picker.query_one("#wall-table")),
            "today's session in the picker",
        )
        await pilot.press("enter")
        await settle(pilot)
        wall = app.screen
        assert isinstance(wall, WallScreen) and wall.session_id == SESSION
        await until(pilot, lambda: "Starting in 10 min" in text_of(wall, "agenda"), "the countdown")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is picker


async def test_a_marketer_has_no_wall_and_cannot_open_one(services):
    app = run_wall(services, MK, SESSION, "en", run=False)
    async with app.run_test(size=(120, 40)) as pilot:
        wall = app.screen
        await until(pilot, lambda: "Ask an organizer" in text_of(wall, "problem"), "the refusal")
        assert wall.loads == 0


async def test_a_cards_qr_code_read_by_a_scanner_checks_the_client_in(services, tmp_path):
    """What a USB scanner types from a printed card (the code, then Enter, no pause) checks
    the client in at the desk: the card's PNG is decoded, and its text typed as a burst."""
    zxingcpp = pytest.importorskip("zxingcpp")
    image = pytest.importorskip("PIL.Image")
    from upgradecamp.domain.commands.exports import PrintCards
    from upgradecamp.tui.screens.checkin_desk import DeskScreen

    folder = tmp_path / "png"
    folder.mkdir()
    cards = services.execute(
        PrintCards(session_id=SESSION, out=str(tmp_path / "cards.html"), png_dir=str(folder)), ORG
    )
    [scanned] = zxingcpp.read_barcodes(image.open(sorted(cards["pngs"])[0]))
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ck1")
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        await pilot.press(*scanned.text, "enter")
        await settle(pilot)
    with read_transaction(services.engine) as conn:
        [checked] = [ev for ev in services.log.tail(conn, 50) if ev.type == "ClientCheckedIn"]
    assert (checked.payload["client_id"], checked.payload["method"]) == (cid(1), "code")
