"""The demo's staff PINs: drawn from the seed, written beside the database, shown at sign-in.

Each PIN comes from its own stream seeded with the demo's seed and the staff code, so the
sign-in screen of a demo database can draw the same PIN again from the seed its `DemoBuilt`
event records; no PIN is ever stored. The file beside the database is for whoever built the
demo, readable by them only (0600), as the PINs are also printed to their terminal.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Mapping
from pathlib import Path

from upgradecamp.domain.pin_policy import pin_weakness

STAFF_FILE_SUFFIX = ".staff.txt"


def demo_pin(seed: int, code: str) -> str:
    """The demo PIN of `code`: six digits that the new-PIN policy accepts."""
    draws = random.Random(f"upgradecamp-demo-pin-{seed}-{code}")
    while True:
        pin = f"{draws.randrange(1_000_000):06d}"
        if pin_weakness(pin) is None:
            return pin


def staff_file(db_path: str | Path) -> Path:
    """Where the demo writes its staff codes and PINs: beside the database file."""
    return Path(f"{db_path}{STAFF_FILE_SUFFIX}")


def staff_file_text(db_path: str | Path, staff: Iterable[Mapping[str, str]]) -> str:
    lines = [
        f"upgradecamp demo database {db_path}: staff codes and PINs (demo only)",
        "code        PIN     role          branch  name",
    ]
    lines += [
        f"{m['code']:<11} {m['pin']:<7} {m['role']:<13} {m['branch']:<7} {m['name']}" for m in staff
    ]
    return "\n".join(lines) + "\n"


def write_staff_file(db_path: str | Path, staff: Iterable[Mapping[str, str]]) -> Path:
    """Write the file readable and writable by its owner only (a umask only takes bits away)."""
    path = staff_file(db_path)
    path.unlink(missing_ok=True)  # a file left by someone else keeps its own mode otherwise
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(staff_file_text(db_path, staff))
    return path
