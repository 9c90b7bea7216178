"""What a new PIN must be (reset, new staff, the first admin): long enough and not guessable.

Existing PINs of 4 or 5 digits keep working at sign-in; only a PIN being chosen is held to this,
because a PIN that someone watching the check-in desk could guess defeats the 5-try lockout.
"""

from __future__ import annotations

import re
from itertools import pairwise

from upgradecamp.domain.errors import BadInput

NEW_PIN = re.compile(r"^[0-9]{6,8}$")
ACCEPTED = (
    "a new PIN is 6 to 8 digits, not one digit repeated (like 111111) and not a run up "
    "or down (like 123456 or 654321); choose another"
)


def pin_weakness(pin: str) -> str | None:
    """Why `pin` may not be chosen (a short phrase), or None when it is acceptable."""
    if not NEW_PIN.fullmatch(pin or ""):
        return "too short" if (pin or "").isdigit() and len(pin) < 6 else "not 6 to 8 digits"
    if len(set(pin)) == 1:
        return "one digit repeated"
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(pin)}
    if steps in ({1}, {9}):
        return "a run of digits"
    return None


def check_new_pin(pin: str) -> None:
    """Refuse a PIN that may not be chosen, saying why and what is accepted (never the PIN)."""
    weakness = pin_weakness(pin)
    if weakness is not None:
        raise BadInput(f"this PIN is {weakness}: {ACCEPTED}", "weak_pin", weakness=weakness)
