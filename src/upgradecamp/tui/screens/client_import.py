"""Client import (客户导入): an organizer checks a CRM export, sees every bad row, imports it.

Check (a dry run) says how many clients the file would register, update or leave as they are,
and lists every bad row in a table (line, column, value, reason); Import does it. With a bad
row anywhere nothing is imported, unless "good rows only" is ticked. Both run the same
command (ImportClientFile) as `upgradecamp clients import`, in a thread worker: a 100,000-row file
takes seconds, and the screen stays responsive meanwhile.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DataTable, Input, Static

from upgradecamp.tui.i18n import has, t
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets import fit
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.workers import Failure, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

# A DataTable keeps every row in memory; the command gives the first 50 problems and writes
# them all to a report file, whose path the screen shows.
MAX_TABLE_ROWS = 2_000
VALUE_CELLS = 24


def column_name(column: str) -> str:
    key = f"client_import.column.{column}"
    return t(key) if column and has(key) else column


def reason_text(problem: dict[str, Any]) -> str:
    """The reason in the user's language; a reason without a catalogue text shows as given."""
    key = f"client_import.reason.{problem.get('code')}"
    return t(key, **problem) if has(key) else str(problem.get("reason", ""))


def result_lines(result: dict[str, Any]) -> list[str]:
    """What a check or an import did (or would do), then notes, in the user's language."""
    counts = {k: f"{result[k]:,}" for k in ("registered", "updated", "unchanged")}
    lines = [t("client_import.plan" if result.get("dry_run") else "client_import.done", **counts)]
    skipped = result.get("skipped") or []
    if skipped and result.get("dry_run"):
        lines.append(
            t(
                "client_import.plan_bad",
                count=len(skipped),
                problems=result.get("problem_count", len(result.get("problems") or [])),
            )
        )
    elif skipped:
        shown = ", ".join(str(n) for n in skipped[:20]) + (" …" if len(skipped) > 20 else "")
        lines.append(t("client_import.skipped", count=len(skipped), lines=shown))
    for row in result.get("left_out") or []:
        lines.append(
            t(
                "client_import.left_out",
                line=row["line"],
                client_id=row["client_id"],
                on=row["forgotten_on"],
            )
        )
    if result.get("kept_withdrawn"):
        lines.append(t("client_import.kept_withdrawn", count=result["kept_withdrawn"]))
    if result.get("ignored_columns"):
        lines.append(t("client_import.note_ignored", columns=", ".join(result["ignored_columns"])))
    if result.get("absent_columns"):
        lines.append(
            t(
                "client_import.note_absent",
                columns=", ".join(column_name(c) for c in result["absent_columns"]),
            )
        )
    if result.get("encoding") == "gb18030":
        lines.append(t("client_import.note_gb18030"))
    if not result.get("rows"):
        lines.append(t("client_import.note_empty"))
    if result.get("report"):
        lines.append(t("client_import.report", path=result["report"]))
    return lines


