"""The registration form (升级确认单) of one client: the screen and its workers.

Every keystroke reads the typed lines by number, checks suitability line by line and reprices
the whole form with the rules engine's pure `parse_form_text` and `calculate` (nothing read from
the database), so bad lines and unsuitable products are named before anything is sent. Ctrl+S
runs `SubmitForm` in a worker; a refusal keeps everything typed. The picker that opens this
screen is `registration.py`; the pieces it is made of (context, draft, checks, rendering) are
`registration_parts.py`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Static, TextArea

from upgradecamp.i18n import name_of
from upgradecamp.tui.errors import describe_error
from upgradecamp.tui.i18n import t
from upgradecamp.tui.screens.calculator import money
from upgradecamp.tui.screens.registration_parts import (
    Draft,
    FormContext,
    appointment_note,
    draft_of_returned,
    numbered_lines,
    render_benefits,
    render_calculation,
    short_form_id,
    suitability_notes,
)
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.workers import in_place, run_in_thread

if TYPE_CHECKING:
    from textual.widget import Widget

    from upgradecamp.domain.calculator import Calculation
    from upgradecamp.domain.rules import RuleSet
    from upgradecamp.domain.staff import Actor
    from upgradecamp.domain.tiers import TierLadder
    from upgradecamp.service.bus import Services


# Below this many rows the calculation and the benefits share one panel (F2 switches).
BOTH_PANELS_HEIGHT = 34


# -- messages from the workers --------------------------------------------------------------
@dataclass(frozen=True)
class FormReady:
    rule_set: RuleSet | None
    ladder: TierLadder | None
    benefits: dict[str, list[dict[str, str]]]
    today: date | None
    problem: str | None = None


# -- the screen -------------------------------------------------------------------------------
class FormScreen(Screen[None]):
    """One client's registration form: lines, fixed actions, appointment; the live calculation
    and the benefits package beside it; Ctrl+S submits (or resubmits a returned form)."""

    AUTO_FOCUS = "#form-lines"
    DEFAULT_CSS = stylesheet("form_screen")
    BINDINGS = [
        Binding("escape", "back", show=False, id="registration.form_back"),
        Binding("ctrl+s", "submit", show=False, priority=True, id="registration.submit"),
        Binding("f2", "toggle_panel", show=False, priority=True, id="registration.toggle_panel"),
    ]

    def __init__(self, actor: Actor, context: FormContext, drafts: dict[str, Draft]) -> None:
        super().__init__()
        self.actor = actor
        self.context = context
        self.drafts = drafts
        self.draft = drafts.get(context.key) or (
            draft_of_returned(context.form) if context.form else Draft()
        )
        self.rule_set: RuleSet | None = None
        self.ladder: TierLadder | None = None
        self.today: date | None = None
        self.calculation: Calculation | None = None
        self.blocking_lines: list[int] = []
        self.sending = False
        self.sent: dict[str, Any] | None = None
        self._typing_in: Widget | None = None

    def compose(self) -> ComposeResult:
        ctx = self.context
        title = (
            t(
                "registration.form_title_resubmit",
                name=ctx.client.get("name") or "",
                form=ctx.form["form_id"],
                revision=int(ctx.form.get("revision") or 0) + 2,
            )
            if ctx.form
            else t("registration.form_title", name=ctx.client.get("name") or "")
        )
        yield Static(title, id="form-title", classes="screen-title", markup=False)
        yield Static(self.info_text(), id="form-info", markup=False)
        yield Static("", id="form-reason", markup=False)
        with Horizontal(id="form-body"):
            with Vertical(id="form-left"):
                yield Static(t("registration.lines"), classes="box-title", markup=False)
                yield TextArea(
                    self.draft.text,
                    id="form-lines",
                    soft_wrap=False,
                    show_line_numbers=True,
                    compact=True,
                )
                yield Static(t("registration.actions"), classes="box-title", markup=False)
                yield Vertical(id="form-actions")
                with Horizontal(id="form-appointment-row"):
                    yield Static(t("registration.appointment"), classes="form-label", markup=False)
                    yield Input(
                        self.draft.appointment,
                        placeholder="YYYY-MM-DD",
                        id="form-appointment",
                        restrict=r"[0-9-]*",
                        max_length=10,
                        compact=True,
                    )
            with Vertical(id="form-side"):
                with VerticalScroll(id="form-calc-box"):
                    yield Static(t("calc.result"), classes="box-title", markup=False)
                    yield Static(t("home.loading"), id="form-calc", markup=False)
                with VerticalScroll(id="form-benefits-box"):
                    yield Static(t("registration.benefits"), classes="box-title", markup=False)
                    yield Static(t("home.loading"), id="form-benefits", markup=False)
        yield Static("", id="form-problems", classes="-error", markup=False)
        yield Static("", id="form-message", markup=False)
        yield Static(t("registration.form_keys"), classes="keys", markup=False)
        yield StatusBar()

    def info_text(self) -> str:
        ctx = self.context
        c, s = ctx.client, ctx.session
        try:
            aum = money(Decimal(str(c.get("aum") or "0")))
        except ArithmeticError:
            aum = str(c.get("aum"))
        if c.get("restricted"):  # domain.books.client_view: not the marketer's client
            aum, risk = "—", t("registration.restricted")
        elif c.get("risk_grade"):
            risk = t(
                "registration.risk",
                grade=c["risk_grade"],
                expires=c.get("risk_expires") or t("registration.no_expiry"),
            )
        else:
            risk = t("registration.no_risk")
        client = t(
            "registration.client_line",
            name=c.get("name") or "",
            client=c.get("client_id") or "",
            mobile=c.get("mobile") or "",
            aum=aum,
            tier=c.get("tier_name") or "",
        )
        session = t(
            "registration.session_line",
            risk=risk,
            branch=s.get("branch") or "",
            time=s.get("time") or "",
            venue=s.get("venue") or "",
            mode=t("registration.on_site") if ctx.on_site else t("registration.after_session"),
        )
        return f"{client}\n{session}"

    def on_mount(self) -> None:
        if self.context.form and self.context.form.get("reason"):
            reason = self.query_one("#form-reason", Static)
            reason.update(
                t(
                    "registration.returned_with",
                    by=self.context.form.get("decided_by") or "",
                    reason=self.context.form["reason"],
                )
            )
            reason.add_class("-shown")
        self._fit_panels()
        self.load()

    def on_resize(self) -> None:
        if not in_place(self):
            return
        self._fit_panels()

    def _fit_panels(self) -> None:
        self.set_class(self.app.size.height < BOTH_PANELS_HEIGHT, "-compact")

    def load(self) -> None:
        def load(services: Services) -> FormReady:
            from upgradecamp.domain.clock import business_date
            from upgradecamp.queries import rules_in_force
            from upgradecamp.queries.registration import benefits

            now = services.clock()
            _all, ladder, current = rules_in_force(services.engine, now)
            return FormReady(
                current,
                ladder,
                benefits(services.engine),
                business_date(now),
                None if current else t("calc.no_rules"),
            )

        # A failure is shown on screen; typing is kept, and Esc and back retries.
        run_in_thread(
            self,
            load,
            self._form_ready,
            lambda failure: self._form_ready(FormReady(None, None, {}, None, failure.text)),
            group="reg-form",
        )

    def on_log_advanced(self, _message: Any) -> None:
        """The session may have closed meanwhile: the on-site bonus then no longer applies."""
        if self.sent is None:
            self.check_session()

    def check_session(self) -> None:
        def status(services: Services) -> str | None:
            from upgradecamp.queries.sessions import session_detail

            detail = session_detail(services.engine, self.context.session["session_id"])
            return None if detail is None else str(detail["status"])

        # A failure is let be: the next log change asks again, and the handler decides on Ctrl+S.
        run_in_thread(self, status, self._session_status, group="reg-form-session")

    def _session_status(self, status: str | None) -> None:
        if status is not None and status != self.context.session.get("status"):
            self.context.session["status"] = status
            self.query_one("#form-info", Static).update(self.info_text())
            self.recalculate()

    def _form_ready(self, message: FormReady) -> None:
        self.query_one("#form-benefits", Static).update(render_benefits(message.benefits))
        if message.problem:
            shown = self.query_one("#form-calc", Static)
            shown.update(message.problem)
            shown.add_class("-error")
            return
        self.rule_set, self.ladder, self.today = message.rule_set, message.ladder, message.today
        assert self.rule_set is not None
        actions = self.query_one("#form-actions", Vertical)
        actions.mount_all(
            Checkbox(
                f"{name_of(a)} +{a.points}",
                code in self.draft.actions,
                id=f"action-{code}",
                compact=True,
            )
            for code, a in self.rule_set.actions.items()
        )
        self.call_after_refresh(self.recalculate)

    # -- typing -------------------------------------------------------------------------------
    @on(TextArea.Changed, "#form-lines")
    @on(Input.Changed, "#form-appointment")
    @on(Checkbox.Changed)
    def _changed(self, _event: Any) -> None:
        shown = self.query_one("#form-message", Static)
        if shown.has_class("-error"):  # a refusal is about the input just changed: gone
            self.say("")
        self.keep_draft()
        self.recalculate()

    def chosen_actions(self) -> list[str]:
        if self.rule_set is None:
            return sorted(self.draft.actions)
        return [
            code
            for code in self.rule_set.actions
            if self.query(f"#action-{code}") and self.query_one(f"#action-{code}", Checkbox).value
        ]

    def keep_draft(self) -> None:
        if self.sent is not None:
            return
        self.draft = Draft(
            self.query_one("#form-lines", TextArea).text,
            set(self.chosen_actions()),
            self.query_one("#form-appointment", Input).value,
        )
        self.drafts[self.context.key] = self.draft

    def recalculate(self) -> None:
        if self.rule_set is None or self.ladder is None or self.today is None:
            return
        from upgradecamp.domain.calculator import calculate
        from upgradecamp.domain.errors import DomainError

        text = self.query_one("#form-lines", TextArea).text
        numbered, problems = numbered_lines(text, self.rule_set)
        client = self.context.client
        notes = [
            (p.number, t("calc.line_problem", number=p.number, message=describe_error(p.error)))
            for p in problems
        ]
        if not client.get("restricted"):  # else the handler checks it when the form is sent
            notes += suitability_notes(
                self.rule_set,
                numbered,
                client.get("risk_grade"),
                client.get("risk_expires"),
                self.today,
            )
        appointment = appointment_note(
            self.query_one("#form-appointment", Input).value, self.context.session_day
        )
        if appointment:
            notes.append((len(text.splitlines()) + 1, appointment))
        self.blocking_lines = sorted({p.number for p in problems})
        notes.sort(key=lambda note: note[0])  # stable: a line's own problems keep their order
        self.query_one("#form-problems", Static).update("\n".join(note for _, note in notes))
        shown = self.query_one("#form-calc", Static)
        try:
            calc = calculate(
                self.rule_set,
                self.ladder,
                Decimal(str(client.get("aum") or 0)),
                [line for _, line in numbered],
                self.chosen_actions(),
                self.context.on_site,
            )
        except (DomainError, ArithmeticError) as err:
            shown.update(describe_error(err))
            shown.add_class("-error")
            return
        self.calculation = calc
        shown.remove_class("-error")
        shown.update(
            render_calculation(
                calc,
                self.rule_set,
                self.ladder,
                [n for n, _ in numbered],
                restricted=bool(client.get("restricted")),
            )
        )

    # -- keys ---------------------------------------------------------------------------------
    def action_toggle_panel(self) -> None:
        """Small terminal: show the other panel. Both shown: move to the other one, so the
        arrow keys scroll it; F2 again returns to where the marketer was typing."""
        self.toggle_class("-benefits")
        box = self.query_one(
            "#form-benefits-box" if self.has_class("-benefits") else "#form-calc-box",
            VerticalScroll,
        )
        box.scroll_home(animate=False)
        if not self.has_class("-compact"):
            if self.has_class("-benefits"):
                self._typing_in = self.focused
                box.focus()
            elif self._typing_in is not None and self._typing_in.is_attached:
                self._typing_in.focus()

    def action_back(self) -> None:
        if self.sent is None:
            self.keep_draft()
        self.app.pop_screen()

    def say(self, text: str, kind: str = "") -> None:
        shown = self.query_one("#form-message", Static)
        shown.update(text)
        shown.set_class(kind == "error", "-error")
        shown.set_class(kind == "done", "-done")

    def action_submit(self) -> None:
        if self.sending:
            return
        if self.rule_set is None:
            self.say(t("registration.not_ready"), "error")
            return
        if self.sent is not None:
            self.say(t("registration.already_sent", form=self.sent.get("form_id", "")))
            return
        self.recalculate()
        if self.blocking_lines:
            self.say(
                t("registration.fix_lines", lines=", ".join(map(str, self.blocking_lines))), "error"
            )
            return
        from upgradecamp.domain.commands.forms import SubmitForm

        numbered, _ = numbered_lines(self.query_one("#form-lines", TextArea).text, self.rule_set)
        appointment = self.query_one("#form-appointment", Input).value.strip() or None
        command = SubmitForm(
            session_id=self.context.session["session_id"],
            client_id=self.context.client["client_id"],
            lines=tuple((line.product, f"{line.value}", line.source) for _, line in numbered),
            actions=tuple(self.chosen_actions()),
            appointment=appointment,
            form_id=self.context.form["form_id"] if self.context.form else None,
        )
        self.sending = True
        self.say(t("registration.sending"))
        self.send(command)

    def send(self, command: Any) -> None:
        # A refusal is said in the user's language; the form keeps everything.
        run_in_thread(
            self,
            lambda services: services.execute(command, self.actor),
            self._form_sent,
            lambda failure: self._form_sent(None, failure.text),
            group="reg-submit",
            exclusive=False,
        )

    def _form_sent(self, result: dict[str, Any] | None, problem: str | None = None) -> None:
        self.sending = False
        if problem or result is None:
            self.say(t("registration.refused", reason=problem or "?"), "error")
            return
        self.sent = result
        self.drafts.pop(self.context.key, None)
        form = str(self.sent.get("form_id", ""))
        key = "registration.resubmitted" if self.context.form else "registration.submitted"
        text = t(
            key,
            form=form,
            short=short_form_id(form, self.context.session["session_id"]),
            points=f"{int(self.sent.get('points') or 0):,}",
        )
        self.say(text, "done")
        self.query_one("#form-reason", Static).remove_class("-shown")
        # Sent: the form now lives in the queue; nothing here is edited or resent by mistake.
        self.query_one("#form-lines", TextArea).read_only = True
        for widget in (self.query_one("#form-appointment", Input), *self.query(Checkbox)):
            widget.disabled = True
        self.app.notify(text, timeout=5)
