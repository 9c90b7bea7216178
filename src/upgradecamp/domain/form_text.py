"""Form lines typed as text, one per line, as a marketer types them on the calculator screen.

`fund 10000`, `大额存单 5万 存量`, `credit_card 1`, `insurance:8000:new` all work: product by
code or Chinese name, value (commas allowed, 万 for ten thousand), optional source by code or
Chinese word. A bad line is reported with its number and never stops the good lines from being
priced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from upgradecamp.domain.errors import BadInput
from upgradecamp.domain.points import FormLine, parse_line_spec
from upgradecamp.domain.rules import RuleSet

SOURCE_WORDS = {
    "existing": "existing",
    "存量": "existing",
    "行内": "existing",
    "new": "new",
    "新增": "new",
    "新资金": "new",
    "other_bank": "other_bank",
    "他行": "other_bank",
    "他行转入": "other_bank",
}
_SPLIT = re.compile(r"[\s:：,，]+")


@dataclass(frozen=True, slots=True)
class LineProblem:
    number: int
    text: str
    error: BadInput

    @property
    def message(self) -> str:
        return self.error.message


def parse_form_text(text: str, rule_set: RuleSet) -> tuple[list[FormLine], list[LineProblem]]:
    """Every well-formed line priced-ready, and every bad one with its line number."""
    names = {p.name_zh: code for code, p in rule_set.products.items()}
    # An English name of one word ("Fund") is typed as it is shown on the en screens.
    names.update({p.name_en.lower(): code for code, p in rule_set.products.items() if p.name_en})
    lines: list[FormLine] = []
    problems: list[LineProblem] = []
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = _SPLIT.split(stripped.replace(",", "").replace("，", ""))
        parts = [p for p in parts if p]
        if len(parts) not in (2, 3):
            problems.append(
                LineProblem(
                    number, stripped, BadInput("write: product amount [source]", "line_shape")
                )
            )
            continue
        product = names.get(parts[0]) or names.get(parts[0].lower(), parts[0].lower())
        source = SOURCE_WORDS.get(parts[2].lower(), parts[2].lower()) if len(parts) == 3 else "new"
        try:
            lines.append(parse_line_spec(f"{product}:{parts[1]}:{source}", rule_set))
        except BadInput as err:
            problems.append(LineProblem(number, stripped, err))
    return lines, problems
