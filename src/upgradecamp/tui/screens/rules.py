"""The rules screen (积分规则): products with coefficients and risk levels, fixed actions and
bonuses, the tier ladder, and the version history with effective dates.

Choosing a version in the history shows that version; the one in force today is marked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from upgradecamp.tui.app import LogAdvanced, describe_error
from upgradecamp.tui.i18n import t
from upgradecamp.tui.widgets import aligned, column_widths
from upgradecamp.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from upgradecamp.domain.rules import RuleSet
    from upgradecamp.domain.staff import Actor
    from upgradecamp.domain.tiers import TierLadder


class RulesLoaded(Message):
    def __init__(self, rule_sets: list[Any], ladder: Any, current: Any,
                 problem: str | None = None) -> None:
        super().__init__()
        self.rule_sets = rule_sets
        self.ladder = ladder
        self.current = current
        self.problem = problem


def product_table(rule_set: RuleSet) -> str:
    """Code, name, coefficient, risk level; a count product also says what one unit counts as."""
    header = [t("rules.col_code"), t("rules.col_name"), t("rules.col_coefficient"),
              t("rules.col_risk"), t("rules.col_kind")]
    rows = [header]
    for p in rule_set.products.values():
        unit = t("rules.kind_count", unit=f"{p.unit_value:,}") if p.kind == "count" else ""
        rows.append([p.code, p.name_zh, f"{p.coefficient}", p.risk_level or "—", unit])
    widths = column_widths(rows, [14, 10, 5, 4, 16])
    return "\n".join(aligned(r, widths) for r in rows)


def bonus_lines(rule_set: RuleSet) -> str:
    rows = [t("rules.multipliers", on_site=rule_set.on_site_multiplier,
              other_bank=rule_set.other_bank_multiplier, unit=rule_set.points_unit)]
    rows += [f"{a.name_zh} ({a.code}) +{a.points}" for a in rule_set.actions.values()]
    rows.append(t("rules.appointment", points=rule_set.appointment_bonus,
                  days=rule_set.appointment_window_days))
    rows.append(t("rules.referral", checkin=rule_set.referral_checkin,
                  approval=rule_set.referral_first_approval))
    rows.append(t("rules.holding", per=f"{rule_set.holding_points_per:,}"))
    rows.append(t("rules.experience", days=rule_set.experience_days))
    return "\n".join(rows)


def ladder_lines(ladder: TierLadder) -> str:
    rows = [[tier.name_zh, f"{tier.minimum:>11,}"] for tier in ladder.tiers]
    widths = column_widths(rows, [12, 11])
    return "\n".join(aligned(r, widths) for r in rows)


class RulesScreen(Screen[None]):
    AUTO_FOCUS = "#rules-versions"
    BINDINGS = [Binding("escape", "back", show=False, id="rules.back")]

    def __init__(self, actor: Actor | None = None) -> None:
        super().__init__()
        self.actor = actor
        self.rule_sets: list[RuleSet] = []
        self.current: RuleSet | None = None

    def compose(self) -> ComposeResult:
        yield Static(t("rules.title"), classes="screen-title", markup=False)
        with Horizontal(id="rules-body"):
            with Vertical(id="rules-side"):
                yield Static(t("rules.history"), classes="box-title", markup=False)
                yield OptionList(id="rules-versions")
                yield Static(t("rules.tiers"), classes="box-title", markup=False)
                yield Static("", id="rules-ladder", markup=False)
            with VerticalScroll(id="rules-main"):
                yield Static(t("home.loading"), id="rules-version", classes="box-title",
                             markup=False)
                yield Static("", id="rules-products", markup=False)
                yield Static(t("rules.bonuses"), classes="box-title", markup=False)
                yield Static("", id="rules-bonuses", markup=False)
        yield Static(t("rules.keys"), classes="keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        self.load()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self.load()  # another terminal may have published a version

    @work(thread=True, exclusive=True, group="rules-load", exit_on_error=False)
    def load(self) -> None:
        try:
            services = self.app.get_services()
            from upgradecamp.queries import rules_in_force

            rule_sets, ladder, current = rules_in_force(services.engine, services.clock())
        except Exception as exc:  # shown on screen
            self.post_message(RulesLoaded([], None, None, describe_error(exc)))
            return
        self.post_message(RulesLoaded(rule_sets, ladder, current))

    def on_rules_loaded(self, message: RulesLoaded) -> None:
        if message.problem:
            self.query_one("#rules-version", Static).update(message.problem)
            return
        self.rule_sets, self.current = message.rule_sets, message.current
        versions = self.query_one("#rules-versions", OptionList)
        highlighted = versions.highlighted
        versions.clear_options()
        for rs in self.rule_sets:
            mark = " ●" if rs is self.current else ""
            versions.add_option(Option(f"{rs.version} {rs.effective_from}→"
                                       f"{rs.effective_to}{mark}", id=rs.version))
        self.query_one("#rules-ladder", Static).update(ladder_lines(message.ladder))
        if self.rule_sets:
            start = self.rule_sets.index(self.current) if self.current else 0
            versions.highlighted = highlighted if highlighted is not None else start
            self.show(self.rule_sets[versions.highlighted or 0])

    @on(OptionList.OptionHighlighted, "#rules-versions")
    def _version_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        chosen = next((rs for rs in self.rule_sets if rs.version == event.option.id), None)
        if chosen is not None:
            self.show(chosen)

    def show(self, rule_set: RuleSet) -> None:
        state = t("rules.in_force") if rule_set is self.current else ""
        self.query_one("#rules-version", Static).update(
            t("rules.version", version=rule_set.version, start=rule_set.effective_from,
              end=rule_set.effective_to, state=state))
        self.query_one("#rules-products", Static).update(product_table(rule_set))
        self.query_one("#rules-bonuses", Static).update(bonus_lines(rule_set))

    def action_back(self) -> None:
        self.app.pop_screen()
