"""The Wall place: pick one of today's sessions to put on the room's TV. (The app that
`upgradecamp wall SESSION` opens straight on the wall is `tui/wall_app.py`.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from upgradecamp.i18n import theme_of
from upgradecamp.tui.i18n import t
from upgradecamp.tui.messages import LogAdvanced
from upgradecamp.tui.screens.wall import WallScreen
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import fill_table, table_key
from upgradecamp.tui.workers import run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.sessions import SessionView
    from upgradecamp.service.bus import Services

COLUMNS = ("time", "branch", "venue", "theme", "status")


class WallPickerScreen(Screen[None]):
    """Today's sessions; Enter puts the highlighted one on the wall."""

    AUTO_FOCUS = "#wall-table"
    BINDINGS = [Binding("escape", "back", show=False, id="wall_picker.back")]
    DEFAULT_CSS = stylesheet("wall_picker_screen")

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor

    def compose(self) -> ComposeResult:
        yield Static(t("wall.picker_title"), classes="screen-title", markup=False)
        yield DataTable(id="wall-table", cursor_type="row", zebra_stripes=True)
        yield Static(t("home.loading"), id="wall-picker-message", markup=False)
        yield Static(t("wall.picker_keys"), classes="keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        table = self.query_one("#wall-table", DataTable)
        for column in COLUMNS:
            table.add_column(t(f"wall.col_{column}"), key=column)
        self.load_today()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self.load_today()

    def load_today(self) -> None:
        def load(services: Services) -> list[SessionView]:
            from upgradecamp.queries.wall import check_watcher, today_sessions

            check_watcher(self.actor)
            return today_sessions(services.engine, services.clock())

        run_in_thread(
            self,
            load,
            self._show_today,
            lambda failure: self._show_today([], failure.text),
            group="wall-picker",
        )

    def _show_today(self, rows: list[SessionView], problem: str | None = None) -> None:
        table = self.query_one("#wall-table", DataTable)
        keep = table_key(table)
        shown = [
            (
                row["session_id"],
                [
                    Text(f"{row['time']}–{row['end_time']}"),
                    Text(row["branch_name"]),
                    Text(row["venue"]),
                    Text(theme_of(row)),
                    Text(t(f"session_status.{row['status']}")),
                ],
            )
            for row in rows
        ]
        fill_table(
            table, [t(f"wall.col_{column}") for column in COLUMNS], shown, keys=list(COLUMNS)
        )
        if keep is not None and keep in {r["session_id"] for r in rows}:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        text = problem or ("" if rows else t("wall.picker_empty"))
        self.query_one("#wall-picker-message", Static).update(text)

    @on(DataTable.RowSelected, "#wall-table")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.push_screen(WallScreen(self.actor, event.row_key.value))

    def action_back(self) -> None:
        self.app.pop_screen()
