"""The line under a desk's table where it says what happened: done, refused, or failed."""

from __future__ import annotations

from textual.widgets import Static


class MessageLine(Static):
    """A one-message line; an error is coloured by the `-error` class (styles/app.tcss)."""

    def __init__(
        self, text: str = "", *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(text, id=id, classes=classes, markup=False)

    def say(self, text: str, *, error: bool = False) -> None:
        self.update(text)
        self.set_class(error, "-error")
