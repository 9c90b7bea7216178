"""The admin's privacy view (个人信息), opened from the Staff place with v: the personal data
held, counted by kind, branch and age band (`upgradecamp privacy report`), and f to forget a
client (`upgradecamp clients forget`): client id, reason and the admin's PIN as a signature,
running the same command as the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from upgradecamp.domain.privacy import AGE_BANDS, OLDEST_BAND
from upgradecamp.tui.i18n import has, t
from upgradecamp.tui.screens.pin_signature import PinSignatureScreen, SignedOutcome
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.keys_line import KeysLine
from upgradecamp.tui.widgets.message_line import MessageLine
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import fill_table
from upgradecamp.tui.workers import Failure, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.privacy import HeldLine
    from upgradecamp.service.bus import Services

COLUMNS = ("kind", "branch", "age", "clients", "items")
AGES = [label for _days, label in AGE_BANDS] + [OLDEST_BAND]


def held_cells(line: HeldLine) -> list[Text]:
    return [
        Text(t(f"privacy.kind_{line.kind}") if has(f"privacy.kind_{line.kind}") else line.kind),
        Text(line.branch),
        Text(t(f"privacy.age_{AGES.index(line.age)}") if line.age in AGES else line.age),
        Text(f"{line.clients:,}", justify="right"),
        Text(f"{line.items:,}", justify="right"),
    ]


class PrivacyScreen(Screen[None]):
    """The report of personal data held; f forgets a client, r refreshes."""

    AUTO_FOCUS = "#privacy-table"
    BINDINGS = [
        Binding("f", "forget", show=False, id="privacy.forget"),
        Binding("r", "reload", show=False, id="privacy.reload"),
        Binding("escape", "back", show=False, id="privacy.back"),
    ]
    DEFAULT_CSS = stylesheet("privacy_screen")

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor

    def compose(self) -> ComposeResult:
        yield Static(t("privacy.title"), id="privacy-title", classes="screen-title", markup=False)
        yield DataTable(id="privacy-table", cursor_type="row", zebra_stripes=True)
        yield Static(t("home.loading"), id="privacy-total", markup=False)
        yield MessageLine(id="privacy-message")
        yield KeysLine(t("privacy.keys"), t("privacy.keys_short"), id="privacy-keys")
        yield StatusBar()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        def load(services: Services) -> list[HeldLine]:
            from upgradecamp.domain.privacy import check_may_forget
            from upgradecamp.queries.privacy import personal_data_held

            check_may_forget(self.actor.role, self.actor.code)
            return personal_data_held(services.engine, services.clock())

        run_in_thread(self, load, self._loaded, self._failed, group="privacy-load")

    def _loaded(self, lines: list[HeldLine]) -> None:
        fill_table(
            self.query_one("#privacy-table", DataTable),
            [t(f"privacy.col_{c}") for c in COLUMNS],
            [(f"{x.kind}/{x.branch}/{x.age}", held_cells(x)) for x in lines],
        )
        clients = sum(x.clients for x in lines if x.kind in ("client", "prospect"))
        total = t("privacy.total", clients=f"{clients:,}") if lines else t("privacy.none_held")
        self.query_one("#privacy-total", Static).update(total)

    def _failed(self, failure: Failure) -> None:
        self.query_one(MessageLine).say(failure.text, error=True)

    def action_forget(self) -> None:
        def signed(outcome: SignedOutcome | None) -> None:
            if outcome is None:
                return
            message = self.query_one(MessageLine)
            if outcome.refusal:
                message.say(outcome.refusal, error=True)
            elif outcome.result:
                message.say(t("privacy.forgotten", client_id=outcome.result["client_id"]))
                self.action_reload()

        self.app.push_screen(ForgetClientScreen(self.actor), signed)

    def action_back(self) -> None:
        self.app.pop_screen()


class ForgetClientScreen(PinSignatureScreen):
    """Client id, reason, then the admin's PIN: Enter on the PIN forgets the client."""

    AUTO_FOCUS = "#forget-client"
    PIN_FIELD = "forget-pin"
    BINDINGS = [
        Binding("enter", "next_field", show=False, priority=True, id="privacy.forget_next"),
        Binding("escape", "back", show=False, id="privacy.forget_back"),
    ]
    DEFAULT_CSS = stylesheet("forget_client_screen")

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.checking = False

    def compose(self) -> ComposeResult:
        with Vertical(id="forget-box"):
            yield Static(t("privacy.forget_title"), id="forget-title", markup=False)
            yield Static(t("privacy.forget_warning"), id="forget-warning", markup=False)
            yield Input(placeholder=t("privacy.forget_client"), id="forget-client", max_length=40)
            yield Input(placeholder=t("privacy.forget_reason"), id="forget-reason")
            yield Input(
                placeholder=t("privacy.forget_pin", code=self.actor.code),
                password=True,
                max_length=12,
                restrict=r"[0-9]*",
                id="forget-pin",
            )
            yield MessageLine(id="forget-problem")
            yield Static(t("privacy.forget_keys"), id="forget-keys", markup=False)

    def action_next_field(self) -> None:
        """Enter moves on at once (a priority binding, not the Input's Submitted message): what
        is typed straight after Enter lands in the next field, not the one just left."""
        focused = self.focused.id if self.focused is not None else None
        following = {"forget-client": "#forget-reason", "forget-reason": "#forget-pin"}
        if focused in following:
            self.set_focus(self.query_one(following[focused], Input))
        else:  # after the keys typed before this Enter have reached their fields
            self.call_after_refresh(self._submit)

    def _submit(self) -> None:
        if self.checking:
            return
        client_id = self.query_one("#forget-client", Input).value.strip()
        reason = self.query_one("#forget-reason", Input).value.strip()
        pin = self.query_one("#forget-pin", Input).value
        for field, value, problem in (
            ("#forget-client", client_id, "privacy.forget_client_empty"),
            ("#forget-reason", reason, "privacy.forget_reason_empty"),
            ("#forget-pin", pin, "privacy.forget_pin_empty"),
        ):
            if not value:
                self._say(t(problem), error=True)
                self.query_one(field, Input).focus()
                return
        self.checking = True
        self._say(t("privacy.forgetting", client_id=client_id))
        self.forget(client_id, reason, pin)

    def forget(self, client_id: str, reason: str, pin: str) -> None:
        def forget(services: Services) -> Any:
            from upgradecamp.domain.commands import ForgetClient
            from upgradecamp.service.privacy import scrub

            result = services.execute(
                ForgetClient(client_id=client_id, reason=reason, pin=pin), self.actor
            )
            if result.get("forgotten", True):
                scrub(services)
            return result

        self.sign(forget, group="privacy-forget")
