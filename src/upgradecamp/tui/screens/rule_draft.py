"""Drafting the next quarter's rule set (起草下季度积分规则) on the rules screen.

The draft is a copy of the version shown, under the next quarter's name and dates; staff edit
coefficients, action points and bonuses, see every difference from the copied version (old →
new), and publish it with their PIN. Nothing is written until it is published: Esc discards
the draft, and a published rule set never changes again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from upgradecamp.domain.errors import DomainError
from upgradecamp.domain.rule_quarters import edit_rule_set, editable_fields, rule_set_changes
from upgradecamp.i18n import name_of
from upgradecamp.tui.errors import describe_error
from upgradecamp.tui.i18n import t
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets import aligned, column_widths
from upgradecamp.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from upgradecamp.domain.rules import RuleSet
    from upgradecamp.domain.staff import Actor


def field_label(key: str, *rule_sets: RuleSet) -> str:
    """`products.fund.coefficient` → "基金 coef.": the name staff know (the code if unnamed)."""
    table, _, rest = key.partition(".")
    if not rest:
        return t(f"rule_draft.{key}")
    code, _, name = rest.partition(".")
    items = [getattr(rs, table).get(code) for rs in rule_sets]
    item = next((i for i in items if i is not None), None)
    return f"{name_of(item) if item else code} {t(f'rule_draft.{name}')}"


def changes_table(source: RuleSet, draft: RuleSet) -> str:
    """What changed, was → now; an item added or removed says so."""
    changes = rule_set_changes(source, draft)
    if not changes:
        return t("rule_draft.no_changes", source=source.version)
    rows = [[t("rule_draft.col_what"), t("rule_draft.col_old"), "", t("rule_draft.col_new")]]
    for change in changes:
        rows.append(
            [
                field_label(change.key, draft, source),
                change.old if change.old is not None else t("rule_draft.added"),
                "→",
                change.new if change.new is not None else t("rule_draft.removed"),
            ]
        )
    widths = column_widths(rows, [28, 10, 1, 10])
    return "\n".join(aligned(r, widths) for r in rows)


class RuleDraftScreen(Screen[dict[str, Any] | None]):
    """Ends with the publish result, or None when the draft is discarded."""

    AUTO_FOCUS = "#draft-fields"
    BINDINGS = [
        Binding("escape", "back", show=False, id="rule_draft.back"),
        Binding("p", "publish", show=False, id="rule_draft.publish"),
    ]
    DEFAULT_CSS = stylesheet("rule_draft_screen")

    def __init__(self, actor: Actor, source: RuleSet, draft: RuleSet) -> None:
        super().__init__()
        self.actor = actor
        self.source = source
        self.draft = draft
        self.editing: str | None = None

    def compose(self) -> ComposeResult:
        d = self.draft
        yield Static(
            t(
                "rule_draft.title",
                version=d.version,
                start=d.effective_from,
                end=d.effective_to,
                source=self.source.version,
            ),
            id="draft-title",
            classes="screen-title",
            markup=False,
        )
        with Horizontal(id="draft-body"):
            with Vertical(id="draft-side"):
                yield Static(t("rule_draft.fields"), classes="box-title", markup=False)
                yield OptionList(*self._options(), id="draft-fields")
                yield Input(
                    placeholder=t("rule_draft.value_placeholder"),
                    restrict=r"[0-9.,]*",
                    id="draft-value",
                )
                yield Static("", id="draft-problem", markup=False)
            with VerticalScroll(id="draft-main"):
                yield Static(
                    t("rule_draft.changes", source=self.source.version),
                    classes="box-title",
                    markup=False,
                )
                yield Static(
                    changes_table(self.source, self.draft), id="draft-changes", markup=False
                )
        yield Static(t("rule_draft.keys"), classes="keys", markup=False)
        yield StatusBar()

    def _options(self) -> list[Option]:
        rows = [[field_label(f.key, self.draft), f.value] for f in editable_fields(self.draft)]
        widths = column_widths(rows, [28, 10])
        return [
            Option(aligned(row, widths), id=f.key)
            for row, f in zip(rows, editable_fields(self.draft), strict=True)
        ]

    @on(OptionList.OptionSelected, "#draft-fields")
    def _field_selected(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id or ""
        current = next(f.value for f in editable_fields(self.draft) if f.key == key)
        self.editing = key
        value = self.query_one("#draft-value", Input)
        value.value = current
        value.focus()
        self._say(t("rule_draft.editing", what=field_label(key, self.draft)))

    @on(Input.Submitted, "#draft-value")
    def _value_submitted(self, event: Input.Submitted) -> None:
        if self.editing is None:
            self.query_one("#draft-fields").focus()
            return
        key = self.editing
        old = next(f.value for f in editable_fields(self.draft) if f.key == key)
        try:
            self.draft = edit_rule_set(self.draft, key, event.value)
        except DomainError as exc:
            self._say(describe_error(exc), error=True)
            return
        new = next(f.value for f in editable_fields(self.draft) if f.key == key)
        self._stop_editing()
        self._refresh()
        self._say(t("rule_draft.edited", what=field_label(key, self.draft), old=old, new=new))

    def _refresh(self) -> None:
        fields = self.query_one("#draft-fields", OptionList)
        for index, option in enumerate(self._options()):
            fields.replace_option_prompt_at_index(index, option.prompt)
        self.query_one("#draft-changes", Static).update(changes_table(self.source, self.draft))

    def _stop_editing(self) -> None:
        self.editing = None
        self.query_one("#draft-value", Input).value = ""
        self.query_one("#draft-fields").focus()

    def _say(self, text: str, *, error: bool = False) -> None:
        view = self.query_one("#draft-problem", Static)
        view.update(text)
        view.set_class(error, "-error")

    def action_publish(self) -> None:
        from upgradecamp.tui.screens.rule_publish import PublishPinScreen

        changes = len(rule_set_changes(self.source, self.draft))
        self.app.push_screen(
            PublishPinScreen(self.actor, self.draft, self.source.version, changes), self._published
        )

    def _published(self, outcome: Any) -> None:
        if outcome is None:
            return
        if outcome.refusal:
            self._say(outcome.refusal, error=True)
            return
        self.dismiss(outcome.result)

    def action_back(self) -> None:
        if self.editing is not None:
            self._stop_editing()
            self._say("")
            return
        self.dismiss(None)
