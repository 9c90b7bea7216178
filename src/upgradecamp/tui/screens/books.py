"""Client books (客户名单): a marketer's My clients, and an organizer's Books place.

My clients lists the marketer's own book with what a call needs (tier, AUM, risk grade and its
expiry, last contact, next follow-up, upcoming sessions), searched as at the door: name,
pinyin or initials, the mobile's last 4 digits, or the client number. Books filters a branch
by segment and/or unassigned clients, shows the counts per relationship manager, and assigns
the filtered clients to one of them in bulk (one event per client).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Input, Static

from upgradecamp.tui.formats import whole_yuan
from upgradecamp.tui.i18n import client_name, t
from upgradecamp.tui.widgets import fit
from upgradecamp.tui.widgets.keys_line import KeysLine
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import fill_table
from upgradecamp.tui.workers import Failure, in_place, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

COUNT_COLUMNS = ("rm", "name", "clients", "potential", "aum")
BOOK_COLUMNS = ("client", "name", "mobile", "tier", "aum", "risk", "last", "next", "sessions")


class MyClientsScreen(Screen[None]):
    """The signed-in marketer's own clients, searchable."""

    AUTO_FOCUS = "#book-search"
    BINDINGS = [Binding("escape", "back", show=False, id="book.back")]

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.shown_for: str | None = None
        self.rows: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static(
            t("books.mine_title", code=self.actor.code, count=0),
            id="book-title",
            classes="screen-title",
            markup=False,
        )
        yield Input(placeholder=t("books.search"), id="book-search")
        table: DataTable[str] = DataTable(id="book-table", cursor_type="row")
        table.add_columns(*(t(f"books.col_{c}") for c in BOOK_COLUMNS))
        yield table
        yield Static(t("books.mine_keys"), classes="keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        self.load("")

    @on(Input.Changed, "#book-search")
    def _search(self, event: Input.Changed) -> None:
        self.load(event.value)

    def load(self, text: str) -> None:
        def load(services: Services) -> list[Any]:
            from upgradecamp.queries.books import my_clients

            return my_clients(
                services.engine, self.actor.code, services.clock(), text, viewer=self.actor
            )

        run_in_thread(
            self,
            load,
            lambda rows: self._loaded(rows, "", text),
            lambda failure: self._loaded([], failure.text, text),  # typing again retries
            group="book-load",
        )

    def _loaded(self, rows: list[Any], problem: str, text: str) -> None:
        self.rows = rows
        self._fill()
        self.query_one("#book-title", Static).update(
            problem or t("books.mine_title", code=self.actor.code, count=len(rows))
        )
        self.shown_for = text

    def _fill(self) -> None:
        """The book; on a narrow terminal the sessions, the client number, the risk grade and the
        last contact give way, in that order."""
        cells = []
        for r in self.rows:
            risk = f"{r.risk_grade or '-'} {r.risk_expires or ''}".strip()
            if r.risk_expired:
                risk += " " + t("books.expired")
            line = [
                r.client_id,
                fit(client_name(r.name), 8),
                r.mobile,
                t(f"checkin_desk.tier.{r.tier}") if r.tier else "",
                whole_yuan(r.aum),
                risk,
                r.last_contact or "-",
                r.next_followup or "-",
                " ".join(s[4:13] for s in r.upcoming_sessions) or "-",
            ]
            cells.append((r.client_id, [Text(c) for c in line]))
        headers = [t(f"books.col_{c}") for c in BOOK_COLUMNS]
        fill_table(
            self.query_one("#book-table", DataTable), headers, cells, drop_to_fit=(8, 0, 5, 6)
        )

    def on_resize(self, _event: Resize) -> None:
        if not in_place(self):
            return
        self._fill()

    def action_back(self) -> None:
        self.app.pop_screen()


class BooksScreen(Screen[None]):
    """Filter a branch's clients, see them per RM, and assign the filtered ones in bulk."""

    AUTO_FOCUS = "#books-branch"
    HELP_EXTRA = (("enter", "help.year.books_enter"),)
    BINDINGS = [
        Binding("escape", "back", show=False, id="books.back"),
        Binding("ctrl+a", "assign", show=False, id="books.assign"),
    ]

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.loaded = 0

    def compose(self) -> ComposeResult:
        yield Static(t("books.title"), classes="screen-title", markup=False)
        with Horizontal(id="books-filter"):
            yield Input(
                value=self.actor.branch or "", placeholder=t("books.branch"), id="books-branch"
            )
            yield Input(placeholder=t("books.segment"), id="books-segment")
            yield Checkbox(t("books.unassigned"), value=True, id="books-unassigned")
            yield Input(placeholder=t("books.rm"), id="books-rm")
        table: DataTable[str] = DataTable(id="books-table", cursor_type="row")
        table.add_columns(*(t(f"books.count_{c}") for c in COUNT_COLUMNS))
        yield table
        yield Static("", id="books-result", markup=False)
        yield KeysLine(t("books.keys"), t("books.keys_short"), classes="keys")
        yield StatusBar()

    def on_mount(self) -> None:
        self.load()

    def _filter(self) -> tuple[str, str | None, bool]:
        branch = self.query_one("#books-branch", Input).value.strip()
        segment = self.query_one("#books-segment", Input).value.strip() or None
        return branch, segment, self.query_one("#books-unassigned", Checkbox).value

    @on(Input.Submitted, "#books-branch")
    @on(Input.Submitted, "#books-segment")
    def _filter_changed(self, _event: Any) -> None:
        self.load()

    @on(Input.Submitted, "#books-rm")
    def _rm_entered(self, _event: Any) -> None:
        self.action_assign()

    def load(self) -> None:
        branch, segment, _unassigned = self._filter()

        def load(services: Services) -> list[Any]:
            from upgradecamp.queries.books import book_counts

            return book_counts(services.engine, branch or None, segment)

        run_in_thread(
            self,
            load,
            lambda counts: self._counted(counts, ""),
            lambda failure: self._counted([], failure.text),
            group="books-load",
        )

    def _counted(self, counts: list[Any], problem: str) -> None:
        table = self.query_one("#books-table", DataTable)
        rows = [
            (
                c.rm or "-",
                [
                    c.rm or t("books.nobody"),
                    fit(c.rm_name, 8),
                    str(c.clients),
                    str(c.potential),
                    whole_yuan(c.aum),
                ],
            )
            for c in counts
        ]
        fill_table(table, [t(f"books.count_{c}") for c in COUNT_COLUMNS], rows)
        self.loaded += 1
        if problem:
            self.query_one("#books-result", Static).update(problem)

    def action_assign(self) -> None:
        rm = self.query_one("#books-rm", Input).value.strip()
        if not rm:
            self.query_one("#books-result", Static).update(t("books.type_rm"))
            self.query_one("#books-rm", Input).focus()
            return
        self.assign(rm, *self._filter())

    def assign(self, rm: str, branch: str, segment: str | None, unassigned: bool) -> None:
        from upgradecamp.domain.commands import AssignClients

        command = AssignClients(
            rm=rm, branch=branch or None, segment=segment, unassigned=unassigned
        )
        run_in_thread(
            self,
            lambda services: services.execute(command, self.actor),
            self._assigned,
            self._refused,  # a refusal is shown; the filter stays as typed
            group="books-assign",
            exclusive=False,
        )

    def _refused(self, failure: Failure) -> None:
        self.query_one("#books-result", Static).update(failure.text)

    def _assigned(self, r: dict[str, Any]) -> None:
        view = self.query_one("#books-result", Static)
        view.update(t("books.done", count=r["assigned"], rm=r["rm"], already=r["already"]))
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
