"""Progress of a demo build: a line at every phase, and at least every few seconds within one.

A 20,000-client build takes a minute or more; without a line now and then it looks hung. The
build calls `tick` after every small step (a staff member, a batch of clients, a story step),
each far shorter than the interval, so the gap between two lines stays under 5 seconds. The
clock is injected so a test can check when lines are said without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

EVERY_SECONDS = 4.0  # one second short of the promise, for the step that is running
PREFIX = "building demo: "


class BuildProgress:
    def __init__(
        self,
        say: Callable[[str], Any],
        *,
        every: float = EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._say = say
        self.every = every
        self.clock = clock
        self._last = clock()

    def phase(self, text: str) -> None:
        """A new phase begins: always said."""
        self._tell(text)

    def tick(self, text: str | Callable[[], str]) -> None:
        """A step is done: said only when the last line is `every` seconds old."""
        if self.clock() - self._last >= self.every:
            self._tell(text() if callable(text) else text)

    def _tell(self, text: str) -> None:
        self._say(f"{PREFIX}{text}")
        self._last = self.clock()
