"""Sign-in (登录): staff choose themselves from the list, then type their PIN.

The list loads in a thread worker so the screen accepts keys at once: anything typed into the
filter before the list arrives is kept and applied when it does. The PIN is checked by the same
`VerifyPin` handler the CLI uses (it counts failures and locks after five); its message is shown
here as is, the PIN field is cleared and the chosen staff member stays chosen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.events import Key
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from upgradecamp.tui.app import LogAdvanced, LogUnavailable, describe_error
from upgradecamp.tui.i18n import role_name, t
from upgradecamp.tui.widgets import aligned, column_widths
from upgradecamp.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor

RETRY_SECONDS = 2.0
# Column limits in cells: code, name, role, branch, locked marker.
COLUMN_LIMITS = (12, 12, 12, 6, 8)


class StaffLoaded(Message):
    def __init__(self, staff: list[dict[str, Any]]) -> None:
        super().__init__()
        self.staff = staff


class StaffLoadFailed(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class SignInRefused(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class SignInAccepted(Message):
    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor


def staff_matches(member: dict[str, Any], text: str) -> bool:
    """Whether a staff row matches the filter: code, name, role (code or name) or branch."""
    if not text:
        return True
    haystack = " ".join([member["code"], member["name"], member["role"],
                         role_name(member["role"]), member["branch"]]).lower()
    return all(word in haystack for word in text.lower().split())


class LoginScreen(Screen[None]):
    """Choose yourself, then enter your PIN."""

    AUTO_FOCUS = "#staff-filter"
    BINDINGS = [
        Binding("escape", "back", show=False, id="login.back"),
        Binding("down", "to_list", show=False, id="login.to_list"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._staff: list[dict[str, Any]] | None = None
        self._chosen: dict[str, Any] | None = None
        self._checking = False

    def compose(self) -> ComposeResult:
        yield Static(t("login.title"), id="login-title", classes="screen-title", markup=False)
        with Vertical(id="login-body"):
            yield Input(placeholder=t("login.filter_placeholder"), id="staff-filter")
            yield Static("", id="staff-header", markup=False)
            yield OptionList(id="staff-list")
            yield Static(t("login.choose_first"), id="pin-label", markup=False)
            yield Input(placeholder=t("login.pin_placeholder"), password=True, max_length=8,
                        id="pin", disabled=True)
            yield Static(t("login.loading"), id="login-message", markup=False)
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

    @work(thread=True, exclusive=True, group="login-staff", exit_on_error=False)
    def load_staff(self) -> None:
        try:
            services = self.app.get_services()
            from upgradecamp.queries import staff_directory

            staff = staff_directory(services.engine)
        except Exception as exc:  # shown on screen; the next log change reloads
            self.post_message(StaffLoadFailed(describe_error(exc)))
            return
        self.post_message(StaffLoaded(staff))

    def on_staff_loaded(self, message: StaffLoaded) -> None:
        first_load = self._staff is None
        self._staff = message.staff
        self._show_staff()
        if first_load and self._chosen is None:
            self._say("")
        if not self._staff:
            self._say(t("login.no_staff"), error=True)

    def on_staff_load_failed(self, message: StaffLoadFailed) -> None:
        self._say(message.text, error=True)
        self.set_timer(RETRY_SECONDS, self.load_staff)

    @on(Input.Changed, "#staff-filter")
    def _filter_changed(self) -> None:
        self._show_staff()

    def _show_staff(self) -> None:
        if self._staff is None:
            return
        text = self.query_one("#staff-filter", Input).value.strip()
        matches = [m for m in self._staff if staff_matches(m, text)]
        header = [t("login.column_code"), t("login.column_name"), t("login.column_role"),
                  t("login.column_branch"), ""]
        rows = [[m["code"], m["name"], role_name(m["role"]), m["branch"],
                 t("login.locked") if m.get("locked") else ""] for m in matches]
        widths = column_widths([header, *rows], COLUMN_LIMITS)
        self.query_one("#staff-header", Static).update(aligned(header, widths))
        staff_list = self.query_one("#staff-list", OptionList)
        highlighted = staff_list.highlighted_option
        keep = highlighted.id if highlighted is not None else None
        staff_list.set_options(Option(Content(aligned(row, widths)), id=m["code"])
                               for m, row in zip(matches, rows, strict=True))
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

    @on(Input.Submitted, "#staff-filter")
    def _filter_submitted(self) -> None:
        staff_list = self.query_one("#staff-list", OptionList)
        option = staff_list.highlighted_option
        if option is None:
            self._say(t("login.choose_first"), error=True)
            return
        self._choose(option.id)

    @on(OptionList.OptionSelected, "#staff-list")
    def _staff_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    # -- the PIN -----------------------------------------------------------------------------
    def _choose(self, code: str | None) -> None:
        member = next((m for m in self._staff or () if m["code"] == code), None)
        if member is None:
            return
        self._chosen = member
        self.query_one("#pin-label", Static).update(t(
            "login.pin_for", code=member["code"], name=member["name"],
            role=role_name(member["role"]), branch=member["branch"]))
        pin = self.query_one("#pin", Input)
        pin.disabled = False
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
        staff_filter = self.query_one("#staff-filter", Input)
        staff_filter.value = ""
        staff_filter.focus()

    @on(Input.Submitted, "#pin")
    def _pin_submitted(self, event: Input.Submitted) -> None:
        if self._checking:
            return
        pin = event.input
        if self._chosen is None:
            self._say(t("login.choose_first"), error=True)
            return
        value = event.value
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

    @work(thread=True, exclusive=True, group="login-sign-in", exit_on_error=False)
    def sign_in(self, code: str, pin: str) -> None:
        from upgradecamp.domain.commands import VerifyPin
        from upgradecamp.domain.staff import Actor

        try:
            services = self.app.get_services()
            found = services.execute(VerifyPin(code=code, pin=pin, record_sign_in=True),
                                     Actor(code=code, role="unverified"))
        except Exception as exc:  # DomainError messages are shown as is, others explained
            self.post_message(SignInRefused(describe_error(exc)))
            return
        self.post_message(SignInAccepted(Actor(code=found["code"], role=found["role"],
                                               branch=found["branch"], name=found["name"])))

    def on_sign_in_refused(self, message: SignInRefused) -> None:
        self._checking = False
        pin = self.query_one("#pin", Input)
        pin.value = ""
        if self._chosen is not None:
            pin.focus()
        self._say(t("login.refused", message=message.text), error=True)

    def on_sign_in_accepted(self, message: SignInAccepted) -> None:
        self._checking = False
        self.query_one("#pin", Input).value = ""
        self._say("")
        self.app.signed_in(message.actor)

    def _say(self, text: str, *, error: bool = False) -> None:
        box = self.query_one("#login-message", Static)
        box.update(text)
        box.set_class(error and bool(text), "-error")
