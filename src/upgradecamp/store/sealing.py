"""Personal fields sealed at the store boundary, under one data key per client (被遗忘权).

Which fields are personal, and whose they are, is the domain's word (domain/privacy.py). On
append those fields leave the payload and go, as one AES-GCM ciphertext, into its `_sealed`
member (a name no event field can have: pydantic fields never start with `_`); the chain hash
covers that stored text. On read the store opens it again before upcasting, so upcasters,
projections and screens see the plain typed event. Forgetting a client destroys their data
key; their events keep every amount and point and read back with placeholders, and the chain
still verifies, as no stored byte of the log changed.

Data keys live in `client_keys`, each wrapped (AES-GCM) under a key derived from the key file:
a copied database without its key file yields neither the keys nor the names. A forgotten
client's row stays with no key (a tombstone), so nothing personal is sealed for them again.

Nonces: random (12 bytes) for each seal and each wrap, except in the seeded demo, which must
write the same log for the same seed: there the data keys and nonces are derived from the
demo's key, a nonce from (client, log position) — a position is written once, so no nonce
repeats under one key. Each ciphertext's associated data is its position, stream and type:
a ciphertext moved to another event does not open.

An unkeyed database (made before the key file, never opened since) has nothing to wrap keys
with: its events stay plain, as they were.
"""

from __future__ import annotations

import base64
import hmac
import os
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, Connection, LargeBinary, MetaData, String, Table

from upgradecamp.domain.errors import RuleRefused
from upgradecamp.domain.privacy import PERSONAL_FIELDS, PLACEHOLDERS
from upgradecamp.store.keyfile import KEY_ENV, KeyFileError, LogKey

SEALED = "_sealed"
_NONCE = 12

# Created with the log tables (store/log_tables.create_log_tables), and on first use in a
# database an older version made.
keys_metadata = MetaData()
client_keys = Table(
    "client_keys",
    keys_metadata,
    Column("client_id", String(200), primary_key=True),
    Column("wrapped", LargeBinary, nullable=True),  # NULL: the client was forgotten
)


def _aad(position: int, stream_id: str, event_type: str) -> bytes:
    return f"{position}\x1f{stream_id}\x1f{event_type}".encode()


