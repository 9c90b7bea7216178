"""`upgradecamp serve`: the branch server; each browser tab gets its own TUI on the one database."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from upgradecamp.cli.common import DbOption, open_engine_or_fail
from upgradecamp.cli.output import Exit, fail, handles_errors, text

CLEAR_TEXT_WARNING = (
    "warning: serving on {host}, beyond this machine: PINs cross the network in clear text "
    "unless a TLS proxy (e.g. Caddy or nginx, see the README) sits in front; "
    "use --host 127.0.0.1 behind the proxy"
)


@handles_errors
def serve(
    host: Annotated[
        str, typer.Option("--host", help="address to listen on; 0.0.0.0 for every interface")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="the address browsers use, e.g. https://upgrade.branch.lan "
            "(default: the address each page was opened at)",
        ),
    ] = None,
    db: DbOption = None,
    lang: Annotated[str | None, typer.Option("--lang", help="zh_CN or en")] = None,
) -> None:
    """Serve the TUI to browsers on the branch network: one sign-in and app per browser tab."""
    from upgradecamp.config import db_url, ui_language

    url = db_url(db)
    open_engine_or_fail(url).dispose()  # one line, before any browser connects
    _check_port(host, port)
    try:
        from upgradecamp.serve import BranchServer
    except ImportError:
        fail(text("cli.no_textual_serve"), Exit.BAD_INPUT)
    # Every tab's process inherits these: the one database, the branch's language.
    os.environ["UPGRADECAMP_DB"] = url
    os.environ["UPGRADECAMP_LANG"] = ui_language(lang)
    server = BranchServer(
        host=host, port=port, public_url=public_url, announce=start_lines(host, port, public_url)
    )
    try:
        server.serve()
    except OSError as exc:  # taken between the check and the start
        _cannot_listen(host, port, exc)


def start_lines(host: str, port: int, public_url: str | None = None) -> list[str]:
    """What `serve` says once it listens: where to go, and the clear-text warning off loopback."""
    from upgradecamp.serve import is_loopback, open_urls

    urls = [public_url] if public_url else open_urls(host, port)
    lines = [
        f"upgradecamp serve: open {' or '.join(urls)} in a browser "
        "(Ctrl+C stops the server and every tab)"
    ]
    if not is_loopback(host):
        lines.append(CLEAR_TEXT_WARNING.format(host=host))
    return lines


def _check_port(host: str, port: int) -> None:
    """Say so before announcing the URL when the address cannot be listened on."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        if os.name != "nt":  # as the server binds: a port in TIME_WAIT is free to take
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            _cannot_listen(host, port, exc)


def _cannot_listen(host: str, port: int, exc: OSError) -> None:
    fail(
        text("cli.cannot_listen", host=host, port=port, reason=exc.strerror or exc),
        Exit.BAD_INPUT,
    )
