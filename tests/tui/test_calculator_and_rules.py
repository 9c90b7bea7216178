"""The calculator screen (a marketer types lines, the result follows) and the rules screen."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import Checkbox, Static

from tests.helpers import publish_next_quarter
from tests.tui.conftest import ADMIN, STAFF, STAFF_PIN, settle, sign_in, widget_text
from upgradecamp.domain.commands import AddStaff
from upgradecamp.service.bus import bootstrap
from upgradecamp.service.setup import initialise
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.calculator import CalculatorScreen
from upgradecamp.tui.screens.rules import RulesScreen

KEY_NAMES = {" ": "space", "\n": "enter", ",": "comma", ".": "full_stop"}


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def services(tmp_path):
    """Signed-in staff on a database whose clock stands in 2026Q4 (rules in force are fixed)."""
    svc = bootstrap(
        str(tmp_path / "c.db"),
        terminal="test-terminal",
        clock=lambda: datetime(2026, 11, 20, 7, 0, tzinfo=UTC),
    )
    initialise(svc, admin_code="admin1", admin_name="管理员", admin_pin="123409")
    for role in ("marketer", "organizer"):
        code, name = STAFF[role]
        svc.execute(AddStaff(code=code, name=name, role=role, branch="B02", pin=STAFF_PIN), ADMIN)
    publish_next_quarter(svc, ADMIN)
    return svc


async def type_text(pilot, text: str) -> None:
    await pilot.press(*(KEY_NAMES.get(ch, ch) for ch in text))


async def open_calculator(pilot) -> None:
    """Signed in as the marketer, on the calculator."""
    await sign_in(pilot, "mk1")
    await pilot.press("2")
    await settle(pilot)


def result_text(app) -> str:
    return widget_text(app.screen.query_one("#calc-result", Static))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_marketer_types_the_worked_example_and_sees_the_result_live(services, size):
    app = create_app(services, "en")
    async with app.run_test(size=size) as pilot:
        await open_calculator(pilot)
        assert isinstance(app.screen, CalculatorScreen)
        assert "rule set 2026Q4" in widget_text(app.screen.query_one("#calc-title"))
        await type_text(pilot, "120000")
        app.screen.query_one("#calc-lines").focus()
        await type_text(pilot, "large_cd 50000 existing\nfund 10000\n")
        await pilot.pause()
        assert app.screen.calculation.points == 600 * 1 + 180
        await type_text(pilot, "insurance 8000\ncredit_card 1")
        app.screen.query_one("#action-mobile_banking", Checkbox).focus()
        await pilot.press("space")
        await pilot.pause()
        calc = app.screen.calculation
        assert (calc.points, str(calc.converted_aum), str(calc.gap)) == (
            1388,
            "169000.00",
            "31000.00",
        )
        app.screen.query_one("#calc-result").scroll_home(animate=False)
        shown = result_text(app)
        assert "Converted AUM 169,000.00 (+49,000.00)" in shown
        assert "Points 1,388" in shown
        assert "31,000.00 short of Silver VIP" in shown  # the ladder's English name


async def test_a_bad_line_is_named_and_the_good_lines_still_count(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_calculator(pilot)
        await type_text(pilot, "120000")
        app.screen.query_one("#calc-lines").focus()
        await type_text(pilot, "fund 10000\nstocks 5\ncredit_card 1.5")
        await pilot.pause()
        problems = widget_text(app.screen.query_one("#calc-problems"))
        assert "Line 2: Unknown product “stocks” in rule set 2026Q4" in problems
        assert "Line 3: credit_card (信用卡) is counted in whole units" in problems
        assert app.screen.calculation.points == 180
        assert app.screen.query_one("#calc-lines").text.endswith("credit_card 1.5")
        await pilot.press("escape")
        assert not isinstance(app.screen, CalculatorScreen)


async def test_rules_screen_shows_products_tiers_and_versions(services):
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "org1")
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        version = widget_text(app.screen.query_one("#rules-version"))
        assert "2026Q4" in version and "今日生效" in version
        products = widget_text(app.screen.query_one("#rules-products"))
        assert "基金" in products and "1.5" in products and "R3" in products
        assert "银卡贵宾" in widget_text(app.screen.query_one("#rules-ladder"))
        await pilot.press("down")
        await pilot.pause()
        version = widget_text(app.screen.query_one("#rules-version"))
        assert "2027Q1" in version and "今日生效" not in version
        assert "1.6" in widget_text(app.screen.query_one("#rules-products"))


async def test_line_problems_are_shown_in_chinese(services):
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_calculator(pilot)
        app.screen.query_one("#calc-lines").focus()
        await type_text(pilot, "stocks 5\nfund abc")
        await pilot.pause()
        problems = widget_text(app.screen.query_one("#calc-problems"))
        assert "第 1 行：规则 2026Q4 中没有产品“stocks”" in problems
        assert "第 2 行：" in problems and "不是数字" in problems


async def test_amounts_typed_in_wan_count_ten_thousand_yuan(services):
    """Staff say 12万 for 120,000: the AUM field takes 万, and so do the lines."""
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_calculator(pilot)
        await type_text(pilot, "12万")
        assert app.screen.query_one("#calc-aum").value == "12万"  # 万 is not filtered out
        app.screen.query_one("#calc-lines").focus()
        await type_text(pilot, "基金 1万")
        await pilot.pause()
        calc = app.screen.calculation
        assert (str(calc.converted_aum), calc.points) == ("135000.00", 180)
        assert "折算资产 135,000.00（+15,000.00）" in result_text(app)