class ClientImportScreen(Screen[None]):
    """A file path, Check (dry run) and Import, a good-rows-only tick, the bad rows' table."""

    AUTO_FOCUS = "#import-path"
    BINDINGS = [
        Binding("escape", "back", show=False, id="client_import.back"),
        Binding("f5", "check", show=False, id="client_import.check"),
        Binding("f9", "run_import", show=False, id="client_import.import"),
    ]
    DEFAULT_CSS = stylesheet("client_import_screen")

    def __init__(self, actor: Actor | None = None) -> None:
        super().__init__()
        self.actor = actor
        self.running = False
        self.problems: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Static(t("client_import.title"), classes="screen-title", markup=False)
        with Horizontal(id="import-file-row"):
            yield Static(t("client_import.file"), classes="import-label", markup=False)
            yield Input(
                placeholder=t("client_import.file_placeholder"), id="import-path", compact=True
            )
        with Horizontal(id="import-actions"):
            yield Checkbox(t("client_import.good_rows_only"), id="import-good-only", compact=True)
            yield Button(t("client_import.check"), id="import-check", compact=True)
            yield Button(
                t("client_import.import"), id="import-run", compact=True, variant="primary"
            )
        yield Static(t("client_import.intro"), id="import-summary", markup=False)
        yield Static(
            t("client_import.problems"),
            id="import-problems-title",
            classes="box-title",
            markup=False,
        )
        yield DataTable(id="import-problems", cursor_type="row", zebra_stripes=True)
        yield Static("", id="import-detail", markup=False)
        yield Static(t("client_import.keys"), classes="keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        table = self.query_one("#import-problems", DataTable)
        table.add_columns(
            t("client_import.col_line"),
            t("client_import.col_column"),
            t("client_import.col_value"),
            t("client_import.col_reason"),
        )

    # -- actions ------------------------------------------------------------------------------
    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#import-check")
    def _check_requested(self, _event: Any) -> None:
        self.action_check()

    @on(Button.Pressed, "#import-run")
    def _import_requested(self, _event: Any) -> None:
        self.action_run_import()

    def action_check(self) -> None:
        self._start(dry_run=True)

    def action_run_import(self) -> None:
        self._start(dry_run=False)

    def action_back(self) -> None:
        self.app.pop_screen()

    def _start(self, *, dry_run: bool) -> None:
        if self.running:
            return
        raw = self.query_one("#import-path", Input).value.strip().strip("'\"")
        if not raw:
            self._show([t("client_import.no_path")], error=True)
            return
        actor = self.actor or getattr(self.app, "actor", None)
        if actor is None:
            self._show([t("client_import.signed_out")], error=True)
            return
        self.running = True
        good_only = self.query_one("#import-good-only", Checkbox).value
        self._show(
            [t("client_import.checking" if dry_run else "client_import.importing", file=raw)]
        )
        self.run_import(actor, str(Path(raw).expanduser()), dry_run, good_only)

    def run_import(self, actor: Actor, path: str, dry_run: bool, good_rows_only: bool) -> None:
        def run(services: Services) -> Any:
            from upgradecamp.domain.commands.clients import ImportClientFile

            return services.execute(
                ImportClientFile(path=path, good_rows_only=good_rows_only, dry_run=dry_run), actor
            )

        run_in_thread(
            self, run, self._finished, self._failed, group="client-import", exclusive=False
        )

    # -- results ------------------------------------------------------------------------------
    def _finished(self, result: dict[str, Any]) -> None:
        self.running = False
        problems = result.get("problems") or []
        self._show(result_lines(result), error=bool(problems) and bool(result.get("dry_run")))
        self._fill(problems, result.get("problem_count", len(problems)))

    def _failed(self, failure: Failure) -> None:
        """Shown on screen: a bad file must never take the TUI down."""
        from upgradecamp.domain.errors import DomainError

        self.running = False
        error = failure.error
        params = error.params if isinstance(error, DomainError) else {}
        report = params.get("report")
        self._show(
            [failure.text, *([t("client_import.report", path=report)] if report else [])],
            error=True,
        )
        problems = params.get("problems")
        shown = list(problems) if isinstance(problems, list) else []
        count = params.get("problem_count")
        self._fill(shown, count if isinstance(count, int) else len(shown))

    def _show(self, lines: list[str], *, error: bool = False) -> None:
        summary = self.query_one("#import-summary", Static)
        summary.update("\n".join(lines))
        summary.set_class(bool(error), "-error")

    @on(DataTable.RowHighlighted, "#import-problems")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole of a bad row's problem, which a narrow terminal cuts in the table."""
        index = event.cursor_row
        if 0 <= index < len(self.problems):
            p = self.problems[index]
            self.query_one("#import-detail", Static).update(
                t(
                    "client_import.detail",
                    line=p.get("line", ""),
                    column=column_name(str(p.get("column") or "")),
                    value=p.get("value") or "",
                    reason=reason_text(p),
                )
            )

    def _fill(self, problems: list[dict[str, Any]], count: int) -> None:
        """The first problems (the command gives the first 50) and how many there are."""
        self.problems = problems[:MAX_TABLE_ROWS]
        self.query_one("#import-detail", Static).update("")
        table = self.query_one("#import-problems", DataTable)
        table.clear()
        for p in self.problems:
            # Text, not str: a DataTable reads a str as markup, and cell values are the file's.
            table.add_row(
                Text(str(p.get("line", ""))),
                Text(column_name(str(p.get("column") or ""))),
                Text(fit(str(p.get("value") or ""), VALUE_CELLS).rstrip()),
                Text(reason_text(p)),
            )
        title = self.query_one("#import-problems-title", Static)
        if count > len(self.problems):
            title.update(t("client_import.problems_first", shown=len(self.problems), count=count))
        elif problems:
            title.update(t("client_import.problems_count", count=count))
        else:
            title.update(t("client_import.problems"))
