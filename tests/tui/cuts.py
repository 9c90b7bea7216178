"""Finds the fixed text a screen cuts: a title, label, hint, button or footer that the terminal
shows only in part, a column header shortened to `…`, or a footer that wraps.

Each widget is asked for the text it was given (its renderable's plain text) and compared with
what the terminal shows in the space it got (its content region on the screen, read through
`tests.screen`): with every blank removed, the text given must appear whole in the text shown.
Wrapping is fine (blanks move), an ellipsis or a clipped line is not. A footer of keys (an id
or class ending in `keys`) must stay on one line. A DataTable's column labels must fit their
columns, and an OptionList's fixed entries (the home's places) must fit on one line each.

Data may be cut with `…` (a long client name in a cell): DataTable cells are never checked,
and the widgets that hold data rather than fixed words are named in `DATA_WIDGETS`.
"""

from __future__ import annotations

import re
from typing import Any

from rich.cells import cell_len
from textual.app import App
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, OptionList, Static

from tests.screen import screen_lines

# Widgets whose text is data (names, amounts, events, lists), which may be cut with `…`.
DATA_WIDGETS = frozenset(
    {
        "activity",  # the home's live activity: events of every terminal
        "staff-list",  # the login's staff names
        "calc-result",  # the calculator's figures and proposals, product names cut with `…`
        "rules-products",  # the rule set's products, a table drawn as text
        "rules-ladder",  # the tier ladder, likewise
    }
)
_BLANKS = re.compile(r"\s+")


def _squeeze(text: str) -> str:
    return _BLANKS.sub("", text)


def _plain(widget: Widget) -> str | None:
    """The text a widget was given, or None when it shows something other than text."""
    try:
        visual = widget.render()
    except Exception:  # a widget that cannot render now shows nothing to cut
        return None
    if isinstance(visual, str):
        return visual
    plain = getattr(visual, "plain", None)
    return plain if isinstance(plain, str) else None


def _shown(lines: list[str], region: Region) -> str:
    """The terminal's text inside `region`, line by line."""
    out = []
    for y in range(max(region.y, 0), min(region.bottom, len(lines))):
        x, cells = 0, []
        for char in lines[y]:
            width = cell_len(char) if char else 0
            if x >= region.x and x + width <= region.right:
                cells.append(char)
            x += width
            if x >= region.right:
                break
        out.append("".join(cells))
    return "\n".join(out)


def _name(widget: Widget) -> str:
    return f"{type(widget).__name__}#{widget.id}" if widget.id else repr(widget)


def _is_data(widget: Widget) -> bool:
    return any(node.id in DATA_WIDGETS for node in widget.ancestors_with_self)


def _is_footer(widget: Widget) -> bool:
    names = [widget.id or "", *widget.classes]
    return any(name.endswith("keys") for name in names)


def _scrolled(widget: Widget) -> bool:
    """Whether an ancestor can scroll: text outside its window is reached by scrolling."""
    return any(
        isinstance(node, Widget) and (node.max_scroll_y > 0 or node.max_scroll_x > 0)
        for node in widget.ancestors
    )


def _visible(app: App[Any], widget: Widget) -> Region | None:
    """The part of the widget's content on the terminal, or None when it is not shown."""
    if not widget.display or not widget.visible:
        return None
    try:
        geometry = app.screen.find_widget(widget)
    except Exception:  # not laid out: not on the terminal
        return None
    if not geometry.region:
        return None
    return widget.content_region


def _text_cut(app: App[Any], widget: Widget, lines: list[str]) -> str | None:
    given = _plain(widget)
    if isinstance(widget, Input):
        given = widget.placeholder if not widget.value else None
    if not given or not given.strip():
        return None
    region = _visible(app, widget)
    if region is None:
        return None
    geometry = app.screen.find_widget(widget)
    if not geometry.clip.contains_region(geometry.region) and _scrolled(widget):
        return None
    shown = _shown(lines, region)
    if _squeeze(given) not in _squeeze(shown):
        return f"{_name(widget)} shows {shown.strip()!r} of {given.strip()!r}"
    rows = len([line for line in shown.splitlines() if line.strip()])
    if _is_footer(widget) and rows > len(given.strip().splitlines()):
        return f"{_name(widget)} wraps onto {rows} lines: {given!r}"
    return None


def _title_cut(app: App[Any], widget: Widget, lines: list[str]) -> str | None:
    title = str(widget.border_title or "")
    if not title or widget.styles.border_top[0] in ("", "none", "hidden"):
        return None
    if _visible(app, widget) is None:
        return None
    region = widget.region
    top = _shown(lines, Region(region.x, region.y, region.width, 1))
    if _squeeze(title) not in _squeeze(top):
        return f"{_name(widget)}'s title shows {top.strip()!r} of {title!r}"
    return None


def _header_cuts(table: DataTable[Any]) -> list[str]:
    """A label longer than its column, or a column that the table's right edge cuts through
    (a column wholly to the right is reached by scrolling)."""
    cuts, x = [], -round(table.scroll_x)
    window = table.scrollable_content_region.width
    for column in table.columns.values():
        label = column.label.plain
        width = column.get_render_width(table)
        room = width - 2 * table.cell_padding
        if cell_len(label) > room:
            cuts.append(f"{_name(table)} column {label!r} is {room} cells wide")
        elif x < window < x + table.cell_padding + cell_len(label):
            cuts.append(f"{_name(table)} column {label!r} shows {window - x} cells")
        x += width
    return cuts


def _option_cuts(options: OptionList) -> list[str]:
    room = options.scrollable_content_region.width - 2  # an option's padding
    cuts = []
    for index in range(options.option_count):
        prompt = options.get_option_at_index(index).prompt
        text = prompt if isinstance(prompt, str) else getattr(prompt, "plain", "")
        if cell_len(text) > room:
            cuts.append(f"{_name(options)} entry {text!r} has {room} cells")
    return cuts


def find_cuts(app: App[Any]) -> list[str]:
    """Every cut of fixed text on the active screen, each naming its widget."""
    lines = screen_lines(app)
    cuts: list[str] = []
    for widget in app.screen.query("*"):
        if _visible(app, widget) is None or _is_data(widget):
            continue
        if isinstance(widget, DataTable):
            cuts += _header_cuts(widget)
        elif isinstance(widget, OptionList):
            cuts += _option_cuts(widget)
        elif isinstance(widget, Static | Button | Checkbox | Input):
            cut = _text_cut(app, widget, lines)
            cuts += [cut] if cut else []
        title = _title_cut(app, widget, lines)
        cuts += [title] if title else []
    return cuts
