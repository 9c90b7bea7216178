"""`fill_table` sets each column's width from its cells, so a refill with a longer cell widens
the column at once (the table's own measuring was seen to keep the old width under load)."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from upgradecamp.tui.widgets.tables import cursor_place, fill_table


class _TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable(id="t")


def _widths(table: DataTable) -> list[int]:
    return [column.width for column in table.ordered_columns]


async def test_a_refill_with_a_longer_cell_widens_its_column_at_once():
    app = _TableApp()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(DataTable)
        fill_table(table, ["主题", "容量"], [("a", ["小小银行家", "10"])], keys=["theme", "seats"])
        await pilot.pause()
        assert _widths(table) == [10, 4]
        rows = [("a", ["小小银行家", "10"]), ("b", [Text("年末理财沙龙"), Text("120")])]
        fill_table(table, ["主题", "容量"], rows, keys=["theme", "seats"])
        assert _widths(table) == [12, 4]
        assert table.get_row("b")[0].plain == "年末理财沙龙" and table.row_count == 2


async def test_a_str_cell_is_measured_as_the_text_it_shows():
    app = _TableApp()
    async with app.run_test(size=(100, 20)):
        table = app.query_one(DataTable)
        fill_table(table, ["x"], [("a", ["[b]bold[/b]"])])
        assert _widths(table) == [4]


async def test_a_refill_keeps_the_cursor_where_the_table_has_it_not_where_the_screen_last_heard():
    app = _TableApp()
    async with app.run_test(size=(100, 20)):
        table = app.query_one(DataTable)
        rows = [(key, [key]) for key in ("a", "b", "c")]
        fill_table(table, ["x"], rows)
        assert cursor_place(table, "a", 0) == ("a", 0)
        table.move_cursor(row=2, animate=False)  # a key press the screen has not handled yet
        assert cursor_place(table, "a", 0) == ("c", 2)
        table.clear()
        assert cursor_place(table, "b", 1) == ("b", 1)  # an empty table: the screen's
