"""The client import screen: an organizer checks and imports a CRM file; bad rows on screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from textual.widgets import Checkbox, DataTable, Input

from tests.tui.conftest import screen_text, settle, sign_in, widget_text
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientRow
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.client_import import ClientImportScreen

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "fixtures" / "imports" / "clients_sample.csv"
BAD = REPO / "fixtures" / "imports" / "clients_bad.csv"


@pytest.fixture
def bad_csv(tmp_path):
    """The shipped bad sample, copied: an import writes its report beside the file."""
    copy = tmp_path / BAD.name
    copy.write_bytes(BAD.read_bytes())
    return copy


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def client_count(services) -> int:
    with read_transaction(services.engine) as conn:
        return conn.execute(select(func.count()).select_from(ClientRow)).scalar_one()


async def open_import(pilot, path: Path) -> ClientImportScreen:
    await sign_in(pilot, "org1")
    await pilot.press("2")  # the organizer's second place: clients
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ClientImportScreen)
    screen.query_one("#import-path", Input).value = str(path)
    return screen


def summary(screen) -> str:
    return widget_text(screen.query_one("#import-summary"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_organizer_checks_then_imports_the_sample(services, size):
    app = create_app(services, "en")
    async with app.run_test(size=size) as pilot:
        screen = await open_import(pilot, SAMPLE)
        await pilot.press("enter")  # Enter in the path field checks
        await settle(pilot)
        assert "would register 20, update 0, leave 0 unchanged" in " ".join(summary(screen).split())
        assert client_count(services) == 0
        await pilot.press("f9")
        await settle(pilot)
        assert "Imported: registered 20, updated 0, unchanged 0." in " ".join(
            summary(screen).split()
        )
        assert client_count(services) == 20
        text = screen_text(pilot)
        assert "Good rows only" in text and "Check (F5)" in text and "Import (F9)" in text
        await pilot.press("f9")
        await settle(pilot)
        assert "registered 0, updated 0, unchanged 20" in " ".join(summary(screen).split())
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ClientImportScreen)


async def test_bad_rows_are_listed_and_nothing_is_imported_until_good_rows_only(bad_csv, services):
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot, bad_csv)
        await pilot.press("f5")
        await settle(pilot)
        table = screen.query_one("#import-problems", DataTable)
        assert table.row_count == 8
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == [
            "3",
            "5",
            "7",
            "8",
            "9",
            "9",
            "10",
            "12",
        ]
        assert "7 bad row(s)" in " ".join(summary(screen).split())
        await pilot.press("f9")
        await settle(pilot)
        assert "7 bad row(s); nothing was imported" in " ".join(summary(screen).split())
        assert table.row_count == 8 and client_count(services) == 0
        table.focus()
        await pilot.press("down")
        await pilot.pause()
        assert "Line 5, 金融资产 aum “-5,000.00”: financial assets cannot be negative" in " ".join(
            widget_text(screen.query_one("#import-detail")).split()
        )
        screen.query_one("#import-good-only", Checkbox).value = True
        await pilot.press("f9")
        await settle(pilot)
        shown = " ".join(summary(screen).split())
        assert "Imported: registered 4, updated 0, unchanged 0." in shown
        assert "Skipped 7 bad row(s): line(s) 3, 5, 7, 8, 9, 10, 12." in shown
        assert client_count(services) == 4


async def test_file_errors_show_on_screen_in_chinese(bad_csv, services, tmp_path):
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot, tmp_path / "none.csv")
        await pilot.press("f5")
        await settle(pilot)
        assert "无法读取" in summary(screen)
        no_mobile = tmp_path / "c.csv"
        no_mobile.write_text(
            "客户号,姓名,证件号后四位,所属网点,金融资产,营销同意\n", encoding="utf-8"
        )
        screen.query_one("#import-path", Input).value = str(no_mobile)
        await pilot.press("f5")
        await settle(pilot)
        assert "缺少以下列：mobile" in summary(screen)
        screen.query_one("#import-path", Input).value = str(bad_csv)
        await pilot.press("f5")
        await settle(pilot)
        table = screen.query_one("#import-problems", DataTable)
        assert str(table.get_row_at(0)[1]) == "手机号"
        assert str(table.get_row_at(0)[3]) == "不是有效的大陆手机号（11 位，以 13–19 开头）"
        assert str(table.get_row_at(2)[3]) == "该客户号在第 2 行已出现；每位客户只保留一行"
        screen.query_one("#import-path", Input).value = ""
        await pilot.press("f5")
        await settle(pilot)
        assert "请先输入" in summary(screen)


async def test_values_that_look_like_markup_show_as_typed(services, tmp_path):
    path = tmp_path / "markup.csv"
    path.write_text(
        "客户号,姓名,手机号,证件号后四位,所属网点,金融资产,营销同意\n"
        "1,[/],[bold]1380,0012,[red]B01,100,Y\n",
        encoding="utf-8",
    )
    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot, path)
        await pilot.press("f5")
        await settle(pilot)
        table = screen.query_one("#import-problems", DataTable)
        assert [[str(c) for c in table.get_row_at(i)][:3] for i in range(2)] == [
            ["2", "所属网点 branch", "[red]B01"],
            ["2", "手机号 mobile", "[bold]1380"],
        ]
        assert "[bold]1380" in screen_text(pilot)
        assert "[red]B01" in screen_text(pilot)


async def test_many_bad_rows_show_the_first_50_the_count_and_the_report(services, tmp_path):
    from tests.service.test_import_report import write_file

    source = write_file(tmp_path / "crm.csv", bad=40)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_import(pilot, source)
        await pilot.press("f5")
        await settle(pilot)
        assert screen.query_one("#import-problems", DataTable).row_count == 50
        title = widget_text(screen.query_one("#import-problems-title"))
        assert "the first 50 of 80 problems" in " ".join(title.split())
        shown = "".join(summary(screen).split())
        expected = f"Every problem is listed in {tmp_path / 'crm.problems.csv'}"
        assert "".join(expected.split()) in shown
