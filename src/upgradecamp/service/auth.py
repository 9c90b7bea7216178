"""PIN hashing with argon2id. PINs are never stored, logged or shown; only their hashes are.

A PIN has a million values or fewer: whoever copies the database could try them all against
an argon2 hash in hours. So the PIN is first HMACed with a pepper from the key file (kept
outside the database) and argon2 hashes that; such hashes start with `PEPPERED`. Without the
key file they cannot be checked at all. Hashes made before the pepper still match, and are
replaced by peppered ones at the member's next sign-in.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import hash_secret

from upgradecamp.domain.errors import BadInput

if TYPE_CHECKING:
    from upgradecamp.service.unit_of_work import UnitOfWork

# OWASP's minimum argon2id profile: a PIN is short, so lockout (5 tries) is the real defence
# and a heavier hash would only slow the check-in desk.
TIME_COST, MEMORY_COST, PARALLELISM, HASH_LEN = 2, 19_456, 1, 32
_hasher = PasswordHasher(
    time_cost=TIME_COST,
    memory_cost=MEMORY_COST,
    parallelism=PARALLELISM,
    hash_len=HASH_LEN,
    type=Type.ID,
)
PIN_PATTERN = re.compile(r"^\d{4,8}$")


def check_pin_format(pin: str) -> None:
    if not PIN_PATTERN.fullmatch(pin or ""):
        raise BadInput("a PIN is 4 to 8 digits; choose another PIN", "pin_bad_format")


PEPPERED = "pepper1"


def _peppered(pin: str, pepper: bytes) -> bytes:
    return hmac.digest(pepper, pin.encode(), "sha256").hex().encode()


def hash_pin(pin: str, salt: bytes | None = None, pepper: bytes | None = None) -> str:
    """Hash a PIN, peppered when the database has a key; `salt` is only passed by the seeded
    demo so the same seed gives the same log."""
    check_pin_format(pin)
    salt = salt or os.urandom(16)
    secret = _peppered(pin, pepper) if pepper else pin.encode()
    encoded = hash_secret(
        secret,
        salt,
        time_cost=TIME_COST,
        memory_cost=MEMORY_COST,
        parallelism=PARALLELISM,
        hash_len=HASH_LEN,
        type=Type.ID,
    ).decode()
    return f"{PEPPERED}{encoded}" if pepper else encoded


def pepper(uow: UnitOfWork) -> bytes | None:
    """The pepper of the database a unit of work writes to; None while it has no key."""
    key = uow.log.key
    return key.pepper if key is not None else None


def is_peppered(pin_hash: str) -> bool:
    return pin_hash.startswith(PEPPERED)


# Set only while the demo builds (in its own thread or task): see `remembering_matches`.
_remembered: ContextVar[dict[tuple[str, str, bytes | None], bool] | None] = ContextVar(
    "remembered", default=None
)


@contextmanager
def remembering_matches() -> Iterator[None]:
    """For the demo's build only: it signs ~120 approvals with the few PINs it chose and
    prints, each an argon2 check of ~40 ms of CPU; the answers are forgotten when it ends."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def pin_matches(pin_hash: str, pin: str, pepper: bytes | None = None) -> bool:
    """Whether `pin` is the PIN of `pin_hash`; a peppered hash needs the pepper (KeyFileError
    without it: no guess can be checked, the right PIN included). Inside
    `remembering_matches` an answer is remembered, keyed by the hash, the PIN and the pepper."""
    remembered = _remembered.get()
    if remembered is None:
        return _pin_matches(pin_hash, pin, pepper)
    key = (pin_hash, pin, pepper)
    if key not in remembered:
        remembered[key] = _pin_matches(pin_hash, pin, pepper)
    return remembered[key]


def _pin_matches(pin_hash: str, pin: str, pepper: bytes | None) -> bool:
    if is_peppered(pin_hash):
        if pepper is None:
            from upgradecamp.store.keyfile import KEY_ENV, KeyFileError

            raise KeyFileError(
                "PINs are checked with the database's key file, and it was not "
                f"found; restore it beside the database or point {KEY_ENV} at "
                "it"
            )
        pin_hash, secret = pin_hash[len(PEPPERED) :], _peppered(pin, pepper)
    else:
        secret = pin.encode()
    try:
        return _hasher.verify(pin_hash, secret)
    except (VerificationError, InvalidHashError):
        return False
