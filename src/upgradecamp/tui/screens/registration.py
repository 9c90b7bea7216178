"""Registration (升级登记): a marketer picks today's session and a checked-in client, or one of
their own forms, and opens the upgrade registration form (升级确认单, `registration_form.py`).

Today's sessions that take forms are listed (open ones, and ones closed earlier today; the
marketer's own branch first), then their checked-in clients, filtered as the marketer types.
F2 shows the marketer's forms, returned ones first with the branch head's reason, to fix and
resubmit. Both lists follow the log, so a returned form shows up without a restart. Typing in a
form is kept here, per form, while the marketer looks at another.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from upgradecamp.tui.i18n import t
from upgradecamp.tui.messages import LogAdvanced
from upgradecamp.tui.screens.registration_form import FormScreen
from upgradecamp.tui.screens.registration_parts import (
    Draft,
    FormContext,
    short_form_id,
    status_name,
)
from upgradecamp.tui.screens.registration_rows import (
    attendee_matches,
    attendee_rows,
    form_rows,
    session_choice,
    sessions_for,
)
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.workers import run_in_thread

if TYPE_CHECKING:
    from datetime import date

    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.forms import FormSummary
    from upgradecamp.queries.sessions import SessionView
    from upgradecamp.service.bus import Services


# -- messages from the workers --------------------------------------------------------------
@dataclass(frozen=True)
class PickerLoaded:
    today: date
    sessions: list[SessionView]
    session_id: str | None
    attendees: list[dict[str, Any]]
    forms: list[FormSummary]


# -- the picker -------------------------------------------------------------------------------
class RegistrationScreen(Screen[None]):
    """Today's sessions, their checked-in clients (type to filter), and the marketer's forms."""

    AUTO_FOCUS = "#reg-filter"
    DEFAULT_CSS = stylesheet("registration_screen")
    BINDINGS = [
        Binding("escape", "back", show=False, id="registration.back"),
        Binding("f2", "toggle_view", show=False, id="registration.my_forms"),
        Binding("f3", "feedback", show=False, id="registration.feedback"),
        Binding("down", "to_list", show=False, id="registration.to_list"),
    ]

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.showing_forms = False
        self.session_id: str | None = None
        self.sessions: list[SessionView] = []
        self.attendees: list[dict[str, Any]] = []
        self.forms: list[FormSummary] = []
        self.drafts: dict[str, Draft] = {}  # typing kept per form while another is open
        self.loaded = False
        # The message line shows "loading" or a load problem until the lists arrive; what
        # `say` told the marketer stays when another terminal's write reloads the lists.
        self.message_is_load_status = True

    def compose(self) -> ComposeResult:
        yield Static(t("registration.title"), classes="screen-title", markup=False)
        yield OptionList(id="reg-sessions", compact=True)
        yield Input(placeholder=t("registration.filter_placeholder"), id="reg-filter", compact=True)
        yield Static("", id="reg-banner", markup=False)
        yield Static(
            t("registration.attendees"), id="reg-list-title", classes="box-title", markup=False
        )
        yield OptionList(id="reg-list")
        yield Static(t("home.loading"), id="reg-message", markup=False)
        yield Static(t("registration.picker_keys"), classes="keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.reload()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self.reload()

    def reload(self) -> None:
        self.load(self.session_id)

    def load(self, wanted: str | None) -> None:
        def load(services: Services) -> PickerLoaded:
            from upgradecamp.domain.clock import business_date
            from upgradecamp.domain.names import pinyin_initials
            from upgradecamp.queries.forms import attendees, my_forms
            from upgradecamp.queries.sessions import list_sessions

            today = business_date(services.clock())
            sessions = sessions_for(
                list_sessions(services.engine, start=today, end=today), self.actor.branch
            )
            ids = [s["session_id"] for s in sessions]
            chosen = wanted if wanted in ids else (ids[0] if ids else None)
            people = attendees(services.engine, chosen, self.actor) if chosen else []
            for person in people:
                person["initials"] = pinyin_initials(str(person.get("name") or "")).lower()
            return PickerLoaded(
                today, sessions, chosen, people, my_forms(services.engine, self.actor.code)
            )

        run_in_thread(
            self,
            load,
            self._picker_loaded,
            lambda failure: self._problem(failure.text),
            group="reg-picker",
        )

    def _picker_loaded(self, message: PickerLoaded) -> None:
        self.loaded = True
        self.sessions, self.attendees, self.forms = (
            message.sessions,
            message.attendees,
            message.forms,
        )
        self.session_id = message.session_id
        picker = self.query_one("#reg-sessions", OptionList)
        with self.app.batch_update():
            picker.clear_options()
            if self.sessions:
                picker.add_options(
                    Option(Content(session_choice(s)), id=s["session_id"]) for s in self.sessions
                )
                picker.highlighted = next(
                    i for i, s in enumerate(self.sessions) if s["session_id"] == self.session_id
                )
            else:
                picker.add_option(
                    Option(
                        Content(t("registration.no_sessions", date=message.today.isoformat())),
                        disabled=True,
                    )
                )
            returned = sum(1 for f in self.forms if f.status == "returned")
            self.query_one("#reg-banner", Static).update(
                t("registration.returned_banner", count=returned) if returned else ""
            )
            if self.message_is_load_status:
                self.query_one("#reg-message", Static).update("")
            self.refill()

    def _problem(self, text: str) -> None:
        shown = self.query_one("#reg-message", Static)
        shown.update(text)
        shown.add_class("-error")
        self.message_is_load_status = True

    @on(OptionList.OptionHighlighted, "#reg-sessions")
    def _session_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.session_id:
            self.session_id = event.option.id
            self.load(self.session_id)

    @on(Input.Changed, "#reg-filter")
    def _filter_changed(self, _event: Input.Changed) -> None:
        self.refill()

    def visible_attendees(self) -> list[dict[str, Any]]:
        needle = self.query_one("#reg-filter", Input).value
        return [a for a in self.attendees if attendee_matches(a, needle)]

    def refill(self) -> None:
        """Fill the list with what the view and the filter ask for; the cursor stays put."""
        listing = self.query_one("#reg-list", OptionList)
        kept = None
        if listing.highlighted is not None and listing.option_count:
            kept = listing.get_option_at_index(listing.highlighted).id
        listing.clear_options()
        title = self.query_one("#reg-list-title", Static)
        if self.showing_forms:
            title.update(t("registration.my_forms"))
            options = [
                Option(Content(text), id=f.form_id)
                for f, text in zip(self.forms, form_rows(self.forms), strict=True)
            ]
            empty = t("registration.no_forms")
        else:
            title.update(t("registration.attendees"))
            shown = self.visible_attendees()
            options = [
                Option(Content(text), id=a["client_id"])
                for a, text in zip(shown, attendee_rows(shown, self.session_id or ""), strict=True)
            ]
            needle = self.query_one("#reg-filter", Input).value.strip()
            if needle and self.attendees:
                empty = t("registration.no_match", text=needle)
            elif self.session_id:
                empty = t("registration.no_attendees")
            else:
                empty = ""
        if not options:
            if empty:
                listing.add_option(Option(Content(empty), disabled=True))
            return
        listing.add_options(options)
        ids = [o.id for o in options]
        listing.highlighted = ids.index(kept) if kept in ids else 0

    # -- keys ---------------------------------------------------------------------------------
    def action_back(self) -> None:
        box = self.query_one("#reg-filter", Input)
        if box.value:
            box.value = ""
            return
        self.app.pop_screen()

    def action_toggle_view(self) -> None:
        self.showing_forms = not self.showing_forms
        self.query_one("#reg-filter", Input).display = not self.showing_forms
        self.refill()
        self.query_one("#reg-list", OptionList).focus()

    def action_feedback(self) -> None:
        """The highlighted attendee's feedback form (score, comment, complaint)."""
        from upgradecamp.tui.screens.feedback_dialog import FeedbackDialog, saved_text

        listing = self.query_one("#reg-list", OptionList)
        if self.showing_forms or listing.highlighted is None or not self.session_id:
            return
        chosen = listing.get_option_at_index(listing.highlighted).id
        attendee = next((a for a in self.attendees if a["client_id"] == chosen), None)
        if attendee is not None:
            self.app.push_screen(
                FeedbackDialog(
                    self.actor, self.session_id, attendee["client_id"], attendee.get("name") or ""
                ),
                lambda result: self.say(saved_text(result)) if result else None,
            )

    def action_to_list(self) -> None:
        if self.focused is self.query_one("#reg-filter", Input):
            self.query_one("#reg-list", OptionList).focus()

    @on(Input.Submitted, "#reg-filter")
    def _filter_submitted(self, _event: Input.Submitted) -> None:
        listing = self.query_one("#reg-list", OptionList)
        if listing.highlighted is not None and listing.option_count:
            option = listing.get_option_at_index(listing.highlighted)
            if not option.disabled and option.id:
                self.open(option.id)

    @on(OptionList.OptionSelected, "#reg-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open(event.option.id)

    def say(self, text: str, error: bool = False) -> None:
        shown = self.query_one("#reg-message", Static)
        shown.update(text)
        shown.set_class(error, "-error")
        self.message_is_load_status = False

    def open(self, chosen: str) -> None:
        """Open a form: a new one for an attendee, or a returned one to fix."""
        if self.showing_forms:
            form = next((f for f in self.forms if f.form_id == chosen), None)
            if form is None:
                return
            if form.status != "returned":
                self.say(
                    t("registration.form_is", form=form.form_id, status=status_name(form.status))
                )
                return
            self.say(t("home.loading"))
            self.load_returned(form.form_id)
            return
        attendee = next((a for a in self.attendees if a["client_id"] == chosen), None)
        session = next((s for s in self.sessions if s["session_id"] == self.session_id), None)
        if attendee is None or session is None:
            return
        pending = [
            f for f in attendee.get("forms") or [] if f["status"] in ("submitted", "returned")
        ]
        if pending and pending[-1]["status"] == "submitted":
            self.say(
                t(
                    "registration.already_queued",
                    form=short_form_id(pending[-1]["form_id"], self.session_id),
                )
            )
            return
        if pending:
            self.say(t("home.loading"))
            self.load_returned(pending[-1]["form_id"])
            return
        client = {
            k: attendee.get(k)
            for k in (
                "client_id",
                "name",
                "mobile",
                "aum",
                "risk_grade",
                "risk_expires",
                "tier_name",
                "restricted",
            )
        }
        self.say("")
        self.app.push_screen(FormScreen(self.actor, FormContext(session, client), self.drafts))

    def load_returned(self, form_id: str) -> None:
        def load(services: Services) -> FormContext | None:
            from upgradecamp.queries.forms import form_detail
            from upgradecamp.queries.sessions import session_detail

            form = form_detail(services.engine, form_id)
            session = session_detail(services.engine, form.session_id) if form else None
            if form is None or session is None:
                return None
            client = {
                "client_id": form.client_id,
                "name": form.client_name,
                "mobile": form.mobile,
                "aum": form.aum,
                "risk_grade": form.risk_grade,
                "risk_expires": form.risk_expires,
                "tier_name": form.tier_before_name,
            }
            # The form screen still takes the returned form as its fields.
            return FormContext(session, client, asdict(form))

        def loaded(context: FormContext | None) -> None:
            if context is None:
                self._problem(t("registration.form_gone", form=form_id))
                return
            self.say("")
            self.app.push_screen(FormScreen(self.actor, context, self.drafts))

        run_in_thread(
            self, load, loaded, lambda failure: self._problem(failure.text), group="reg-open"
        )
