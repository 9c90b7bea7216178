"""The test helpers themselves: a wait that cannot be met fails naming what it waited for and
what it saw last; the screen is read back cell for cell, wide characters included."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from tests.screen import screen_lines, screen_text, widget_text
from tests.waiting import wait_for, wait_for_text, wait_for_workers, wait_until


class Board(App[None]):
    CSS = "#left { width: 12; } #right { width: 1fr; }"

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("签到 · 张三", id="left")
            yield Static("Arrived 1 <ok> & done", id="right")


async def test_a_wait_that_is_never_met_names_the_condition_and_what_it_saw():
    app = Board()
    async with app.run_test(size=(40, 3)) as pilot:
        with pytest.raises(AssertionError) as failed:
            await wait_for(
                pilot,
                lambda: False,
                what="the board to say Arrived 2",
                seen=lambda: widget_text(app.query_one("#right")),
                timeout=0.2,
            )
        message = str(failed.value)
        assert "waiting for the board to say Arrived 2" in message
        assert "Arrived 1 <ok> & done" in message
        with pytest.raises(AssertionError, match=r"missing \['Arrived 2'\]"):
            await wait_for_text(
                pilot, lambda: widget_text(app.query_one("#right")), "Arrived 2", timeout=0.2
            )


async def test_waits_return_once_the_condition_holds():
    app = Board()
    async with app.run_test(size=(40, 3)) as pilot:
        app.set_timer(0.1, lambda: app.query_one("#right", Static).update("Arrived 2"))
        shown = await wait_for_text(
            pilot, lambda: widget_text(app.query_one("#right")), "Arrived 2"
        )
        assert shown.strip() == "Arrived 2"
        await wait_for_workers(pilot)


async def test_the_screen_reads_back_cell_for_cell_with_wide_characters():
    app = Board()
    async with app.run_test(size=(40, 3)) as pilot:
        lines = screen_lines(pilot)
        assert len(lines) == 3
        assert lines[0].startswith("签到 · 张三")
        assert "Arrived 1 <ok> & done" in screen_text(pilot)
        # 签到 · 张三 is 11 cells wide: the right-hand widget starts at cell 12.
        assert widget_text(app.query_one("#left")).splitlines()[0] == "签到 · 张三"
        assert widget_text(app.query_one("#right")).splitlines()[0] == "Arrived 1 <ok> & done"


def test_wait_until_fails_naming_what_it_waited_for():
    with pytest.raises(AssertionError, match="waiting for the file to appear"):
        wait_until(lambda: False, what="the file to appear", timeout=0.1)
