"""Client books on the TUI: an organizer filters B02's unassigned potential clients, sees the
counts per RM and assigns them in bulk; the marketer then finds them in My clients, searched
as at the door."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from tests.helpers import client_row
from tests.tui.conftest import ADMIN, settle, sign_in, widget_text
from tests.waiting import wait_for
from upgradecamp.domain.commands import RegisterClients
from upgradecamp.store.db import read_transaction
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.books import BooksScreen, MyClientsScreen


def assigned(services) -> list[str]:
    with read_transaction(services.engine) as conn:
        return sorted(
            ev.payload["client_id"]
            for ev in services.log.tail(conn, 50)
            if ev.type == "ClientAssigned"
        )


async def test_an_organizer_assigns_in_bulk_and_the_marketer_finds_them(services):
    services.execute(
        RegisterClients(
            clients=[
                client_row(1, name="张三", aum="120000.00"),
                client_row(2, name="李四", aum="60000.00"),
                client_row(3, name="王五", aum="300000.00"),
                client_row(4, name="赵六", rm="mk1"),
            ]
        ),
        ADMIN,
    )
    app = create_app(services, "en")
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "org1")
        await pilot.press("7")
        await wait_for(pilot, lambda: isinstance(app.screen, BooksScreen), what="the Books screen")
        table = app.screen.query_one("#books-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2, what="the counts per RM")
        assert table.get_row("-")[2] == "3"  # three without a manager
        app.screen.query_one("#books-segment", Input).value = "potential"
        app.screen.query_one("#books-rm", Input).focus()
        await pilot.press(*"mk1", "enter")
        result = app.screen.query_one("#books-result")
        await wait_for(
            pilot,
            lambda: "2 client(s) assigned to mk1" in widget_text(result),
            what="the assignment",
        )
        assert assigned(services) == ["C000001", "C000002"]
        await wait_for(pilot, lambda: table.get_row("mk1")[2] == "3", what="the counts again")
        await pilot.press("escape")
        await settle(pilot)
        app.sign_out()
        await settle(pilot)
        await sign_in(pilot, "mk1")
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(app.screen, MyClientsScreen), what="My clients")
        book = app.screen.query_one("#book-table", DataTable)
        await wait_for(pilot, lambda: book.row_count == 3, what="the marketer's book")
        assert "My clients (mk1) · 3" in widget_text(app.screen.query_one("#book-title"))
        await pilot.press(*"zs")
        await wait_for(
            pilot,
            lambda: [r.key.value for r in book.ordered_rows] == ["C000001"],
            what="the search by initials",
        )
        row = [str(cell) for cell in book.get_row("C000001")]
        assert row[2] == "138****0001" and row[3] == "Potential"
