"""The reports screen's dialogs: the campaign's dates and a session of the campaign."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from upgradecamp.tui.i18n import t
from upgradecamp.tui.stylesheets import stylesheet


class DatesScreen(ModalScreen[tuple[date, date] | None]):
    """The campaign's first and last days, typed as YYYY-MM-DD."""

    AUTO_FOCUS = "#dates-from"
    BINDINGS = [Binding("escape", "back", show=False, id="reports.dates_back")]
    DEFAULT_CSS = stylesheet("dates_screen")

    def __init__(self, first: date, last: date) -> None:
        super().__init__()
        self.first, self.last = first, last

    def compose(self) -> ComposeResult:
        with Vertical(id="dates-box"):
            yield Static(t("reports.dates_title"), markup=False)
            yield Static(t("reports.dates_from"), markup=False)
            yield Input(self.first.isoformat(), placeholder="YYYY-MM-DD", id="dates-from")
            yield Static(t("reports.dates_to"), markup=False)
            yield Input(self.last.isoformat(), placeholder="YYYY-MM-DD", id="dates-to")
            yield Static("", id="dates-problem", markup=False)
            yield Static(t("reports.dates_keys"), id="dates-keys", markup=False)

    @on(Input.Submitted, "#dates-from")
    def _from_done(self) -> None:
        self.query_one("#dates-to", Input).focus()

    @on(Input.Submitted, "#dates-to")
    def _to_done(self) -> None:
        try:
            first = date.fromisoformat(self.query_one("#dates-from", Input).value.strip())
            last = date.fromisoformat(self.query_one("#dates-to", Input).value.strip())
        except ValueError:
            self.query_one("#dates-problem", Static).update(t("reports.dates_bad"))
            return
        if first > last:
            self.query_one("#dates-problem", Static).update(t("reports.dates_bad"))
            return
        self.dismiss((first, last))

    def action_back(self) -> None:
        self.dismiss(None)


class SessionPickScreen(ModalScreen[str | None]):
    """A session of the campaign, newest first."""

    AUTO_FOCUS = "#pick-list"
    BINDINGS = [Binding("escape", "back", show=False, id="reports.pick_back")]
    DEFAULT_CSS = stylesheet("session_pick_screen")

    def __init__(self, sessions: Sequence[dict[str, Any]]) -> None:
        super().__init__()
        self.sessions = list(sessions)

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box"):
            yield Static(t("reports.pick_title"), classes="box-title", markup=False)
            yield OptionList(
                *(
                    Option(
                        f"{s['date']} {s['time']}  {s['branch']}  {s.get('theme', '')}  "
                        f"{t('reports.pick_counts', attended=s['attended'], forms=s['forms'])}",
                        id=s["session_id"],
                    )
                    for s in reversed(self.sessions)
                ),
                id="pick-list",
            )
            yield Static(
                t("reports.pick_keys") if self.sessions else t("reports.pick_empty"),
                id="pick-keys",
                markup=False,
            )

    @on(OptionList.OptionSelected, "#pick-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_back(self) -> None:
        self.dismiss(None)
