"""Sign-in (登录): staff choose themselves from the list, then type their PIN.

The list loads in a thread worker so the screen accepts keys at once: anything typed into the
filter before the list arrives is kept and applied when it does. Enter moves to the PIN as the
key arrives (`widgets/ordered_fields.py`), so a code, Enter and a PIN typed in one burst, even
before the list is there, put the PIN in the masked field; the choice and the sign-in follow
once the list has loaded. The PIN is checked by the same
`VerifyPin` handler the CLI uses (it counts failures and locks after five); its message is shown
here as is, the PIN field is cleared and the chosen staff member stays chosen.

A demo database (one with a `DemoBuilt` event) also shows a panel of the demo's staff codes and
PINs, drawn again from the demo's seed, so whoever opens a demo can sign in at once. A database
made by `init` has no such event and never shows one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from upgradecamp.tui.i18n import role_name, t
from upgradecamp.tui.messages import LogAdvanced, LogUnavailable
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets import aligned, column_widths
from upgradecamp.tui.widgets.ordered_fields import ENTER, OrderedFields, OrderedInput
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.workers import Failure, desk_of, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries import StaffEntry
    from upgradecamp.queries.staff import DemoCredential
    from upgradecamp.service.bus import Services

RETRY_SECONDS = 2.0
# Column limits in cells: code, name, role, branch, locked marker.
COLUMN_LIMITS = (12, 12, 12, 6, 8)


def staff_matches(member: StaffEntry, text: str) -> bool:
    """Whether a staff row matches the filter: code, name, role (code or name) or branch."""
    if not text:
        return True
    haystack = " ".join(
        [
            member["code"],
            member["name"],
            member["role"],
            role_name(member["role"]),
            member["branch"],
        ]
    ).lower()
    return all(word in haystack for word in text.lower().split())


class LoginScreen(OrderedFields, Screen[None]):
    """Choose yourself, then enter your PIN."""

    AUTO_FOCUS = "#staff-filter"
    DEFAULT_CSS = stylesheet("login_screen")
    BINDINGS = [
        Binding("escape", "back", show=False, id="login.back"),
        Binding("down", "to_list", show=False, id="login.to_list"),
        ENTER,
    ]
    FIELD_ORDER = ("staff-filter", "pin")

    def __init__(self) -> None:
        super().__init__()
        self._staff: list[StaffEntry] | None = None
        self._chosen: StaffEntry | None = None
        self._checking = False
        self._choose_on_load = False  # Enter in the filter came before the list
        self._pin_on_choice: str | None = None  # and a PIN's Enter too

    def compose(self) -> ComposeResult:
        yield Static(t("login.title"), id="login-title", classes="screen-title", markup=False)
        with Horizontal(id="login-main"):
            with Vertical(id="login-body"):
                yield OrderedInput(placeholder=t("login.filter_placeholder"), id="staff-filter")
                yield Static("", id="staff-header", markup=False)
                yield OptionList(id="staff-list")
                yield Static(t("login.choose_first"), id="pin-label", markup=False)
                yield OrderedInput(
                    placeholder=t("login.pin_placeholder"),
                    password=True,
                    max_length=8,
                    id="pin",
                    disabled=True,
                )
                yield Static(t("login.loading"), id="login-message", markup=False)
            with VerticalScroll(id="demo-panel", can_focus=False):
                yield Static(t("login_demo.hint"), id="demo-hint", markup=False)
                yield Static("", id="demo-pins", markup=False)
        yield Static(t("login.keys"), id="keys", classes="keys", markup=False)
        yield StatusBar()

    # -- the staff list ----------------------------------------------------------------------
    def on_mount(self) -> None:
        self.query_one("#staff-filter", Input).focus()

    def on_screen_resume(self) -> None:
        # Back after a sign-out: the list may have changed meanwhile. (When the app starts,
        # the first poll of the log loads it, once the screen already takes keys.)
        if getattr(self.app, "following", False):
            self.load_staff()

    def reset(self) -> None:
        """Start clean for the next person (after a sign-out)."""
        self._forget_choice()
        self._say("")
        staff_filter = self.query_one("#staff-filter", Input)
        staff_filter.value = ""
        staff_filter.focus()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self.load_staff()

    def on_log_unavailable(self, message: LogUnavailable) -> None:
        if self._staff is None:
            self._say(message.text, error=True)

    def load_staff(self) -> None:
        def load(services: Services) -> tuple[list[StaffEntry], list[DemoCredential]]:
            from upgradecamp.queries import staff_directory
            from upgradecamp.queries.staff import demo_credentials

            return (
                staff_directory(services.engine, services.clock()),
                demo_credentials(services.engine, services.log),
            )

        run_in_thread(self, load, self._staff_loaded, self._staff_load_failed, group="login-staff")

    def _staff_loaded(self, loaded: tuple[list[StaffEntry], list[DemoCredential]]) -> None:
        first_load = self._staff is None
        self._staff, demo = loaded
        self._show_staff()
        self._show_demo(demo or [])
        if first_load and self._chosen is None:
            self._say("")
        if not self._staff:
            self._say(t("login.no_staff"), error=True)
        if self._choose_on_load:
            self._choose_on_load = False
            self._choose_highlighted()

    def _staff_load_failed(self, failure: Failure) -> None:
        self._say(failure.text, error=True)
        self.set_timer(RETRY_SECONDS, self.load_staff)

    def _show_demo(self, demo: list[DemoCredential]) -> None:
        panel = self.query_one("#demo-panel", VerticalScroll)
        panel.display = bool(demo)
        if not demo:
            return
        panel.border_title = t("login_demo.title")
        rows = [[d.code, d.pin, role_name(d.role)] for d in demo]
        header = [t("login.column_code"), t("login_demo.column_pin"), t("login.column_role")]
        widths = column_widths([header, *rows], (10, 8, 12))
        self.query_one("#demo-pins", Static).update(
            "\n".join(aligned(row, widths) for row in [header, *rows])
        )

    @on(Input.Changed, "#staff-filter")
    def _filter_changed(self) -> None:
        self._show_staff()

    def _show_staff(self) -> None:
        if self._staff is None:
            return
        text = self.query_one("#staff-filter", Input).value.strip()
        matches = [m for m in self._staff if staff_matches(m, text)]
        header = [
            t("login.column_code"),
            t("login.column_name"),
            t("login.column_role"),
            t("login.column_branch"),
            "",
        ]
        rows = [
            [
                m["code"],
                m["name"],
                role_name(m["role"]),
                m["branch"],
                t("login.locked") if m.get("locked") else "",
            ]
            for m in matches
        ]
        widths = column_widths([header, *rows], COLUMN_LIMITS)
        self.query_one("#staff-header", Static).update(aligned(header, widths))
        staff_list = self.query_one("#staff-list", OptionList)
        highlighted = staff_list.highlighted_option
        keep = highlighted.id if highlighted is not None else None
        staff_list.set_options(
            Option(Content(aligned(row, widths)), id=m["code"])
            for m, row in zip(matches, rows, strict=True)
        )
        codes = [m["code"] for m in matches]
        if keep in codes:
            staff_list.highlighted = codes.index(keep)
        elif codes:
            staff_list.highlighted = 0
        if self._chosen is None:
            if text and not matches:
                self._say(t("login.no_match", text=text), error=True)
            elif matches:
                self._say("")

    def on_key(self, event: Key) -> None:
        # A printable key that reached the screen was consumed by no input: typed while the
        # list had focus, or before the filter had focus at start-up. It belongs in the filter,
        # so no keystroke is lost.
        if event.is_printable and event.character:
            staff_filter = self.query_one("#staff-filter", Input)
            staff_filter.focus()
            staff_filter.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    def action_to_list(self) -> None:
        if self.focused is self.query_one("#staff-filter"):
            self.query_one("#staff-list", OptionList).focus()

    def field_done(self, field_id: str, value: str) -> None:
        """Enter in the filter chooses the highlighted match (once the list is there)."""
        if field_id != "staff-filter":
            return
        if self._staff is None:
            self._choose_on_load = True
            self._say(t("login.loading"))
            return
        # Keys sent in a burst reach Enter before their Input.Changed messages: filter by what
        # the field holds now, or Enter would choose from the list as it was a key ago.
        self._show_staff()
        self._choose_highlighted()

    def _choose_highlighted(self) -> None:
        option = self.query_one("#staff-list", OptionList).highlighted_option
        if option is None:
            # The PIN field keeps the focus (a PIN typed next stays masked); Esc goes back.
            self.query_one("#pin", Input).value = ""
            self._pin_on_choice = None
            self._say(t("login.choose_first"), error=True)
            return
        self._choose(option.id, keep_pin=True)
        if self._pin_on_choice is not None:
            pin, self._pin_on_choice = self._pin_on_choice, None
            self._check_pin(pin)

    @on(OptionList.OptionSelected, "#staff-list")
    def _staff_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    # -- the PIN -----------------------------------------------------------------------------
    def _choose(self, code: str | None, *, keep_pin: bool = False) -> None:
        """Choose a staff member; `keep_pin` keeps what was typed into the PIN since Enter."""
        member = next((m for m in self._staff or () if m["code"] == code), None)
        if member is None:
            return
        self._chosen = member
        self.query_one("#pin-label", Static).update(
            t(
                "login.pin_for",
                code=member["code"],
                name=member["name"],
                role=role_name(member["role"]),
                branch=member["branch"],
            )
        )
        pin = self.query_one("#pin", Input)
        pin.disabled = False
        if not keep_pin:
            pin.value = ""
            pin.focus()
        self._say("")

    def _forget_choice(self) -> None:
        self._chosen = None
        pin = self.query_one("#pin", Input)
        pin.value = ""
        pin.disabled = True
        self.query_one("#pin-label", Static).update(t("login.choose_first"))

    def action_back(self) -> None:
        if self._chosen is not None:
            self._forget_choice()
            self._say("")
            self.query_one("#staff-list", OptionList).focus()
            return
        self._forget_choice()
        self._choose_on_load, self._pin_on_choice = False, None
        staff_filter = self.query_one("#staff-filter", Input)
        staff_filter.value = ""
        staff_filter.focus()

    def fields_complete(self, values: dict[str, str]) -> None:
        if self._chosen is None and self._choose_on_load:
            self._pin_on_choice = values["pin"]  # signed in once the list has come
            return
        self._check_pin(values["pin"])

    def _check_pin(self, value: str) -> None:
        if self._checking:
            return
        pin = self.query_one("#pin", Input)
        if self._chosen is None:
            pin.value = ""
            self._say(t("login.choose_first"), error=True)
            return
        if not value:
            self._say(t("login.pin_empty"), error=True)
            return
        if not (value.isdigit() and 4 <= len(value) <= 8):
            pin.value = ""
            self._say(t("login.pin_format"), error=True)
            return
        self._checking = True
        self._say(t("login.checking"))
        self.sign_in(self._chosen["code"], value)

    def sign_in(self, code: str, pin: str) -> None:
        def verify(services: Services) -> Actor:
            from upgradecamp.domain.commands import VerifyPin
            from upgradecamp.domain.staff import Actor

            found = services.execute(
                VerifyPin(code=code, pin=pin, record_sign_in=True),
                Actor(code=code, role="unverified"),
            )
            return Actor(
                code=found["code"], role=found["role"], branch=found["branch"], name=found["name"]
            )

        run_in_thread(
            self, verify, self._accepted, self._refused, group="login-sign-in", exclusive=False
        )

    def _refused(self, failure: Failure) -> None:
        self._checking = False
        pin = self.query_one("#pin", Input)
        pin.value = ""
        if self._chosen is not None:
            pin.focus()
        self._say(t("login.refused", message=failure.text), error=True)

    def _accepted(self, actor: Actor) -> None:
        self._checking = False
        self.query_one("#pin", Input).value = ""
        self._say("")
        desk_of(self.app).signed_in(actor)

    def _say(self, text: str, *, error: bool = False) -> None:
        box = self.query_one("#login-message", Static)
        box.update(text)
        box.set_class(error and bool(text), "-error")
