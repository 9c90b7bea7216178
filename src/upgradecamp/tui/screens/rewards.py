"""Rewards (积分兑换): a marketer, with the client at the desk, spends their points.

Type the client number: their balance and redemptions show; pick a reward with the arrows
and press Enter to redeem the quantity typed. Loads and the redemption run through
`run_in_thread`; a refusal (balance, stock) is shown in the client's
language and nothing is cleared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from upgradecamp.i18n import localized
from upgradecamp.tui.i18n import t
from upgradecamp.tui.widgets import fit
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import fill_table
from upgradecamp.tui.workers import Failure, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

COLUMNS = ("name", "kind", "cost", "left")


class RewardsScreen(Screen[None]):
    """The catalogue with stock left, the client's balance, and redemption by Enter."""

    AUTO_FOCUS = "#rewards-client"
    HELP_EXTRA = (("enter", "help.year.rewards_enter"),)
    BINDINGS = [Binding("escape", "back", show=False, id="rewards.back")]

    def __init__(self, actor: Actor | None = None) -> None:
        super().__init__()
        self.actor = actor
        self.codes: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(t("rewards.title"), classes="screen-title", markup=False)
        with Horizontal(id="rewards-top"):
            yield Input(placeholder=t("rewards.client"), id="rewards-client")
            yield Input(
                value="1",
                placeholder=t("rewards.quantity"),
                id="rewards-quantity",
                restrict=r"[0-9]*",
            )
        yield Static("", id="rewards-account", markup=False)
        table: DataTable[str] = DataTable(id="rewards-table", cursor_type="row")
        table.add_columns(*(t(f"rewards.col_{c}") for c in COLUMNS))
        yield table
        yield Static("", id="rewards-result", markup=False)
        yield Static(t("rewards.keys"), classes="keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        self.load()

    def client_id(self) -> str:
        return self.query_one("#rewards-client", Input).value.strip()

    @on(Input.Submitted, "#rewards-client")
    def _client_entered(self, _event: Input.Submitted) -> None:
        self.load()
        self.query_one("#rewards-table", DataTable).focus()

    def load(self) -> None:
        """The catalogue, and the typed client's account (None: no client typed or found)."""
        client = self.client_id()

        def load(services: Services) -> tuple[list[Any], dict[str, Any] | None]:
            from upgradecamp.queries import points_explanation
            from upgradecamp.queries.rewards import reward_catalogue

            catalogue = reward_catalogue(services.engine)
            # No viewer: the client stands at the desk asking what their points buy, so the
            # balance is shown to whoever serves them (`points explain` applies the book rule).
            return catalogue, points_explanation(services.engine, client) if client else None

        def loaded(found: tuple[list[Any], dict[str, Any] | None]) -> None:
            catalogue, account = found
            missing = client and account is None
            self._loaded(
                catalogue, account, t("rewards.no_client", client=client) if missing else ""
            )

        run_in_thread(
            self,
            load,
            loaded,
            lambda failure: self._loaded([], None, failure.text),  # the marketer can retry
            group="rewards-load",
        )

    def _loaded(self, catalogue: list[Any], account: dict[str, Any] | None, problem: str) -> None:
        table = self.query_one("#rewards-table", DataTable)
        row = table.cursor_row
        self.codes = [r.code for r in catalogue]
        rows = [
            (
                r.code,
                [
                    fit(localized(r.name, r.name_en), 20),
                    t(f"rewards.kind_{r.kind}"),
                    f"{r.cost:,}",
                    f"{r.left}/{r.stock}",
                ],
            )
            for r in catalogue
        ]
        fill_table(table, [t(f"rewards.col_{c}") for c in COLUMNS], rows)
        if self.codes:
            table.move_cursor(row=min(row, len(self.codes) - 1))
        self.query_one("#rewards-account", Static).update(problem or self.account_text(account))

    @staticmethod
    def account_text(account: dict[str, Any] | None) -> str:
        if account is None:
            return t("rewards.type_client")
        lines = [
            t(
                "rewards.balance",
                client=account["client_id"],
                name=account["name"],
                mobile=account["mobile"],
                balance=f"{account['balance']:,}",
            )
        ]
        for r in account["redemptions"][:3]:
            lines.append(
                t(
                    "rewards.redemption",
                    id=r["redemption_id"],
                    date=r["business_date"],
                    quantity=r["quantity"],
                    name=localized(r["reward_name"], r.get("reward_name_en")),
                    points=f"{r['points']:,}",
                    status=t(f"rewards.status_{r['status']}"),
                )
            )
        return "\n".join(lines)

    @on(DataTable.RowSelected, "#rewards-table")
    def _reward_chosen(self, event: DataTable.RowSelected) -> None:
        client = self.client_id()
        if not client:
            self.query_one("#rewards-result", Static).update(t("rewards.type_client"))
            self.query_one("#rewards-client", Input).focus()
            return
        raw = self.query_one("#rewards-quantity", Input).value or "1"
        self.redeem(client, str(event.row_key.value), int(raw))

    def redeem(self, client: str, reward: str, quantity: int) -> None:
        from upgradecamp.domain.commands import RedeemPoints

        actor = self.actor
        assert actor is not None
        command = RedeemPoints(client_id=client, reward=reward, quantity=quantity)
        run_in_thread(
            self,
            lambda services: services.execute(command, actor),
            self._redeemed,
            self._refused,  # a refusal is shown; nothing typed is cleared
            group="rewards-redeem",
            exclusive=False,
        )

    def _refused(self, failure: Failure) -> None:
        view = self.query_one("#rewards-result", Static)
        view.update(failure.text)
        view.add_class("-error")

    def _redeemed(self, r: dict[str, Any]) -> None:
        view = self.query_one("#rewards-result", Static)
        view.remove_class("-error")
        view.update(
            t(
                "rewards.done",
                id=r["redemption_id"],
                quantity=r["quantity"],
                name=r["reward_name"],
                points=f"{r['points']:,}",
                balance=f"{r['balance']:,}",
            )
        )
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
