"""Widgets shared by the TUI's screens, and cell-width helpers for aligned CJK text.

Chinese characters take two terminal cells, so columns are padded and cut with
`rich.cells` (cell widths), never with `len()`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size


def fit(text: str, width: int) -> str:
    """`text` padded or cut to exactly `width` cells; a cut is marked with `…`."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    if width <= 1:
        return set_cell_size(text, width)
    return set_cell_size(set_cell_size(text, width - 1).rstrip() + "…", width)


def column_widths(rows: Sequence[Sequence[str]], limits: Sequence[int]) -> list[int]:
    """The width of each column: its widest cell, at most its limit."""
    widths = [0] * len(limits)
    for row in rows:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], cell_len(value))
    return [min(w, limit) for w, limit in zip(widths, limits, strict=True)]


def aligned(row: Sequence[str], widths: Sequence[int], gap: str = "  ") -> str:
    """One line of a table: every cell but the last fitted to its column's width."""
    cells = [fit(value, width) for value, width in zip(row[:-1], widths[:-1], strict=True)]
    return gap.join([*cells, row[-1]]).rstrip()
