"""PIN hashing with argon2id. PINs are never stored, logged or shown; only their hashes are."""

from __future__ import annotations

import os
import re

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import hash_secret

from upgradecamp.domain.errors import BadInput

# OWASP's minimum argon2id profile: a PIN is short, so lockout (5 tries) is the real defence
# and a heavier hash would only slow the check-in desk.
TIME_COST, MEMORY_COST, PARALLELISM, HASH_LEN = 2, 19_456, 1, 32
_hasher = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST,
                         parallelism=PARALLELISM, hash_len=HASH_LEN, type=Type.ID)
PIN_PATTERN = re.compile(r"^\d{4,8}$")


def check_pin_format(pin: str) -> None:
    if not PIN_PATTERN.fullmatch(pin or ""):
        raise BadInput("a PIN is 4 to 8 digits; choose another PIN")


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """Hash a PIN; `salt` is only passed by the seeded demo so the same seed gives the same log."""
    check_pin_format(pin)
    salt = salt or os.urandom(16)
    return hash_secret(pin.encode(), salt, time_cost=TIME_COST, memory_cost=MEMORY_COST,
                       parallelism=PARALLELISM, hash_len=HASH_LEN, type=Type.ID).decode()


def pin_matches(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False
