"""What every desk that shows the log's read side does alike: it reloads when it comes back on
top and whenever any terminal writes, says on its message line what happened, and retries a
load that failed (a busy database) shortly after."""

from __future__ import annotations

from textual.screen import Screen

from upgradecamp.tui.messages import LogAdvanced
from upgradecamp.tui.widgets.message_line import MessageLine
from upgradecamp.tui.workers import Failure, in_place

RETRY_SECONDS = 2.0


class LiveScreen(Screen[None]):
    """A desk kept live by the log. Subclasses load in `action_reload` (first from their own
    `on_mount`: Textual calls every class's handler, so this class defines none) and set
    `loaded` once a load has landed; their layout has one `MessageLine`."""

    loaded = False

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.action_reload()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        if in_place(self):  # not on a screen the app is taking down
            self.action_reload()

    def action_reload(self) -> None:
        raise NotImplementedError

    def _say(self, text: str, *, error: bool = False) -> None:
        self.query_one(MessageLine).say(text, error=error)

    def retry_soon(self, failure: Failure) -> None:
        """Say why a load failed and try again shortly (the next log change may come first)."""
        self._say(failure.text, error=True)
        self.set_timer(RETRY_SECONDS, self.action_reload)

    def action_back(self) -> None:
        self.app.pop_screen()
