"""Who is in the room (在场名单): everyone checked in at this session, searchable.

The desk's board counts heads and its recent list shows the last few arrivals; this list
(F4 at the desk) shows them all, with the time, the desk (terminal and staff) and the kind of
seat: invited, walk-in, or an organizer's override. Typing filters by name, pinyin initials,
the mobile's last digits or the desk. It reloads when any terminal writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from upgradecamp.tui.i18n import client_name, t
from upgradecamp.tui.messages import LogAdvanced
from upgradecamp.tui.screens.checkin_dialogs import NAME_CELLS
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets import fit
from upgradecamp.tui.widgets.tables import fill_table
from upgradecamp.tui.workers import run_in_thread

if TYPE_CHECKING:
    from upgradecamp.queries.checkins import InTheRoom
    from upgradecamp.service.bus import Services


def kind_name(kind: str) -> str:
    return t(f"door.room_kind.{kind}")


def matches(row: InTheRoom, text: str) -> bool:
    """Name, pinyin initials, the mobile's last digits, the terminal or the staff code."""
    text = text.strip().lower()
    if not text:
        return True
    return (
        text in row.name.lower()
        or row.initials.lower().startswith(text)
        or (text.isdigit() and row.mobile.endswith(text))
        or text in row.terminal.lower()
        or text == row.by.lower()
        or text in kind_name(row.kind).lower()
    )


def room_columns() -> list[str]:
    return [
        t("door.room_col_time"),
        t("checkin_desk.col_name"),
        t("checkin_desk.col_mobile"),
        t("door.room_col_kind"),
        t("door.room_col_desk"),
    ]


def room_cells(row: InTheRoom) -> list[Text]:
    kind = kind_name(row.kind)
    if row.override_by:
        kind = f"{kind} {row.override_by}"
    return [
        Text(row.time),
        Text(fit(client_name(row.name), NAME_CELLS).rstrip()),
        Text(row.mobile),
        Text(kind, style="bold" if row.kind == "override" else ""),
        Text(f"{row.terminal or ''} · {row.by or ''}"),
    ]


class RoomScreen(ModalScreen[None]):
    """Everyone in the room; type to search, Esc back to the desk."""

    AUTO_FOCUS = "#room-filter"
    DEFAULT_CSS = stylesheet("room_screen")
    BINDINGS = [Binding("escape", "back", show=False, id="checkin_desk.room_back")]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.rows: list[InTheRoom] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="ck-box"):
            yield Static(
                t("door.room_title", count="…"),
                id="room-title",
                classes="ck-box-title",
                markup=False,
            )
            yield Input(id="room-filter", max_length=30, placeholder=t("door.room_filter"))
            yield DataTable(id="room-table", cursor_type="row", zebra_stripes=True)
            yield Static(t("door.room_keys"), classes="ck-keys", markup=False)

    def on_mount(self) -> None:
        fill_table(self.query_one("#room-table", DataTable), room_columns(), [])
        self._load()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self._load()

    def _load(self) -> None:
        def load(services: Services) -> list[InTheRoom]:
            from upgradecamp.queries.checkins import in_the_room

            return in_the_room(services.engine, self.session_id)

        # A failure is shown in the title; the next log change retries.
        run_in_thread(
            self,
            load,
            self._loaded,
            lambda failure: self.query_one("#room-title", Static).update(failure.text),
            group="ck-room",
        )

    def _loaded(self, rows: list[InTheRoom]) -> None:
        self.rows = rows
        self._show()

    @on(Input.Changed, "#room-filter")
    def _show(self) -> None:
        text = self.query_one("#room-filter", Input).value
        shown = [row for row in self.rows if matches(row, text)]
        self.query_one("#room-title", Static).update(
            t("door.room_title", count=len(self.rows))
            if not text.strip()
            else t("door.room_title_found", found=len(shown), count=len(self.rows))
        )
        fill_table(
            self.query_one("#room-table", DataTable),
            room_columns(),
            [(row.checkin_id, room_cells(row)) for row in shown],
        )

    def action_back(self) -> None:
        self.dismiss(None)
