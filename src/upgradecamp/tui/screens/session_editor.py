"""The session editor (财富升级会): plan one session, a weekly series, or edit a planned one.

Every field is checked as it is typed (format and range, host ≠ presenter, a start in the
future) and the problem is shown beside the field in the user's language. Nothing is written
until Save; a refusal of the handler (an overlap, an unknown staff member) is shown on the form,
which stays open with everything typed, so the organizer corrects one field and saves again.
This module holds the screen and its workers; the fields, their checks and the command Save
runs are `session_form.py`'s (pure, tested without a terminal).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Select, Static

from upgradecamp.domain import sessions as rules
from upgradecamp.tui.i18n import role_name, t
from upgradecamp.tui.screens.session_form import (
    FIELDS,
    HINTED_FIELDS,
    MODES,
    SERIES_FIELDS,
    FormCheck,
    build_command,
    check_form,
    local_start,
    series_preview,
    weekday_name,
)
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.workers import Failure, clock_of, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.commands import Command
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.sessions import SessionView
    from upgradecamp.service.bus import Services


# -- messages from the workers --------------------------------------------------------------
class SessionEditorScreen(Screen[dict[str, Any] | None]):
    """The form for a new session (`new`), a weekly series (`series`) or an edit (`edit`).

    Dismisses with the handler's result after a successful Save, or None when left with Esc.
    """

    AUTO_FOCUS = "#field-date"
    BINDINGS = [
        Binding("ctrl+s", "save", show=False, priority=True, id="session_editor.save"),
        Binding("escape", "back", show=False, id="session_editor.back"),
    ]
    DEFAULT_CSS = stylesheet("session_editor_screen")

    def __init__(
        self,
        actor: Actor,
        mode: str = "new",
        *,
        session: SessionView | None = None,
        branch: str | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if mode == "edit" and session is None:
            raise ValueError("an edit needs the session")
        super().__init__()
        self.actor = actor
        self.mode = mode
        self.session = session
        self.before = local_start(session["starts_at"] if session else None)
        self.initial_branch = (session["branch"] if session else None) or branch or actor.branch
        self.branch_themes: dict[str, str] = {}
        self._auto_theme: str | None = None
        self.saving = False
        self.touched: set[str] = set()
        self.check: FormCheck | None = None

    def now(self) -> datetime:
        """The services' clock (tests and demos move it), read without a database call."""
        return clock_of(self.app)

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        title = t(f"session_editor.title_{self.mode}")
        if self.session is not None:
            title = f"{title} · {self.session.get('session_id', '')}"
        yield Static(title, id="editor-title", classes="screen-title", markup=False)
        with VerticalScroll(id="editor-form"):
            for name in FIELDS:
                if name in SERIES_FIELDS and self.mode != "series":
                    continue
                with Horizontal(classes="editor-row", id=f"row-{name}"):
                    yield Static(t(f"session_editor.{name}"), classes="editor-label", markup=False)
                    yield self._field_widget(name)
                    yield Static(
                        self._hint(name),
                        id=f"problem-{name}",
                        classes="editor-problem -hint",
                        markup=False,
                    )
        yield Static("", id="editor-preview", markup=False)
        yield Static("", id="editor-message", markup=False)
        yield Static("", id="editor-spacer")
        yield Static(t("session_editor.keys"), id="editor-keys", markup=False)
        yield StatusBar()

    def _field_widget(self, name: str) -> Input | Select[str]:
        session: dict[str, Any] = dict(self.session or {})
        if name == "branch":
            options = [(self.initial_branch, self.initial_branch)] if self.initial_branch else []
            return Select(
                options,
                value=self.initial_branch or Select.NULL,
                compact=True,
                prompt=t("session_editor.choose_branch"),
                id="field-branch",
                disabled=self.mode == "edit",
            )
        if name in ("host", "presenter"):
            chosen = session.get(name)
            options = [(chosen, chosen)] if chosen else []
            prompt = t("session_editor.keep" if self.mode == "edit" else "session_editor.auto")
            return Select(
                options,
                value=chosen or Select.NULL,
                compact=True,
                prompt=prompt,
                id=f"field-{name}",
            )
        start = self.before
        value = {
            "date": f"{start:%Y-%m-%d}" if start else "",
            "time": f"{start:%H:%M}" if start else "15:00",
            "duration": str(session.get("duration_minutes") or rules.DEFAULT_DURATION),
            "capacity": str(session.get("capacity") or rules.DEFAULT_CAPACITY),
            "venue": session.get("venue") or rules.DEFAULT_VENUE,
            "theme": session.get("theme") or "",
            "weekdays": "",
            "weeks": "",
        }[name]
        placeholder = {
            "date": "YYYY-MM-DD",
            "time": "HH:MM",
            "venue": " / ".join(rules.VENUES),
            "weekdays": "tue,thu",
            "weeks": "6",
        }.get(name, "")
        restrict = {
            "duration": r"[0-9]*",
            "capacity": r"[0-9]*",
            "weeks": r"[0-9]*",
            "date": r"[0-9-]*",
            "time": r"[0-9:]*",
        }.get(name)
        suggester = SuggestFromList(rules.VENUES) if name == "venue" else None
        return Input(
            value,
            placeholder=placeholder,
            restrict=restrict,
            suggester=suggester,
            compact=True,
            id=f"field-{name}",
        )

    def _hint(self, name: str) -> str:
        if name == "host" and self.mode == "edit":
            return ""
        return t(f"session_editor.hint_{name}") if name in HINTED_FIELDS else ""

    # -- loading the branches and their staff ---------------------------------------------------
    def on_mount(self) -> None:
        self.validate_fields()
        self.load_choices()

    def load_choices(self) -> None:
        def load(services: Services) -> list[dict[str, Any]]:
            from upgradecamp.queries import branches

            return branches(services.engine)

        run_in_thread(self, load, self._branches_loaded, self._failed, group="editor-load")

    def _branches_loaded(self, branches: list[dict[str, Any]]) -> None:
        self.branch_themes = {b["code"]: b.get("theme") or "" for b in branches}
        branch = self.query_one("#field-branch", Select)
        with self.prevent(Select.Changed):
            branch.set_options((f"{b['code']} {b.get('name', '')}", b["code"]) for b in branches)
            if self.initial_branch in self.branch_themes:
                branch.value = self.initial_branch
        if self.initial_branch in self.branch_themes:
            self._branch_chosen(self.initial_branch)
        self.validate_fields()

    def _branch_chosen(self, code: str) -> None:
        theme = self.query_one("#field-theme", Input)
        if self.mode != "edit" and (not theme.value or theme.value == self._auto_theme):
            self._auto_theme = self.branch_themes.get(code, "")
            theme.value = self._auto_theme
        self.load_staff(code)

    def load_staff(self, branch: str) -> None:
        def load(services: Services) -> list[dict[str, Any]]:
            from upgradecamp.queries.sessions import staff_of_branch

            return [dict(s) for s in staff_of_branch(services.engine, branch)]

        run_in_thread(
            self,
            load,
            lambda staff: self._staff_loaded(branch, staff),
            self._failed,
            group="editor-staff",
        )

    def _staff_loaded(self, branch: str, staff: list[dict[str, Any]]) -> None:
        options = [
            (f"{s['code']} {s.get('name', '')} · {role_name(s.get('role', ''))}", s["code"])
            for s in staff
        ]
        codes = {code for _, code in options}
        for name in ("host", "presenter"):
            picker = self.query_one(f"#field-{name}", Select)
            keep = picker.value if isinstance(picker.value, str) else None
            if self.mode != "edit" and keep not in codes:
                keep = None  # chosen for another branch: not a choice here any more
            choices = list(options)
            if keep is not None and keep not in codes:
                choices.insert(0, (keep, keep))
            with self.prevent(Select.Changed):
                picker.set_options(choices)
                if keep is not None:
                    picker.value = keep
        self.validate_fields()
        if not staff:
            self._show("host", t("session_editor.no_staff", branch=branch))

    def _failed(self, failure: Failure, *, saving: bool = False) -> None:
        if saving:
            self.saving = False
        view = self.query_one("#editor-message", Static)
        view.update(failure.text)
        view.add_class("-error")

    # -- typing ---------------------------------------------------------------------------------
    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.has_focus:
            self.touched.add((event.input.id or "").removeprefix("field-"))
        self.validate_fields()

    @on(Input.Submitted)
    def _next_field(self, _event: Input.Submitted) -> None:
        self.focus_next()

    @on(Select.Changed)
    def _picked(self, event: Select.Changed) -> None:
        name = (event.select.id or "").removeprefix("field-")
        self.touched.add(name)
        if name == "branch" and isinstance(event.value, str):
            self._branch_chosen(event.value)
        self.validate_fields()

    def raw_values(self) -> dict[str, str]:
        raw: dict[str, str] = {}
        for name in FIELDS:
            found = self.query(f"#field-{name}")
            if not found:
                continue
            widget = found.first()
            if isinstance(widget, Select):
                raw[name] = widget.value if isinstance(widget.value, str) else ""
            elif isinstance(widget, Input):
                raw[name] = widget.value
        return raw

    def validate_fields(self, *, every_field: bool = False) -> FormCheck:
        """Check the form and say each problem beside its field: only for fields already typed
        in or filled, unless `every_field` (on Save), so a fresh form is not a wall of red."""
        raw = self.raw_values()
        check = check_form(raw, self.mode, self.now(), self.before)
        self.check = check
        for name in FIELDS:
            if not self.query(f"#problem-{name}"):
                continue
            problem = check.problems.get(name)
            if problem and (every_field or name in self.touched or raw.get(name)):
                self._show(name, problem, error=True)
            else:
                self._show(name, check.hints.get(name) or self._hint(name))
        preview = ""
        if check.starts and (self.mode == "series" or not check.problems):
            preview = (
                series_preview(check.starts) if self.mode == "series" else self._one_preview(check)
            )
        self.query_one("#editor-preview", Static).update(preview)
        return check

    def _one_preview(self, check: FormCheck) -> str:
        start = check.starts[0]
        end = rules.ends_at(start, check.values["duration"])
        return t(
            "session_editor.preview_one",
            day=f"{start:%Y-%m-%d}",
            weekday=weekday_name(start.date()),
            start=f"{start:%H:%M}",
            end=f"{end:%H:%M}",
        )

    def _show(self, name: str, text: str, *, error: bool = False) -> None:
        view = self.query_one(f"#problem-{name}", Static)
        view.update(text)
        view.set_class(not error, "-hint")

    # -- saving ---------------------------------------------------------------------------------
    def action_save(self) -> None:
        if self.saving:
            return
        message = self.query_one("#editor-message", Static)
        check = self.validate_fields(every_field=True)
        if not check.ok:
            message.update(t("session_editor.fix_fields", count=len(check.problems)))
            message.add_class("-error")
            first = next(name for name in FIELDS if name in check.problems)
            self.query_one(f"#field-{first}").focus()
            return
        command = build_command(self.mode, check.values, self.session)
        if command is None:
            message.update(t("session_editor.nothing_changed"))
            message.remove_class("-error")
            return
        self.saving = True
        message.update(t("session_editor.saving"))
        message.remove_class("-error")
        self.run_command(command)

    def run_command(self, command: Command) -> None:
        def saved(result: object) -> None:
            self.saving = False
            self.dismiss(result if isinstance(result, dict) else {})

        run_in_thread(
            self,
            lambda services: services.execute(command, self.actor),
            saved,
            lambda failure: self._failed(failure, saving=True),
            group="editor-save",
            exclusive=False,
        )

    def action_back(self) -> None:
        if not self.saving:
            self.dismiss(None)
