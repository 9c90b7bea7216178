"""`upgradecamp serve`: the TUI in browsers on the branch network, one app process per tab.

textual-serve (from Textual's authors) starts a command for every websocket and relays its
terminal to xterm.js in the page. Two things it cannot know at a branch come from the request
being served: which device a tab is (each tab records `web:<browser address>` as its terminal
id, so a second check-in can say where the first was made) and the address the page was opened
at (textual-serve would otherwise send browsers to the address it listens on, e.g. 0.0.0.0,
or to http:// behind a TLS proxy). The subclass reads both through a context variable set for
the request's task; it relies only on textual-serve reading `self.command` and
`self.public_url` while it serves a request, not on how it spawns or talks to the process.
"""

from __future__ import annotations

import contextvars
import ipaddress
import logging
import os
import re
import shlex
import socket
import subprocess
import sys
from typing import Any

from aiohttp import web
from textual_serve.server import Server

TITLE = "upgradecamp"
LOOPBACK_NAMES = {"localhost", "ip6-localhost"}
# textual-serve's page loads a font from Google's servers; at a branch (behind the bank's
# firewall, or in China) that stylesheet hangs the page's first paint. The terminal has its font.
OUTSIDE_STYLESHEET = re.compile(r'<link[^>]*href="https?://fonts\.googleapis\.com[^>]*>\s*')
_request: contextvars.ContextVar[web.Request | None] = contextvars.ContextVar(
    "upgradecamp_serve_request", default=None
)


def is_loopback(host: str) -> bool:
    """A host name or address that only this machine can reach."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def client_address(request: web.Request) -> str:
    """The browser's address: the peer's, or the one a proxy on this machine forwarded.

    X-Forwarded-For is believed only from a loopback peer (the TLS proxy of the README runs on
    the server itself); anyone else could write any address into it.
    """
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and is_loopback(peer):
        peer = forwarded.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(peer))
    except ValueError:
        return "unknown"


def terminal_of(request: web.Request) -> str:
    return f"web:{client_address(request)}"


def tab_command(terminal: str) -> str:
    """The shell command textual-serve runs for one tab: this Python, `upgradecamp tui`.

    The database and language travel in the environment (UPGRADECAMP_DB, UPGRADECAMP_LANG),
    so a PostgreSQL password never shows in the process list.
    """
    argv = [sys.executable, "-m", "upgradecamp", "tui", "--terminal", terminal]
    if os.name == "nt":
        return subprocess.list2cmdline(argv)
    return shlex.join(argv)


class BranchServer(Server):
    """textual-serve's server with a command and a page address per request."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        public_url: str | None = None,
        announce: list[str] | None = None,
    ) -> None:
        self._fixed_public_url = public_url.rstrip("/") if public_url else None
        self._listen_url = f"http://{_url_host(host)}:{port}"
        self._announce = announce or []
        self._tabs: dict[int, web.Request] = {}  # open websockets, one per browser tab
        super().__init__(tab_command("web:unknown"), host=host, port=port, title=TITLE)

    # textual-serve assigns both in __init__ and reads them while serving a request.
    @property
    def command(self) -> str:
        request = _request.get()
        return tab_command(terminal_of(request)) if request is not None else self._base_command

    @command.setter
    def command(self, value: str) -> None:
        self._base_command = value

    @property
    def public_url(self) -> str:
        if self._fixed_public_url:
            return self._fixed_public_url
        request = _request.get()
        if request is None:
            return self._listen_url
        scheme = request.scheme
        if is_loopback(request.remote or ""):
            scheme = request.headers.get("X-Forwarded-Proto", scheme).split(",")[0].strip()
        return f"{scheme}://{request.host}"

    @public_url.setter
    def public_url(self, value: str) -> None:
        pass  # derived from each request (or --public-url), never from the listening address

    async def handle_index(self, request: web.Request) -> Any:
        token = _request.set(request)
        try:
            response = await super().handle_index(request)
        finally:
            _request.reset(token)
        if isinstance(response, web.Response) and response.text:
            response.text = OUTSIDE_STYLESHEET.sub("", response.text)
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        token = _request.set(request)
        self._tabs[id(request)] = request
        try:
            return await super().handle_websocket(request)
        finally:
            self._tabs.pop(id(request), None)
            _request.reset(token)

    async def on_shutdown(self, app: web.Application) -> None:
        # aiohttp waits up to a minute for open websockets to end; Ctrl+C should end them now.
        # A dropped connection ends the tab's message loop, and textual-serve stops its app.
        for request in list(self._tabs.values()):
            if request.transport is not None:
                request.transport.close()

    def initialize_logging(self) -> None:
        # textual-serve's handler prints tracebacks with their locals: those would carry
        # names and mobile numbers. Plain one-line records instead.
        logging.basicConfig(
            level="DEBUG" if self.debug else "WARNING", format="%(levelname)s %(name)s: %(message)s"
        )

    async def on_startup(self, app: web.Application) -> None:
        for line in self._announce:
            print(line, flush=True)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def open_urls(host: str, port: int) -> list[str]:
    """Where a browser should go: the address given, or this machine's names for 0.0.0.0/::."""
    if host not in ("0.0.0.0", "::", ""):
        return [f"http://{_url_host(host)}:{port}/"]
    urls = [f"http://{socket.gethostname()}:{port}/"]
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # picks the outgoing interface; sends nothing
            urls.append(f"http://{probe.getsockname()[0]}:{port}/")
    except OSError:
        pass
    return urls
