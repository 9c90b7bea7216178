"""PostgreSQL endpoints that fail the way real ones do, for the bad `--db` tests.

The machine's server trusts every local connection, so it cannot refuse a password; a server
that speaks the first messages of the PostgreSQL protocol (v3) asks for one and refuses it with
the error a real server sends (SQLSTATE 28P01), and the driver reports it as it would.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
from urllib.parse import urlsplit

SSL_REQUEST, GSSENC_REQUEST = 80877103, 80877104
AUTH_CLEARTEXT = 3


def _recv_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the client hung up")
        data += chunk
    return data


class PasswordRefusingServer:
    """Accepts connections, asks for a cleartext password and refuses it, until closed."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)  # so that the loop sees `stopped` soon after close()
        self.port = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            conn.settimeout(10)
            with conn:
                try:
                    self._refuse(conn)
                except (ConnectionError, OSError):
                    continue  # a client that gave up (libpq without a password hangs up)

    @staticmethod
    def _refuse(conn: socket.socket) -> None:
        while True:
            length, code = struct.unpack("!ii", _recv_exact(conn, 8))
            _recv_exact(conn, length - 8)
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                conn.sendall(b"N")  # no encryption here; the client goes on in the clear
                continue
            break  # the startup message
        conn.sendall(b"R" + struct.pack("!ii", 8, AUTH_CLEARTEXT))
        _recv_exact(conn, 1)  # 'p', the password message
        (length,) = struct.unpack("!i", _recv_exact(conn, 4))
        _recv_exact(conn, length - 4)
        fields = b'SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "postgres"\0\0'
        conn.sendall(b"E" + struct.pack("!i", len(fields) + 4) + fields)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.sock.close()


class SilentServer:
    """Takes TCP connections (the kernel completes them) and never says a word."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=16)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


def closed_port() -> int:
    """A port nothing listens on (bound then released)."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


def real_server_url() -> str | None:
    """UPGRADECAMP_TEST_PG, else the machine's server at 127.0.0.1:5432 when it answers."""
    url = os.environ.get("UPGRADECAMP_TEST_PG")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    except OSError:
        return None


def with_database(url: str, database: str, user: str | None = None) -> str:
    """The same server, another database (and user)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    login = user or parts.username or "postgres"
    return f"{parts.scheme}://{login}@{host}/{database}"