class Sealer:
    """Seals and opens personal fields with the data keys in `client_keys`."""

    def __init__(self, key: LogKey | None):
        self.key = key
        self._wrap = AESGCM(key.derive("client-data-keys")) if key else None
        self._seed = key.derive("demo-data-keys") if key is not None and key.seeded else None
        self._table_ready = False

    @property
    def active(self) -> bool:
        return self._wrap is not None

    # -- keys ------------------------------------------------------------------------------
    def _ensure_table(self, conn: Connection) -> None:
        if not self._table_ready:
            client_keys.create(conn, checkfirst=True)
            self._table_ready = True

    def _derived(self, purpose: str) -> bytes:
        return hmac.digest(self._seed, purpose.encode(), "sha256")  # type: ignore[arg-type]

    def _unwrap(self, client_id: str, wrapped: bytes) -> AESGCM:
        assert self._wrap is not None
        try:
            raw = self._wrap.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], client_id.encode())
        except InvalidTag:
            raise KeyFileError(
                f"the data key of client {client_id} does not open with this key file; "
                f"point {KEY_ENV} at this database's own key file"
            ) from None
        return AESGCM(raw)

    def load(
        self, conn: Connection, subjects: Iterable[str], *, create: bool = False
    ) -> dict[str, AESGCM | None]:
        """Each subject's data key (None: forgotten). `create` makes the missing ones (on the
        append's transaction, so a rolled-back append leaves no orphan key)."""
        self._ensure_table(conn)
        wanted = sorted(set(subjects))
        found: dict[str, AESGCM | None] = {}
        marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        cursor = conn.connection.cursor()
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                cursor.execute(
                    "SELECT client_id, wrapped FROM client_keys WHERE client_id IN ("
                    + ", ".join([marker] * len(chunk))
                    + ")",
                    chunk,
                )
                for client_id, wrapped in cursor.fetchall():
                    found[client_id] = (
                        None if wrapped is None else self._unwrap(client_id, bytes(wrapped))
                    )
            if create:
                new = [c for c in wanted if c not in found]
                rows = []
                for client_id in new:
                    raw, wrapped = self._new_key(client_id)
                    found[client_id] = AESGCM(raw)
                    rows.append((client_id, wrapped))
                if rows:
                    cursor.executemany(
                        f"INSERT INTO client_keys (client_id, wrapped) VALUES ({marker}, {marker})",
                        rows,
                    )
        finally:
            cursor.close()
        return found

    def _new_key(self, client_id: str) -> tuple[bytes, bytes]:
        assert self._wrap is not None
        if self._seed is not None:
            raw = self._derived(f"key/{client_id}")
            nonce = self._derived(f"wrap/{client_id}")[:_NONCE]
        else:
            raw, nonce = AESGCM.generate_key(256), os.urandom(_NONCE)
        return raw, nonce + self._wrap.encrypt(nonce, raw, client_id.encode())

    def shred(self, conn: Connection, client_id: str) -> None:
        """Destroy the client's data key, leaving a tombstone (on the append's transaction)."""
        self._ensure_table(conn)
        marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        cursor = conn.connection.cursor()
        try:
            cursor.execute(
                f"UPDATE client_keys SET wrapped = NULL WHERE client_id = {marker}", (client_id,)
            )
            if cursor.rowcount == 0:
                cursor.execute(
                    f"INSERT INTO client_keys (client_id, wrapped) VALUES ({marker}, NULL)",
                    (client_id,),
                )
        finally:
            cursor.close()

    # -- sealing ---------------------------------------------------------------------------
    @staticmethod
    def subject(event_type: str, payload: Mapping[str, Any]) -> str | None:
        """Whose personal fields the payload holds, if it holds any worth sealing."""
        spec = PERSONAL_FIELDS.get(event_type)
        if spec is None:
            return None
        field, personal = spec
        subject = payload.get(field)
        if not subject or not any(payload.get(name) for name in personal):
            return None
        return str(subject)

    def seal(
        self,
        keys: Mapping[str, AESGCM | None],
        position: int,
        stream_id: str,
        event_type: str,
        payload: dict[str, Any],
        dumps: Any,
    ) -> dict[str, Any]:
        """The payload to store: its non-empty personal fields replaced by one ciphertext."""
        field, personal = PERSONAL_FIELDS[event_type]
        subject = str(payload[field])
        key = keys[subject]
        if key is None:
            raise RuleRefused(
                f"client {subject} was forgotten; their personal data is not recorded again "
                "(leave them out, or register the person under a new client id)",
                "client_forgotten",
                client_id=subject,
            )
        secret = {n: payload[n] for n in personal if payload.get(n)}
        stored = {k: v for k, v in payload.items() if k not in secret}
        if self._seed is not None:
            nonce = self._derived(f"nonce/{subject}/{position}")[:_NONCE]
        else:
            nonce = os.urandom(_NONCE)
        sealed = key.encrypt(nonce, dumps(secret).encode(), _aad(position, stream_id, event_type))
        stored[SEALED] = base64.b64encode(nonce + sealed).decode("ascii")
        return stored


class Keyring:
    """The data keys one read needs, looked up once each (per read: a key destroyed by another
    process is never kept past the read that found it)."""

    def __init__(self, sealer: Sealer, conn: Connection):
        self.sealer = sealer
        self.conn = conn
        self.keys: dict[str, AESGCM | None] = {}

    def prefetch(self, subjects: Iterable[str]) -> None:
        missing = [s for s in set(subjects) if s not in self.keys]
        if missing and self.sealer.active:
            self.keys.update(self.sealer.load(self.conn, missing))
            for subject in missing:
                self.keys.setdefault(subject, None)

    def open(
        self, position: int, stream_id: str, event_type: str, stored: dict[str, Any], loads: Any
    ) -> dict[str, Any]:
        """The payload with its personal fields back, or their placeholders if forgotten."""
        if not self.sealer.active:
            where = f" ({self.sealer.key.path})" if self.sealer.key and self.sealer.key.path else ""
            raise KeyFileError(
                "clients' names and mobiles in this database are sealed with its key file"
                f"{where}, which was not found; restore it beside the database or point "
                f"{KEY_ENV} at it"
            )
        field, personal = PERSONAL_FIELDS[event_type]
        subject = str(stored[field])
        if subject not in self.keys:
            self.prefetch([subject])
        key = self.keys[subject]
        payload = {k: v for k, v in stored.items() if k != SEALED}
        if key is None:
            for name in personal:
                if name not in payload:
                    payload[name] = PLACEHOLDERS[name]
            return payload
        blob = base64.b64decode(stored[SEALED])
        try:
            plain = key.decrypt(blob[:_NONCE], blob[_NONCE:], _aad(position, stream_id, event_type))
        except InvalidTag:
            raise KeyFileError(
                f"the personal data of event {position} does not open with client "
                f"{subject}'s key: the row was moved or altered; run upgradecamp log verify"
            ) from None
        payload.update(loads(plain))
        return payload
