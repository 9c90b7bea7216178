"""The rules screen (积分规则): products with coefficients and risk levels, fixed actions and
bonuses, the tier ladder, and the version history with effective dates.

Choosing a version in the history shows that version; the one in force today is marked.
Organizers and branch heads press n to draft the quarter after the version shown
(`rule_draft.RuleDraftScreen`); published versions are never edited here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from upgradecamp.i18n import name_of
from upgradecamp.tui.errors import describe_error
from upgradecamp.tui.i18n import t
from upgradecamp.tui.messages import LogAdvanced
from upgradecamp.tui.widgets import aligned, column_widths
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.workers import run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.rules import RuleSet
    from upgradecamp.domain.staff import Actor
    from upgradecamp.domain.tiers import TierLadder
    from upgradecamp.service.bus import Services


def product_table(rule_set: RuleSet) -> str:
    """Code, name, coefficient, risk level; a count product also says what one unit counts as."""
    header = [
        t("rules.col_code"),
        t("rules.col_name"),
        t("rules.col_coefficient"),
        t("rules.col_risk"),
        t("rules.col_kind"),
    ]
    rows = [header]
    for p in rule_set.products.values():
        unit = t("rules.kind_count", unit=f"{p.unit_value:,}") if p.kind == "count" else ""
        rows.append([p.code, name_of(p), f"{p.coefficient}", p.risk_level or "—", unit])
    widths = column_widths(rows, [14, 10, 5, 4, 16])
    return "\n".join(aligned(r, widths) for r in rows)


def bonus_lines(rule_set: RuleSet) -> str:
    rows = [
        t(
            "rules.multipliers",
            on_site=rule_set.on_site_multiplier,
            other_bank=rule_set.other_bank_multiplier,
            unit=rule_set.points_unit,
        )
    ]
    rows += [f"{name_of(a)} ({a.code}) +{a.points}" for a in rule_set.actions.values()]
    rows.append(
        t(
            "rules.appointment",
            points=rule_set.appointment_bonus,
            days=rule_set.appointment_window_days,
        )
    )
    rows.append(
        t(
            "rules.referral",
            checkin=rule_set.referral_checkin,
            approval=rule_set.referral_first_approval,
        )
    )
    rows.append(t("rules.holding", per=f"{rule_set.holding_points_per:,}"))
    rows.append(t("rules.experience", days=rule_set.experience_days))
    return "\n".join(rows)


def ladder_lines(ladder: TierLadder) -> str:
    rows = [[name_of(tier), f"{tier.minimum:>11,}"] for tier in ladder.tiers]
    widths = column_widths(rows, [12, 11])
    return "\n".join(aligned(r, widths) for r in rows)


class RulesScreen(Screen[None]):
    AUTO_FOCUS = "#rules-versions"
    BINDINGS = [
        Binding("escape", "back", show=False, id="rules.back"),
        Binding("n", "draft_next", show=False, id="rules.draft_next"),
    ]

    def __init__(self, actor: Actor | None = None) -> None:
        super().__init__()
        self.actor = actor
        self.rule_sets: list[RuleSet] = []
        self.current: RuleSet | None = None
        self.shown: RuleSet | None = None

    def compose(self) -> ComposeResult:
        actor = self.actor
        yield Static(t("rules.title"), classes="screen-title", markup=False)
        with Horizontal(id="rules-body"):
            with Vertical(id="rules-side"):
                yield Static(t("rules.history"), classes="box-title", markup=False)
                yield OptionList(id="rules-versions")
                yield Static(t("rules.tiers"), classes="box-title", markup=False)
                yield Static("", id="rules-ladder", markup=False)
            with VerticalScroll(id="rules-main"):
                yield Static(
                    t("home.loading"), id="rules-version", classes="box-title", markup=False
                )
                yield Static("", id="rules-products", markup=False)
                yield Static(t("rules.bonuses"), classes="box-title", markup=False)
                yield Static("", id="rules-bonuses", markup=False)
        yield Static("", id="rules-message", markup=False)
        keys = t("rules.keys")
        if actor is not None and actor.may("rules.publish"):
            keys = f"{keys} · {t('rule_draft.key_draft')}"
        yield Static(keys, classes="keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        self.load()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self.load()  # another terminal may have published a version

    def load(self) -> None:
        def load(services: Services) -> tuple[list[Any], Any, Any]:
            from upgradecamp.queries import rules_in_force

            return rules_in_force(services.engine, services.clock())

        run_in_thread(
            self,
            load,
            self._loaded,
            lambda failure: self.query_one("#rules-version", Static).update(failure.text),
            group="rules-load",
        )

    def _loaded(self, loaded: tuple[list[Any], Any, Any]) -> None:
        rule_sets, ladder, self.current = loaded
        self.rule_sets = rule_sets
        versions = self.query_one("#rules-versions", OptionList)
        highlighted = versions.highlighted
        versions.clear_options()
        for rs in self.rule_sets:
            mark = " ●" if rs is self.current else ""
            versions.add_option(
                Option(f"{rs.version} {rs.effective_from}→{rs.effective_to}{mark}", id=rs.version)
            )
        self.query_one("#rules-ladder", Static).update(ladder_lines(ladder))
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
        self.shown = rule_set
        state = t("rules.in_force") if rule_set is self.current else ""
        self.query_one("#rules-version", Static).update(
            t(
                "rules.version",
                version=rule_set.version,
                start=rule_set.effective_from,
                end=rule_set.effective_to,
                state=state,
            )
        )
        self.query_one("#rules-products", Static).update(product_table(rule_set))
        self.query_one("#rules-bonuses", Static).update(bonus_lines(rule_set))

    def action_draft_next(self) -> None:
        """Draft the quarter after the version shown, if this member of staff may publish."""
        from upgradecamp.domain.errors import DomainError
        from upgradecamp.domain.rule_quarters import draft_next, next_version
        from upgradecamp.tui.screens.rule_draft import RuleDraftScreen

        source = self.shown
        if source is None or self.actor is None:
            return
        following = next_version(source.version) or "?"
        if not self.actor.may("rules.publish"):
            self._say(t("rule_draft.may_not", version=following), error=True)
            return
        try:
            draft = draft_next(source, following, [rs.version for rs in self.rule_sets])
        except DomainError as exc:
            self._say(describe_error(exc), error=True)
            return
        self._say("")
        self.app.push_screen(RuleDraftScreen(self.actor, source, draft), self._draft_closed)

    def _draft_closed(self, result: dict[str, Any] | None) -> None:
        if result:
            self._say(
                t(
                    "rule_draft.published",
                    version=result["version"],
                    start=result["effective_from"],
                    end=result["effective_to"],
                )
            )
            self.load()

    def _say(self, text: str, *, error: bool = False) -> None:
        view = self.query_one("#rules-message", Static)
        view.update(text)
        view.set_class(error, "-error")

    def action_back(self) -> None:
        self.app.pop_screen()
