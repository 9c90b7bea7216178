"""The admin's Staff place (员工): everyone with role, branch, lock and last sign-in.

Keys unlock a locked member (after a yes), set a new PIN (typed twice, masked) and deactivate
a member (with a reason); each runs the same command the CLI's `staff` group runs. The table
follows the log, so a lockout at the door shows here within a poll.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from upgradecamp.domain.clock import to_local
from upgradecamp.tui.i18n import role_name, t
from upgradecamp.tui.screens.live import LiveScreen
from upgradecamp.tui.screens.staff_dialogs import (
    DeactivateScreen,
    NewPinScreen,
    UnlockConfirmScreen,
)
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.keys_line import KeysLine
from upgradecamp.tui.widgets.message_line import MessageLine
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import fill_table, table_key
from upgradecamp.tui.workers import run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.commands import Command
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.staff import StaffAccount
    from upgradecamp.service.bus import Services

COLUMNS = ("code", "name", "role", "branch", "status", "last")


def local(moment: datetime, fmt: str = "%m-%d %H:%M") -> str:
    return to_local(moment).strftime(fmt)


def status_text(account: StaffAccount) -> Text:
    if not account.active:
        return Text(
            t(
                "staff_admin.deactivated",
                on=local(account.deactivated_at, "%Y-%m-%d") if account.deactivated_at else "",
            ),
            style="dim",
        )
    if account.locked_until:
        return Text(
            t("staff_admin.locked_until", until=local(account.locked_until, "%H:%M")),
            style="bold red",
        )
    return Text(t("staff_admin.active"))


def account_cells(account: StaffAccount) -> list[Text]:
    last = local(account.last_signed_in) if account.last_signed_in else t("staff_admin.never")
    return [
        Text(account.code),
        Text(account.name),
        Text(role_name(account.role)),
        Text(account.branch),
        status_text(account),
        Text(last),
    ]


class StaffAdminScreen(LiveScreen):
    """Everyone's account; u unlocks, p sets a new PIN, d deactivates, v opens privacy."""

    AUTO_FOCUS = "#staff-table"
    BINDINGS = [
        Binding("u", "unlock", show=False, id="staff_admin.unlock"),
        Binding("p", "reset_pin", show=False, id="staff_admin.reset_pin"),
        Binding("d", "deactivate", show=False, id="staff_admin.deactivate"),
        Binding("v", "privacy", show=False, id="staff_admin.privacy"),
        Binding("r", "reload", show=False, id="staff_admin.reload"),
        Binding("escape", "back", show=False, id="staff_admin.back"),
    ]
    DEFAULT_CSS = stylesheet("staff_admin_screen")

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.accounts: dict[str, StaffAccount] = {}
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static(t("staff_admin.title"), id="staff-title", classes="screen-title", markup=False)
        yield DataTable(id="staff-table", cursor_type="row", zebra_stripes=True)
        yield Static(t("home.loading"), id="staff-detail", markup=False)
        yield MessageLine(id="staff-message")
        yield KeysLine(t("staff_admin.keys"), t("staff_admin.keys_short"), id="staff-keys")
        yield StatusBar()

    def on_mount(self) -> None:
        self.action_reload()

    # -- loading --------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load_accounts()

    def load_accounts(self) -> None:
        def load(services: Services) -> list[StaffAccount]:
            from upgradecamp.queries.staff import staff_accounts

            return staff_accounts(services.engine, services.clock())

        run_in_thread(self, load, self._loaded, self.retry_soon, group="staff-load")

    def _loaded(self, accounts: list[StaffAccount]) -> None:
        self.loaded = True
        table = self.query_one("#staff-table", DataTable)
        keep = table_key(table)
        self.accounts = {a.code: a for a in accounts}
        fill_table(
            table,
            [t(f"staff_admin.col_{c}") for c in COLUMNS],
            [(a.code, account_cells(a)) for a in accounts],
        )
        if keep in self.accounts:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        self._show_detail()

    @on(DataTable.RowHighlighted, "#staff-table")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#staff-detail", Static)
        account = self.highlighted()
        if account is None:
            detail.update(t("staff_admin.empty") if self.loaded else t("home.loading"))
            return
        who = {"code": account.code, "name": account.name}
        if not account.active:
            on = local(account.deactivated_at, "%Y-%m-%d") if account.deactivated_at else ""
            text = t(
                "staff_admin.detail_deactivated",
                on=on,
                reason=account.deactivated_reason or "",
                **who,
            )
        elif account.locked_until:
            text = t("staff_admin.detail_locked", until=local(account.locked_until, "%H:%M"), **who)
        else:
            text = t("staff_admin.detail_active", failures=account.failed_attempts, **who)
        detail.update(text)

    def highlighted(self) -> StaffAccount | None:
        return self.accounts.get(table_key(self.query_one("#staff-table", DataTable)) or "")

    def _chosen(self) -> StaffAccount | None:
        account = self.highlighted()
        if account is None:
            self._say(t("staff_admin.choose_first"), error=True)
        return account

    # -- the actions ----------------------------------------------------------------------------
    def action_privacy(self) -> None:
        """The personal data held, and forgetting a client (tui/screens/privacy.py)."""
        from upgradecamp.tui.screens.privacy import PrivacyScreen

        self.app.push_screen(PrivacyScreen(self.actor))

    def action_unlock(self) -> None:
        account = self._chosen()
        if account is None:
            return
        from upgradecamp.domain.commands import UnlockStaff

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(UnlockStaff(code=account.code), "staff_admin.unlocked", account.code)

        self.app.push_screen(UnlockConfirmScreen(account.code, account.name), answered)

    def action_reset_pin(self) -> None:
        account = self._chosen()
        if account is None:
            return
        from upgradecamp.domain.commands import ResetStaffPin

        def given(pin: str | None) -> None:
            if pin:
                self._run(
                    ResetStaffPin(code=account.code, pin=pin), "staff_admin.pin_reset", account.code
                )

        self.app.push_screen(NewPinScreen(account.code, account.name), given)

    def action_deactivate(self) -> None:
        account = self._chosen()
        if account is None:
            return
        from upgradecamp.domain.commands import DeactivateStaff

        def given(reason: str | None) -> None:
            if reason:
                self._run(
                    DeactivateStaff(code=account.code, reason=reason),
                    "staff_admin.deactivated_done",
                    account.code,
                )

        self.app.push_screen(DeactivateScreen(account.code, account.name), given)

    def _run(self, command: Command, done_key: str, code: str) -> None:
        self._say(t("staff_admin.working"))
        self.run_command(command, done_key, code)

    def run_command(self, command: Command, done_key: str, code: str) -> None:
        def done(_result: object) -> None:
            self._say(t(done_key, code=code))
            self.action_reload()

        run_in_thread(
            self,
            lambda services: services.execute(command, self.actor),
            done,
            lambda failure: self._say(failure.text, error=True),
            group="staff-command",
            exclusive=False,
        )
