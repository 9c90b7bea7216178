"""Messages the app posts to every screen: the log moved, or cannot be read.

Kept apart from `tui/app.py` so that screens import them at module top without importing the
app (which imports the screens): no import cycle, and nothing here but Textual's `Message`.
"""

from __future__ import annotations

from textual.message import Message


class LogAdvanced(Message):
    """The event log's head moved: some terminal recorded events; the screen should reload."""

    def __init__(self, position: int) -> None:
        super().__init__()
        self.position = position


class LogUnavailable(Message):
    """The log cannot be read (busy, unreachable, not a database); `text` says what to do."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class HeadPolled(Message):
    """A poll of the log head finished (posted from the polling thread)."""

    def __init__(
        self,
        position: int | None,
        problem: str | None = None,
        explanation: str | None = None,
        lasting: bool = False,
    ) -> None:
        super().__init__()
        self.position = position
        self.problem = problem
        self.explanation = explanation
        self.lasting = lasting  # retrying will not help: the database itself must change
