"""The screens' stylesheets, kept in `tui/styles/` (one `.tcss` file per screen) and read here.

A screen sets `DEFAULT_CSS = stylesheet("…")` rather than `CSS_PATH` on purpose: Textual
scopes a screen's DEFAULT_CSS to that screen and ranks it below the app's `styles/app.tcss`,
so taking the rules out of the modules changed no rule's reach or priority (CSS_PATH rules
are global and rank with app.tcss). A file is read when its screen's module is imported.
"""

from __future__ import annotations

from pathlib import Path

STYLES = Path(__file__).with_name("styles")


def stylesheet(name: str) -> str:
    """The text of `styles/<name>.tcss`."""
    return (STYLES / f"{name}.tcss").read_text(encoding="utf-8")
