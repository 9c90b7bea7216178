"""A browser tab of `upgradecamp serve` read as a terminal: its screen's text, keys typed into it.

textual-serve draws the terminal with xterm.js on a canvas, so the text is not in the page's
DOM. An init script catches the xterm `Terminal` object as textual-serve's page stores it (the
first object assigned to a `terminal` property that has a `buffer`), and the screen is read from
its buffer, row by row, as plain text. Waits poll that text and fail naming what was not seen.
"""

from __future__ import annotations

import time
from typing import Any

CATCH_XTERM = """
(() => {
  Object.defineProperty(Object.prototype, 'terminal', {
    configurable: true,
    set(value) {
      Object.defineProperty(this, 'terminal',
        {value, writable: true, configurable: true, enumerable: true});
      if (value && value.buffer && value.buffer.active && !window.__upgradecampXterm) {
        window.__upgradecampXterm = value;
      }
    },
  });
})();
"""
READ_SCREEN = """() => {
  const term = window.__upgradecampXterm;
  if (!term) return null;
  const buffer = term.buffer.active, rows = [];
  for (let i = 0; i < term.rows; i++) {
    const line = buffer.getLine(buffer.viewportY + i);
    rows.push(line ? line.translateToString(true) : '');
  }
  return rows.join('\\n');
}"""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


class TerminalPage:
    """One tab: `open`, then `wait_for` what it shows and `type`/`press` as staff would."""

    def __init__(self, page: Any, name: str) -> None:
        self.page = page
        self.name = name
        self.requested: list[str] = []  # every URL the page fetched
        page.on("request", lambda request: self.requested.append(request.url))
        page.add_init_script(CATCH_XTERM)

    def open(self, url: str, timeout: float = 30.0) -> None:
        self.page.goto(url)
        self.wait_for(lambda text: text.strip() != "", "any text on the terminal", timeout)
        # Keys go to xterm's input; a click would also reach the app as a mouse event.
        self.page.evaluate("() => window.__upgradecampXterm.focus()")

    def text(self) -> str:
        return self.page.evaluate(READ_SCREEN) or ""

    def wait_for(self, condition: Any, what: str, timeout: float = 10.0) -> str:
        """Poll the screen until `condition(text)` holds; fail naming `what` and the screen."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            if condition(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.name}: did not see {what} within {timeout:g} s; "
                    f"the screen shows:\n{text}"
                )
            time.sleep(0.05)

    def wait_for_text(self, *wanted: str, timeout: float = 10.0) -> str:
        return self.wait_for(
            lambda text: all(w in text for w in wanted),
            " and ".join(repr(w) for w in wanted),
            timeout,
        )

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)
