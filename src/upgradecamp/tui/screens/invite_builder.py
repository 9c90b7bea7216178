"""The invite-list builder (邀约名单): criteria in, a live count of who would be invited out.

As the organizer types the AUM range, the invitations per seat or switches the segment mix,
the same `BuildInviteList` handler runs as a dry run (debounced, in a thread worker, the latest
request wins) and the screen shows the target, the candidates, how many would be invited and
why the others are left out. Nothing is written until Ctrl+S (or the Build button) builds the
list for real. An input that is not a number, or a range whose lower end is not below its upper
end, is answered on the spot and no count is shown for it. With the 2:1 mix switched on the
handler lets the segments set the asset range, so the AUM fields are switched off. Reading
the criteria and writing the preview is invite_preview.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Input, Static, Switch

from upgradecamp.tui.i18n import t
from upgradecamp.tui.messages import LogAdvanced
from upgradecamp.tui.screens.invite_cells import explain, segment_name
from upgradecamp.tui.screens.invite_preview import (
    DEFAULT_MAX,
    DEFAULT_MIN,
    Criteria,
    days_before,
    preview_text,
    read_criteria,
    session_text,
)
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.workers import Failure, run_in_thread, signed_in_actor

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.sessions import SessionDetail
    from upgradecamp.service.bus import Services

SCREEN = "invite_builder"
DEBOUNCE_SECONDS = 0.3


@dataclass(frozen=True)
class PreviewReady:
    seq: int
    criteria: Criteria
    result: dict[str, Any] | None
    now: datetime | None = None
    problem: str | None = None
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildDone:
    result: dict[str, Any] | None
    problem: str | None = None
    code: str | None = None


class InviteBuilderScreen(Screen[None]):
    """Criteria for one session's invite list, its live dry-run counts, and Build."""

    AUTO_FOCUS = "#ib-aum-min"
    DEFAULT_CSS = stylesheet("invite_builder_screen")
    BINDINGS = [
        Binding("escape", "back", show=False, id="invite_builder.back"),
        Binding("ctrl+s", "build", show=False, priority=True, id="invite_builder.build"),
    ]

    def __init__(self, actor: Actor | None, session_id: str) -> None:
        super().__init__()
        self.actor = actor
        self.session_id = session_id
        self.session: SessionDetail | None = None
        self.preview: dict[str, Any] | None = None
        self.built: dict[str, Any] | None = None
        self.criteria: Criteria | None = None
        self._preview_seq = 0
        self._shown_seq = 0
        self._timer: Timer | None = None
        self._input_problem_shown = False
        self._building = False

    def compose(self) -> ComposeResult:
        yield Static(t("invite_builder.title"), id="ib-title", classes="screen-title", markup=False)
        yield Static(t("home.loading"), id="ib-session", markup=False)
        with Horizontal(id="ib-criteria"):
            yield Static(t("invite_builder.aum_min"), classes="ib-label", markup=False)
            yield Input(DEFAULT_MIN, id="ib-aum-min", max_length=16)
            yield Static(t("invite_builder.aum_max"), classes="ib-label", markup=False)
            yield Input(DEFAULT_MAX, id="ib-aum-max", max_length=16)
            yield Static(t("invite_builder.per_seat"), classes="ib-label", markup=False)
            yield Input("1.5", id="ib-per-seat", max_length=6)
            yield Switch(False, id="ib-mix")
            yield Static(t("invite_builder.mix"), classes="ib-label", markup=False)
        yield Static(t("invite_builder.mix_off"), id="ib-mix-text", markup=False)
        yield Static("", id="ib-message", classes="-error", markup=False)
        with VerticalScroll(id="ib-preview-box"):
            yield Static(t("invite_builder.preview_title"), classes="box-title", markup=False)
            yield Static(t("invite_builder.counting"), id="ib-preview", markup=False)
        with Horizontal(id="ib-actions"):
            yield Button(t("invite_builder.build"), id="ib-build", variant="primary", compact=True)
            yield Static("", id="ib-result", markup=False)
        yield Static(t("invite_builder.keys"), classes="keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        self.load_session()
        self.criteria_changed(debounce=False)

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        # Another terminal may have invited clients: the header and the counts follow.
        self.load_session()
        if self.criteria is not None:
            self.criteria_changed()  # debounced: a busy log does not run a count per event

    # -- the session header -------------------------------------------------------------------
    def load_session(self) -> None:
        def load(services: Services) -> SessionDetail | None:
            from upgradecamp.queries.sessions import session_detail

            return session_detail(services.engine, self.session_id)

        run_in_thread(
            self,
            load,
            self._session_loaded,
            lambda failure: self._session_loaded(None, failure.text),
            group="invite-builder-session",
            describe=self._explain,
        )

    def _explain(self, exc: Exception) -> str:
        return explain(exc, SCREEN)

    def _session_loaded(self, session: SessionDetail | None, problem: str | None = None) -> None:
        header = self.query_one("#ib-session", Static)
        if problem or session is None:
            header.update(problem or t("invite_builder.no_session", session=self.session_id))
            header.add_class("-error")
            return
        self.session = session
        header.remove_class("-error")
        header.update(session_text(session))

    # -- criteria and the live preview -------------------------------------------------------
    @on(Input.Changed)
    @on(Switch.Changed)
    def _changed(self, _event: Any) -> None:
        self.criteria_changed()

    @property
    def preview_settled(self) -> bool:
        """No preview waiting to start or to come back (tests wait for this)."""
        return self._timer is None and self._shown_seq == self._preview_seq

    def criteria_changed(self, *, debounce: bool = True) -> None:
        mixed = self.query_one("#ib-mix", Switch).value
        for selector in ("#ib-aum-min", "#ib-aum-max"):
            self.query_one(selector, Input).disabled = mixed
        self.query_one("#ib-mix-text", Static).update(
            t(
                "invite_builder.mix_on",
                potential=segment_name("potential"),
                mid_high=segment_name("mid_high"),
            )
            if mixed
            else t("invite_builder.mix_off")
        )
        criteria, problem = read_criteria(
            self.query_one("#ib-aum-min", Input).value,
            self.query_one("#ib-aum-max", Input).value,
            self.query_one("#ib-per-seat", Input).value,
            mixed,
        )
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.criteria = criteria
        if problem or self._input_problem_shown:
            # A refusal from the last preview stays until the next preview replaces it,
            # so a log advancing elsewhere does not blank it for a moment.
            self.say(problem, from_input=True)
        if criteria is None:
            # No preview for a bad input; a preview still on its way is ignored.
            self._preview_seq += 1
            self._shown_seq = self._preview_seq
            self.preview = None
            self.query_one("#ib-preview", Static).update(t("invite_builder.fix_first"))
            return
        if debounce:
            self._timer = self.set_timer(DEBOUNCE_SECONDS, self._start_preview)
        else:
            self._start_preview()

    def _start_preview(self) -> None:
        self._timer = None
        if self.criteria is None:
            return
        self._preview_seq += 1
        self._run_preview(self._preview_seq, self.criteria)

    def _run_preview(self, seq: int, criteria: Criteria) -> None:
        def refused(failure: Failure) -> None:  # the handler's own checks
            self._preview_ready(
                PreviewReady(
                    seq,
                    criteria,
                    None,
                    problem=failure.text,
                    code=getattr(failure.error, "code", None),
                    params=dict(getattr(failure.error, "params", None) or {}),
                )
            )

        run_in_thread(
            self,
            lambda services: self._execute(services, criteria, dry_run=True),
            lambda done: self._preview_ready(PreviewReady(seq, criteria, *done)),
            refused,
            group="invite-builder-preview",
            describe=self._explain,
        )

    def _preview_ready(self, message: PreviewReady) -> None:
        if message.seq != self._preview_seq:
            return  # the criteria changed since: a newer preview is coming
        self._shown_seq = message.seq
        view = self.query_one("#ib-preview", Static)
        self.preview = message.result
        if message.code == "invite_list_full":
            # Not a mistake: the list already holds what the seats allow.
            self.say(None)
            view.update(t("invite_builder.list_full", invited=message.params.get("invited", "?")))
            return
        if message.problem or message.result is None:
            self.say(message.problem)
            view.update(t("invite_builder.fix_first"))
            return
        self.say(None)
        view.update(
            preview_text(
                message.result, days_before(self.session, message.now), message.criteria.mix
            )
        )

    def say(self, problem: str | None, *, from_input: bool = False) -> None:
        """The inline message under the criteria; its line is hidden while all is well."""
        self._input_problem_shown = from_input and bool(problem)
        message = self.query_one("#ib-message", Static)
        message.update(problem or "")
        message.display = bool(problem)

    def _execute(
        self, services: Services, criteria: Criteria, *, dry_run: bool
    ) -> tuple[dict[str, Any], datetime]:
        from upgradecamp.domain.commands.invitations import BuildInviteList

        command = BuildInviteList(
            session_id=self.session_id,
            aum_min=criteria.aum_min,
            aum_max=criteria.aum_max,
            per_seat=criteria.per_seat,
            mix=criteria.mix,
            dry_run=dry_run,
        )
        result = services.execute(command, self.actor or signed_in_actor(self.app))
        return result, services.clock()

    # -- building for real --------------------------------------------------------------------
    @on(Button.Pressed, "#ib-build")
    def _build_pressed(self, _event: Button.Pressed) -> None:
        self.action_build()

    def action_build(self) -> None:
        result = self.query_one("#ib-result", Static)
        if self._building:
            return
        if self.criteria is None:
            result.update(t("invite_builder.fix_first"))
            result.set_classes("-error")
            return
        self._building = True
        result.set_classes("")
        result.update(t("invite_builder.building"))
        self._build(self.criteria)

    def _build(self, criteria: Criteria) -> None:
        # Nothing is written on a refusal: the handler records all or nothing.
        run_in_thread(
            self,
            lambda services: self._execute(services, criteria, dry_run=False),
            lambda done: self._build_done(BuildDone(done[0])),
            lambda failure: self._build_done(
                BuildDone(None, failure.text, getattr(failure.error, "code", None))
            ),
            group="invite-builder-build",
            exclusive=False,
            describe=self._explain,
        )

    def _build_done(self, message: BuildDone) -> None:
        self._building = False
        view = self.query_one("#ib-result", Static)
        if message.code in ("invite_list_full", "invite_nobody_qualifies"):
            view.set_classes("-error")
            view.update(t("invite_builder.nothing_to_build"))
            return
        if message.problem or message.result is None:
            view.set_classes("-error")
            view.update(message.problem or "?")
            return
        self.built = message.result
        issued = int(message.result.get("issued", 0))
        view.set_classes("-done" if issued else "")
        view.update(
            t("invite_builder.built", issued=issued, target=message.result.get("target", 0))
            if issued
            else t("invite_builder.built_none")
        )
        self.load_session()
        self.criteria_changed(debounce=False)

    def action_back(self) -> None:
        self.app.pop_screen()
