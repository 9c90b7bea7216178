"""DataTable helpers the desks share: refill with measured widths, the key under the cursor."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable


def fill_table(table: DataTable[Any], headers: list[str],
               rows: list[tuple[str, list[Text]]]) -> None:
    """Refill a table, each column as wide as its widest cell (in cells: CJK counts 2).

    The widths are set here rather than left to the table's own measuring, which happens on
    an idle moment and was seen to leave a column at its old width after a refill.
    """
    widths = [cell_len(h) for h in headers]
    for _key, cells in rows:
        for i, cell in enumerate(cells):
            widths[i] = max(widths[i], cell.cell_len)
    table.clear(columns=True)
    for header, width in zip(headers, widths, strict=True):
        table.add_column(header, width=width)
    for key, cells in rows:
        table.add_row(*cells, key=key)


def table_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the table's cursor."""
    if table.row_count == 0:
        return None
    try:
        return table.ordered_rows[table.cursor_row].key.value
    except IndexError:
        return None
