"""What the terminal shows, as plain text, read through Textual's public API only.

`App.export_screenshot()` renders the active screen (with any screen showing through under a
modal) into an SVG in which each run of text is a `<text>` at a cell position on a numbered
line. Putting the runs back at their cells gives the terminal's text, wide (CJK) characters
included, without touching the compositor.
"""

from __future__ import annotations

import html
import re
from typing import Any

from rich.cells import cell_len
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget

_TEXT_RUN = re.compile(
    r'<text [^>]*?x="(?P<x>[\d.]+)" [^>]*?textLength="(?P<length>[\d.]+)" '
    r'clip-path="url\(#[^)]*-line-(?P<line>\d+)\)">(?P<text>.*?)</text>'
)


def _app(source: Pilot[Any] | App[Any]) -> App[Any]:
    return source.app if isinstance(source, Pilot) else source


def screen_lines(source: Pilot[Any] | App[Any]) -> list[str]:
    """The terminal's lines, each as many cells wide as the terminal (trailing blanks kept)."""
    app = _app(source)
    width, height = app.size
    cells: list[list[str]] = [[" "] * width for _ in range(height)]
    for run in _TEXT_RUN.finditer(app.export_screenshot(simplify=True)):
        # Rich writes every space as &#160;, and nothing else as a no-break space.
        text = html.unescape(run["text"].replace("&#160;", " "))
        # Each run is `textLength` wide at one cell per character of the string.
        cell_width = float(run["length"]) / len(text)
        x, row = round(float(run["x"]) / cell_width), cells[int(run["line"])]
        for char in text:
            if x >= width:
                break
            row[x] = char
            for extra in range(1, cell_len(char)):  # a wide character covers the next cell
                if x + extra < width:
                    row[x + extra] = ""
            x += max(cell_len(char), 1)
    return ["".join(row) for row in cells]


def screen_text(source: Pilot[Any] | App[Any]) -> str:
    """Everything the terminal shows right now, line by line, trailing blanks cut."""
    return "\n".join(line.rstrip() for line in screen_lines(source))


def widget_text(widget: Widget) -> str:
    """What one widget shows on the terminal (borders and padding included), as plain text.

    Only a widget on the active screen is on the terminal: reading one elsewhere fails.
    """
    app = widget.app
    if widget.screen is not app.screen:
        raise AssertionError(
            f"{widget!r} is on {widget.screen!r}, not on the active screen "
            f"{app.screen!r}: the terminal does not show it"
        )
    region = widget.region
    lines = screen_lines(app)
    return "\n".join(
        _cut(lines[y], region.x, region.right).rstrip()
        for y in range(region.y, min(region.bottom, len(lines)))
    )


def _cut(line: str, start: int, end: int) -> str:
    """The cells start..end of a line (a wide character cut in half becomes a blank)."""
    out, x = [], 0
    for char in line:
        width = cell_len(char)
        if x >= start and x + width <= end:
            out.append(char)
        elif x < end and x + width > start:
            out.append(" " * (min(end, x + width) - max(start, x)))
        x += width
        if x >= end:
            break
    return "".join(out)
