"""Export files in a browser tab: written on the server, then handed to the browser to download.

In a terminal the file stays where staff chose to write it. Served to a browser (`upgradecamp
serve`), a path typed in the tab means nothing on the person's device and the server's disk is
no place to leave clients' mobiles: the file is written into a private folder of the tab's
process (0700), sent with Textual's `deliver_binary` (textual-serve turns it into a download of
that browser only) and removed from the server as soon as it is handed over. The export is
recorded as an event as ever, by whatever wrote the file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

_folder: tempfile.TemporaryDirectory[str] | None = None


def in_browser(app: Any) -> bool:
    return bool(getattr(app, "is_web", False))


def export_path(app: Any, typed: str) -> Path:
    """Where to write an export staff asked for: as typed, or in the tab's private folder."""
    if not in_browser(app):
        return Path(typed)
    return Path(_private_folder()) / (Path(typed).name or "export")


def deliver(app: Any, path: Path) -> None:
    """Send a written export to the browser; the server's copy goes once it is open to send."""
    handle = path.open("rb")
    app.deliver_binary(handle, save_filename=path.name)  # closes the handle when sent
    try:
        path.unlink()
    except OSError:
        pass  # Windows keeps an open file: it goes with the private folder at exit


def _private_folder() -> str:
    global _folder
    if _folder is None:
        # Removed when the process ends (TemporaryDirectory's finalizer), whatever is left.
        _folder = tempfile.TemporaryDirectory(prefix="upgradecamp-exports-")
    return _folder.name
