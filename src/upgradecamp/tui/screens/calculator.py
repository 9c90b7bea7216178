"""The points/upgrade calculator (积分升级计算器): a marketer types lines, the result follows.

Every keystroke reprices the whole form with the pure `calculate` (tens of microseconds), so
the converted AUM, points, tier, gap and the per-product proposals are always current. A bad
line is reported by number and the good lines are still priced; nothing typed is cleared.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Static, TextArea

from upgradecamp.i18n import name_of
from upgradecamp.tui.errors import describe_error
from upgradecamp.tui.i18n import t
from upgradecamp.tui.widgets import fit
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.workers import run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.calculator import Calculation
    from upgradecamp.domain.rules import RuleSet
    from upgradecamp.domain.staff import Actor
    from upgradecamp.domain.tiers import TierLadder
    from upgradecamp.service.bus import Services


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


class CalculatorScreen(Screen[None]):
    """AUM, on-site flag, fixed actions and typed lines in; the priced form out."""

    AUTO_FOCUS = "#calc-aum"
    BINDINGS = [
        Binding("escape", "back", show=False, id="calc.back"),
        Binding("ctrl+l", "clear", show=False, id="calc.clear"),
    ]

    def __init__(self, actor: Actor | None = None) -> None:
        super().__init__()
        self.actor = actor
        self.rule_set: RuleSet | None = None
        self.ladder: TierLadder | None = None
        self.calculation: Calculation | None = None

    def compose(self) -> ComposeResult:
        yield Static(t("calc.title"), id="calc-title", classes="screen-title", markup=False)
        with Horizontal(id="calc-top"):
            yield Static(t("calc.aum"), classes="calc-label", markup=False)
            yield Input(placeholder="120000", id="calc-aum", restrict=r"[0-9,.万]*")
            yield Checkbox(t("calc.on_site"), value=True, id="calc-on-site")
        yield Horizontal(id="calc-actions")
        with Horizontal(id="calc-body"):
            with Vertical(id="calc-lines-box"):
                yield Static(t("calc.lines"), classes="box-title", markup=False)
                yield TextArea(id="calc-lines", soft_wrap=False, show_line_numbers=True)
                yield Static("", id="calc-problems", classes="-error", markup=False)
            with Vertical(id="calc-result-box"):
                yield Static(t("calc.result"), classes="box-title", markup=False)
                yield Static(t("home.loading"), id="calc-result", markup=False)
        yield Static(t("calc.keys"), classes="keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        self.load_rules()

    def load_rules(self) -> None:
        def load(services: Services) -> tuple[RuleSet | None, TierLadder | None, str | None]:
            from upgradecamp.queries import rules_in_force

            _all, ladder, current = rules_in_force(services.engine, services.clock())
            return current, ladder, None if current else t("calc.no_rules")

        run_in_thread(
            self,
            load,
            self._rules_loaded,
            lambda failure: self._rules_loaded((None, None, failure.text)),
            group="calc-rules",
        )

    def _rules_loaded(self, loaded: tuple[RuleSet | None, TierLadder | None, str | None]) -> None:
        rule_set, ladder, problem = loaded
        if problem:
            self.query_one("#calc-result", Static).update(problem)
            self.query_one("#calc-result", Static).add_class("-error")
            return
        self.rule_set, self.ladder = rule_set, ladder
        assert self.rule_set is not None
        self.query_one("#calc-title", Static).update(
            t("calc.title_version", version=self.rule_set.version)
        )
        actions = self.query_one("#calc-actions", Horizontal)
        for code, action in self.rule_set.actions.items():
            actions.mount(Checkbox(f"{name_of(action)} +{action.points}", id=f"action-{code}"))
        self.recalculate()

    # -- input --------------------------------------------------------------------------------
    @on(Input.Changed, "#calc-aum")
    @on(TextArea.Changed, "#calc-lines")
    @on(Checkbox.Changed)
    def _changed(self, _event: Any) -> None:
        self.recalculate()

    def action_clear(self) -> None:
        self.query_one("#calc-lines", TextArea).text = ""

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- pricing ------------------------------------------------------------------------------
    def _aum(self) -> Decimal | None:
        from upgradecamp.domain.points import in_yuan

        raw = in_yuan(self.query_one("#calc-aum", Input).value.replace(",", "").strip())
        if not raw:
            return Decimal(0)
        try:
            value = Decimal(raw)
        except InvalidOperation:
            return None
        return value if value.is_finite() and value >= 0 else None

    def recalculate(self) -> None:
        if self.rule_set is None or self.ladder is None:
            return
        from upgradecamp.domain.calculator import calculate
        from upgradecamp.domain.errors import DomainError
        from upgradecamp.domain.form_text import parse_form_text

        result = self.query_one("#calc-result", Static)
        problems_view = self.query_one("#calc-problems", Static)
        aum = self._aum()
        lines, problems = parse_form_text(
            self.query_one("#calc-lines", TextArea).text, self.rule_set
        )
        problems_view.update(
            "\n".join(
                t("calc.line_problem", number=p.number, message=describe_error(p.error))
                for p in problems
            )
        )
        if aum is None:
            result.update(t("calc.bad_aum"))
            result.add_class("-error")
            return
        actions = [
            code
            for code in self.rule_set.actions
            if self.query(f"#action-{code}") and self.query_one(f"#action-{code}", Checkbox).value
        ]
        on_site = self.query_one("#calc-on-site", Checkbox).value
        try:
            calc = calculate(self.rule_set, self.ladder, aum, lines, actions, on_site)
        except DomainError as err:
            result.update(err.message)
            result.add_class("-error")
            return
        self.calculation = calc
        result.remove_class("-error")
        result.update(self.render_result(calc))

    def render_result(self, calc: Calculation) -> str:
        rows = [
            t(
                "calc.converted",
                amount=money(calc.converted_aum),
                delta=money(calc.converted_delta),
            ),
            t("calc.points", points=f"{calc.points:,}"),
            t("calc.tier", tier=name_of(calc.tier), code=calc.tier.code),
        ]
        assert self.rule_set is not None
        for line in calc.lines:
            name = name_of(self.rule_set.products[line.product])
            rows.append(f"  {fit(name, 12)} {money(line.converted_delta):>14} {line.points:>7,}")
        for code, points in calc.actions:
            rows.append(f"  {fit(name_of(self.rule_set.actions[code]), 12)} {'':>14} {points:>7,}")
        if calc.next_tier is None:
            rows.append(t("calc.top"))
        else:
            rows.append(t("calc.gap", tier=name_of(calc.next_tier), gap=money(calc.gap)))
            rows.append(t("calc.proposals"))
            # Products needing the same amount share a line, smallest amount first, so the
            # whole list fits an 80×24 terminal.
            grouped: dict[Decimal, list[str]] = {}
            for code, amount in calc.proposals.items():
                grouped.setdefault(amount, []).append(name_of(self.rule_set.products[code]))
            for amount in sorted(grouped):
                rows.append(f"  {money(amount):>12}  {'/'.join(grouped[amount])}")
        return "\n".join(rows)
