"""`upgradecamp serve` without a browser: what it says on start, what it refuses, and how a tab
learns which device it is and where the page was opened (tests/browser drives it for real)."""

from __future__ import annotations

import shlex
import socket
import sys
from unittest import mock

import pytest
from aiohttp.test_utils import make_mocked_request
from typer.testing import CliRunner

from upgradecamp.cli import build_app
from upgradecamp.cli.serve_cmd import start_lines
from upgradecamp.serve import BranchServer, _request, client_address, is_loopback, tab_command

runner = CliRunner()


def request(peer: str, **headers: str):
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        (peer, 50000) if name == "peername" else default
    )
    return make_mocked_request("GET", "/ws", headers=headers, transport=transport)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("branch-pc", False),
    ],
)
def test_loopback_is_only_this_machine(host, loopback):
    assert is_loopback(host) is loopback


def test_off_loopback_it_warns_that_pins_cross_the_network_in_clear():
    [url] = start_lines("127.0.0.1", 8000)
    assert url.startswith("upgradecamp serve: open http://127.0.0.1:8000/ in a browser")
    url, warning = start_lines("192.168.1.20", 8080)
    assert "http://192.168.1.20:8080/" in url
    assert "PINs cross the network in clear" in warning and "TLS proxy" in warning
    assert (
        "https://upgrade.branch.lan"
        in start_lines("127.0.0.1", 8000, "https://upgrade.branch.lan")[0]
    )


def test_a_tab_is_named_by_the_browsers_address_and_a_local_proxy_may_forward_it():
    assert client_address(request("192.168.1.31")) == "192.168.1.31"
    # From a proxy on this machine, the forwarded address (the last hop it added) counts ...
    forwarded = request("127.0.0.1", **{"X-Forwarded-For": "10.9.9.9, 192.168.1.32"})
    assert client_address(forwarded) == "192.168.1.32"
    # ... from anyone else the header is only a claim.
    assert (
        client_address(request("192.168.1.33", **{"X-Forwarded-For": "1.2.3.4"})) == "192.168.1.33"
    )
    assert (
        client_address(request("127.0.0.1", **{"X-Forwarded-For": "not an address"})) == "unknown"
    )


def test_each_tab_runs_the_tui_with_its_terminal_id_and_no_database_url():
    argv = shlex.split(tab_command("web:192.168.1.31"))
    assert argv == [sys.executable, "-m", "upgradecamp", "tui", "--terminal", "web:192.168.1.31"]


def test_the_page_sends_the_browser_back_to_the_address_it_opened():
    server = BranchServer(host="0.0.0.0", port=8000)
    token = _request.set(request("192.168.1.31", Host="branch-pc:8000"))
    try:
        assert server.public_url == "http://branch-pc:8000"
        assert "web:192.168.1.31" in server.command
    finally:
        _request.reset(token)
    behind_tls = request(
        "127.0.0.1",
        Host="upgrade.branch.lan",
        **{"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.168.1.40"},
    )
    token = _request.set(behind_tls)
    try:
        assert server.public_url == "https://upgrade.branch.lan"
        assert "web:192.168.1.40" in server.command
    finally:
        _request.reset(token)
    assert (
        BranchServer(host="0.0.0.0", port=8000, public_url="https://x.lan/").public_url
        == "https://x.lan"
    )


def test_a_missing_database_is_one_line_and_exit_2(tmp_path):
    result = runner.invoke(build_app(), ["serve", "--db", str(tmp_path / "nope.db")])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "does not exist" in result.stderr and "upgradecamp init" in result.stderr
    assert not (tmp_path / "nope.db").exists()


def test_a_port_in_use_is_one_line_and_exit_2(sqlite_services):
    db = str(sqlite_services.engine.url.database)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(build_app(), ["serve", "--db", db, "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "choose another --port" in result.stderr
    assert result.stdout == ""
