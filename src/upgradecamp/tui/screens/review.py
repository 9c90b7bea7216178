"""The marketers' review (EPE, 绩效): a month's results against targets, conversion and
follow-through, ranked; with the month's satisfaction and complaints beside it.

The month defaults to the clock's. F2 sets the highlighted marketer's targets for the month
shown (`TargetDialog`, the handler of `upgradecamp targets set`); the table then reloads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from upgradecamp.tui.formats import percent, whole_yuan
from upgradecamp.tui.i18n import t
from upgradecamp.tui.widgets import fit
from upgradecamp.tui.widgets.keys_line import KeysLine
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import fill_table, table_key
from upgradecamp.tui.workers import in_place, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

# Left out, in this order, when the table is wider than the terminal.
OPTIONAL = (5, 6, 0)  # form_rate, approval_rate, rank
COLUMNS = (
    "rank",
    "staff",
    "forms",
    "upgrades",
    "converted",
    "form_rate",
    "approval_rate",
    "conversion",
    "on_time",
)


def _pair(result: Any, target: Any) -> str:
    return f"{result}/{'-' if target is None else target}"


def target_values(month: str, row: dict[str, Any] | None) -> dict[str, str]:
    """The target dialog's fields for `row` (a marketer's review line) and the month shown."""
    if row is None:
        return {"month": month}
    targets = row["targets"]
    return {
        "staff": row["staff"],
        "month": month,
        **{k: "" if targets[k] is None else str(targets[k]) for k in ("forms", "upgrades")},
        "converted_aum": "" if targets["converted_aum"] is None else targets["converted_aum"],
    }


class ReviewScreen(Screen[None]):
    AUTO_FOCUS = "#review-month"
    HELP_EXTRA = (("enter", "help.year.review_enter"),)
    BINDINGS = [
        Binding("escape", "back", show=False, id="review.back"),
        Binding("f2", "set_target", show=False, id="review.target"),
    ]

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.month = ""
        self.rows: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield Static(t("review.title"), id="review-title", classes="screen-title", markup=False)
        yield Input(placeholder="YYYY-MM", id="review-month", restrict=r"[0-9-]*", max_length=7)
        table: DataTable[str] = DataTable(id="review-table", cursor_type="row")
        table.add_columns(*(t(f"review.col_{c}") for c in COLUMNS))
        yield table
        yield Static("", id="review-result", markup=False)
        yield Static("", id="review-satisfaction", markup=False)
        yield KeysLine(t("review.keys"), t("review.keys_short"), classes="keys")
        yield StatusBar()

    def on_mount(self) -> None:
        self.load("")

    @on(Input.Submitted, "#review-month")
    def _month(self, event: Input.Submitted) -> None:
        self.load(event.value.strip())

    def load(self, month: str) -> None:
        Loaded = tuple[str, list[dict[str, Any]], list[Any]]

        def load(services: Services) -> Loaded:
            from upgradecamp.domain.rules import business_date
            from upgradecamp.domain.targets import month_bounds
            from upgradecamp.queries.feedback import satisfaction
            from upgradecamp.queries.targets import marketer_review, review_json

            now = services.clock()
            shown = month or f"{business_date(now):%Y-%m}"
            first, last = month_bounds(shown)
            branch = self.actor.branch if self.actor.role == "branch_head" else None
            rows = [
                review_json(r, n)
                for n, r in enumerate(marketer_review(services.engine, shown, now, branch), 1)
            ]
            return shown, rows, satisfaction(services.engine, "branch", first, last, branch)

        run_in_thread(
            self,
            load,
            lambda loaded: self._loaded(*loaded, ""),
            # shown on screen; another month can be typed
            lambda failure: self._loaded(month, [], [], failure.text),
            group="review-load",
        )

    def _loaded(
        self, month: str, rows: list[dict[str, Any]], happy: list[Any], problem: str
    ) -> None:
        if not problem:
            self.month = month
        self.rows = {d["staff"]: d for d in rows}
        self._fill()
        self.query_one("#review-title", Static).update(t("review.title_month", month=month))
        lines = [
            t(
                "review.satisfaction",
                branch=s.key,
                forms=s.forms,
                average=s.average,
                open=s.complaints_open,
                closed=s.complaints_closed,
            )
            for s in happy
        ]
        self.query_one("#review-satisfaction", Static).update(
            problem or "\n".join(lines) or t("review.no_feedback")
        )

    def _fill(self) -> None:
        """The table; on a narrow terminal the two step rates give way (conversion stays)."""
        table = self.query_one("#review-table", DataTable)
        keep = table_key(table)
        cells = []
        for d in self.rows.values():
            tg, r, x = d["targets"], d["results"], d["rates"]
            converted = _pair(
                whole_yuan(r["converted_aum"]),
                None if tg["converted_aum"] is None else whole_yuan(tg["converted_aum"]),
            )
            line = [
                str(d["rank"]),
                fit(f"{d['staff']} {d['name']}", 14),
                _pair(r["forms"], tg["forms"]),
                _pair(r["upgrades"], tg["upgrades"]),
                converted,
                percent(x["form"]),
                percent(x["approval"]),
                percent(x["conversion"]),
                percent(x["on_time"]),
            ]
            cells.append((str(d["staff"]), [Text(c) for c in line]))
        headers = [t(f"review.col_{c}") for c in COLUMNS]
        fill_table(table, headers, cells, drop_to_fit=OPTIONAL)
        if keep in self.rows:
            table.move_cursor(row=list(self.rows).index(keep), animate=False)

    def on_resize(self, _event: Resize) -> None:
        if not in_place(self):
            return
        self._fill()

    def action_set_target(self) -> None:
        from upgradecamp.tui.screens.target_dialog import TargetDialog, saved_text

        table = self.query_one("#review-table", DataTable)
        row = None
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            row = self.rows.get(str(key))

        def saved(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            self.query_one("#review-result", Static).update(saved_text(result))
            self.query_one("#review-month", Input).value = result["month"]
            self.load(result["month"])

        self.app.push_screen(TargetDialog(self.actor, target_values(self.month, row)), saved)

    def action_back(self) -> None:
        self.app.pop_screen()
