"""The key kept outside the database: it signs the log's hash chain and checkpoints and peppers
PIN hashes, so that someone holding only the database file can neither forge a log that
verifies nor guess PINs offline.

One secret per database, in a small owner-only (0600) text file: beside an SQLite file as
`<db>.key`, or where `UPGRADECAMP_KEY_FILE` says (on PostgreSQL, a default path on the
application host). Each use gets its own key derived from the secret, so a checkpoint
signature can never be replayed as a chain hash. The file also says from which position the
chain is keyed: a database made before keying keeps its plain-hash prefix, and the file — not
the database, which an attacker can edit — is the authority on where keying began.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from upgradecamp.domain.errors import BadInput

if TYPE_CHECKING:
    from sqlalchemy import Engine

KEY_ENV = "UPGRADECAMP_KEY_FILE"
KEY_SUFFIX = ".key"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class KeyFileError(BadInput):
    """The key file is missing, unreadable or not this database's; the message says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "key_file")


@dataclass(frozen=True)
class LogKey:
    secret: bytes = field(repr=False)
    keyed_from: int
    path: Path | None = None
    # The seeded demo's key: client data keys and nonces are derived from it (store/sealing.py)
    # so that the same seed writes the same log. Never set for a key read from a file.
    seeded: bool = False

    def derive(self, purpose: str) -> bytes:
        return hmac.digest(self.secret, f"upgradecamp/{purpose}".encode(), "sha256")

    @property
    def chain(self) -> bytes:
        return self.derive("chain")

    @property
    def checkpoint(self) -> bytes:
        return self.derive("checkpoint")

    @property
    def pepper(self) -> bytes:
        return self.derive("pin-pepper")

    @property
    def key_id(self) -> str:
        """Names the key without revealing it: recorded in the database to spot a wrong file."""
        return self.derive("key-id").hex()[:16]


def key_path(url: str) -> Path | None:
    """Where the key of the database at `url` lives; None for an in-memory database."""
    env = os.environ.get(KEY_ENV)
    if env:
        return Path(env).expanduser()
    from upgradecamp.store.opening import _backend, _sqlite_path

    if _backend(url) == "sqlite":
        path = _sqlite_path(url)
        return Path(f"{path}{KEY_SUFFIX}") if path else None
    from sqlalchemy.engine import make_url

    parts = make_url(url)
    name = f"{parts.host or 'localhost'}-{parts.port or 5432}-{parts.database or 'default'}"
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "upgradecamp" / "keys" / f"{re.sub(r'[^A-Za-z0-9._-]', '_', name)}.key"


def engine_key_path(engine: Engine) -> Path | None:
    return key_path(engine.url.render_as_string(hide_password=True))


def key_for(engine: Engine) -> LogKey | None:
    """The key file of the database behind `engine`, if it has one."""
    path = engine_key_path(engine)
    return read_key(path) if path else None


def read_key(path: Path) -> LogKey | None:
    """The key in `path`; None when there is no file; KeyFileError when it is not a key."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KeyFileError(
            f"cannot read the key file {path}: {exc.strerror}; check that it is yours to read"
        ) from None
    try:
        data = tomllib.loads(text)
        secret_hex, keyed_from = data["secret"], int(data["keyed_from"])
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError):
        secret_hex, keyed_from = None, 0
    if not isinstance(secret_hex, str) or not _HEX64.match(secret_hex) or keyed_from < 1:
        raise KeyFileError(
            f"{path} is not an upgradecamp key file; restore the database's key "
            f"file, or point {KEY_ENV} at it"
        )
    return LogKey(bytes.fromhex(secret_hex), keyed_from, path)


def create_key(path: Path, keyed_from: int, secret: bytes | None = None) -> LogKey:
    """Write a new key file, owner-only; never over an existing one (that would orphan a log).

    `secret` is passed only by the seeded demo, so the same seed gives the same log.
    """
    seeded = secret is not None
    secret = secret or secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    body = (
        "# upgradecamp key: signs this database's event log and checkpoints and peppers\n"
        "# its PIN hashes. Keep it owner-only and apart from the database's backups:\n"
        "# without it the log cannot be fully verified and no one can sign in.\n"
        f'secret = "{secret.hex()}"\n'
        f"keyed_from = {keyed_from}\n"
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(
            f"{path} already exists; it may be another database's key. Move it "
            f"away, or set {KEY_ENV} to another path"
        ) from None
    except OSError as exc:
        raise KeyFileError(
            f"cannot write the key file {path}: {exc.strerror}; check the folder, or set {KEY_ENV}"
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
    return LogKey(secret, keyed_from, path, seeded=seeded)


def demo_secret(seed: int) -> bytes:
    """The demo's key comes from its seed: a demo's log must be byte-identical for a seed and
    day, and a demo holds no real data to protect."""
    return hmac.digest(b"upgradecamp-demo-key", str(seed).encode(), "sha256")
