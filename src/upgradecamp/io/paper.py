"""The session's paper as files: the briefing and the invitation cards (HTML, rendered by
io/paper_html.py) and one QR-code PNG per card.

Each fills a file the caller staged (io/files.py: owner-only, renamed into place once the
export is recorded). Who may print the paper, what it holds and the record of each print are
the handlers' (service/paper.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def card_png_name(invitee: dict[str, Any]) -> str:
    """`B02-20261120-1500-001.png`: the invitation's id, which the call list shows too."""
    return f"{invitee['invitation_id']}.png"


def fill_text(path: str | Path, text: str) -> None:
    """An HTML page (UTF-8) into a staged `path`."""
    Path(path).write_bytes(text.encode("utf-8"))


def fill_qr_png(path: str | Path, code: str) -> None:
    """A check-in code's QR code as a PNG into a staged `path` (scanned at the desk)."""
    from upgradecamp.io.paper_html import qr_code

    with open(path, "wb") as fh:
        qr_code(code).save(fh, kind="png", scale=10, border=4)
