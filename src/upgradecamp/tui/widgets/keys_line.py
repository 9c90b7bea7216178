"""The footer of keys at the foot of a screen, on one line at any width.

A footer that wraps pushes the screen up and one that is cut hides keys, so a screen gives two
texts: all its keys, and a short one (the main keys and `F1 help`, where the help lists every
key) shown when the full one does not fit the line.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Static


class KeysLine(Static):
    """All the keys where they fit on one line, else the short text."""

    DEFAULT_CSS = """
    KeysLine {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, full: str, short: str, *, id: str | None = None, classes: str = "") -> None:
        super().__init__(full, markup=False, id=id, classes=classes)
        self.full, self.short = full, short

    def show(self, full: str, short: str) -> None:
        """New keys (the screen's mode changed)."""
        self.full, self.short = full, short
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        width = self.content_size.width
        fits = width == 0 or cell_len(self.full) <= width
        self.update(self.full if fits else self.short)
