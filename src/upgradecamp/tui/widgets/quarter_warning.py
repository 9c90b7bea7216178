"""The home screen's warning that the rule set in force ends with no successor published.

Hidden until `rules_ending` says a warning is due; then it says which set ends when, that
forms will be refused from the next day, and how to publish the next one (or whom to ask).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from upgradecamp.tui.i18n import t

if TYPE_CHECKING:
    from upgradecamp.domain.rule_quarters import RulesEnding


def warning_text(ending: RulesEnding, may_publish: bool, rules_key: str) -> str:
    params = {
        "version": ending.version,
        "ends": ending.ends,
        "refused": ending.refused_from,
        "next": ending.next_version or "NEXT",
    }
    if ending.lapsed:
        head = t("quarter_warning.lapsed", **params)
    else:
        left = (
            t("quarter_warning.last_day")
            if ending.days_left == 0
            else t("quarter_warning.days_left", days=ending.days_left)
        )
        head = t("quarter_warning.ends", left=left, **params)
    how = (
        t("quarter_warning.how_publish", place=rules_key, **params)
        if may_publish
        else t("quarter_warning.how_ask", **params)
    )
    return f"{head}\n{how}"


class QuarterWarning(Static):
    DEFAULT_CSS = """
    QuarterWarning {
        height: auto;
        padding: 0 1;
        color: $warning;
        border-left: thick $warning;
        display: none;
    }
    QuarterWarning.-due {
        display: block;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]

    def show_ending(self, ending: RulesEnding | None, may_publish: bool, rules_key: str) -> None:
        self.set_class(ending is not None, "-due")
        self.update(warning_text(ending, may_publish, rules_key) if ending else "")
