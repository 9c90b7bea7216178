"""Make docs/serve.png, the README's picture of a browser tab at the check-in desk.

    python -m tests.browser.screenshot docs/serve.png

A branch like the browser tests' one (more clients, five already in the room), served in
English; ck1 signs in, opens the desk and checks one more client in by code.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright
from tests.browser.conftest import CHROMIUM, build_branch, serving
from tests.browser.flows import open_check_in_desk, sign_in
from tests.browser.terminal_page import CHROMIUM_ARGS, TerminalPage

CLIENTS = [
    (1, "陈一鸣"),
    (3, "林三妹"),
    (5, "周五洲"),
    (7, "吴七星"),
    (9, "郑九如"),
    (11, "王十一"),
    (13, "刘晓燕"),
    (15, "黄建国"),
    (17, "杨丽华"),
    (19, "赵志强"),
]


def main(out: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        branch = build_branch(Path(folder), CLIENTS, arrived=5)
        with serving(branch, Path(folder)) as served, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 760})
                tab = TerminalPage(page, "ck1")
                sign_in(tab, served, "ck1")
                open_check_in_desk(tab, served)
                client_id, code = sorted(branch.codes.items())[0]
                tab.type(code)
                tab.press("Enter")
                tab.wait_for_text(f"✓ {branch.names[client_id]} checked in", "Arrived 6 ")
                page.screenshot(path=out)
            finally:
                browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/serve.png")
