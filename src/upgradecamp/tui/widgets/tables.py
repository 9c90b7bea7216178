"""DataTable helpers the desks share: refill with measured widths, the key under the cursor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable


def fill_table(
    table: DataTable[Any],
    headers: list[str],
    rows: Sequence[tuple[str, Sequence[Text | str]]],
    *,
    drop_to_fit: Sequence[int] = (),
    keys: Sequence[str] | None = None,
) -> list[int]:
    """Refill a table, each column as wide as its widest cell (in cells: CJK counts 2).

    A cell is a Text, or a str the table reads as markup (measured as its plain text).

    The widths are set here rather than left to the table's own measuring, which happens on
    an idle moment and was seen to leave a column at its old width after a refill. When the
    columns are wider than the table, the columns named in `drop_to_fit` (indexes, least
    needed first) are left out until the rest fit, so no header is cut by the table's edge
    on a narrow terminal; the screen shows what they held elsewhere (a detail line, F1).
    `keys` names the columns (for `update_cell`). Returns the indexes of the columns shown.
    """
    widths = [cell_len(h) for h in headers]
    for _key, cells in rows:
        for i, cell in enumerate(cells):
            wide = cell.cell_len if isinstance(cell, Text) else Text.from_markup(cell).cell_len
            widths[i] = max(widths[i], wide)
    shown = list(range(len(headers)))
    room = table.scrollable_content_region.width
    if room > 0:
        padding = 2 * table.cell_padding
        for index in drop_to_fit:
            if sum(widths[i] + padding for i in shown) <= room:
                break
            shown.remove(index)
    table.clear(columns=True)
    for i in shown:
        table.add_column(headers[i], width=widths[i], key=keys[i] if keys else None)
    for key, cells in rows:
        table.add_row(*(cells[i] for i in shown), key=key)
    return shown


def cursor_place(
    table: DataTable[Any], current_id: str | None, current_index: int
) -> tuple[str | None, int]:
    """Where a refill puts the cursor back: the row under the table's cursor now, else the one
    the screen remembers. The table's own cursor counts first: a key the person pressed has
    moved it before the screen hears of it, and a refill in between must not undo the move."""
    on_table = table_key(table)
    if on_table is None:
        return current_id, current_index
    return on_table, table.cursor_row


def table_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the table's cursor."""
    if table.row_count == 0:
        return None
    try:
        return table.ordered_rows[table.cursor_row].key.value
    except IndexError:
        return None
