"""What staff do first in a tab, as keys and what the screen shows back (English catalogue)."""

from __future__ import annotations

from tests.browser.conftest import PIN, Served
from tests.browser.terminal_page import TerminalPage


def sign_in(tab: TerminalPage, served: Served, code: str) -> None:
    tab.open(served.url)
    tab.wait_for_text(code, "PIN")
    tab.type(code)
    tab.wait_for_text(f"▊  {code}")  # the filter holds the code: the list shows only them
    tab.press("Enter")
    tab.wait_for_text(f"PIN for {code}")
    tab.type(PIN)
    tab.press("Enter")
    tab.wait_for_text(f"Staff {code}", "Your places")


def open_check_in_desk(tab: TerminalPage, served: Served) -> None:
    tab.press("1")
    # The hint comes with the sessions' rows, the open one under the cursor.
    tab.wait_for_text("Check-in desk · choose the session", "press Enter to start checking in")
    tab.press("Enter")
    tab.wait_for_text("Arrived ", "Code, name, pinyin")
