"""Settings read from the environment (prefix UPGRADECAMP_) and the paths the package ships."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = "upgradecamp.db"
PACKAGE_DIR = Path(__file__).resolve().parent


def fixtures_dir() -> Path:
    """The `fixtures/` folder: next to the source tree in a checkout, or set by env."""
    env = os.environ.get("UPGRADECAMP_FIXTURES")
    if env:
        return Path(env)
    for candidate in (PACKAGE_DIR.parent.parent / "fixtures", PACKAGE_DIR / "fixtures"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "cannot find the fixtures/ folder; set UPGRADECAMP_FIXTURES to its path"
    )


def db_url(path_or_url: str | None) -> str:
    """A plain path is an SQLite file; a URL (sqlite:///…, postgresql+psycopg://…) is used as is."""
    value = path_or_url or os.environ.get("UPGRADECAMP_DB") or DEFAULT_DB
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def terminal_id() -> str:
    """Which terminal wrote an event: env UPGRADECAMP_TERMINAL, else host name and process."""
    import socket

    return os.environ.get("UPGRADECAMP_TERMINAL") or f"{socket.gethostname()}:{os.getpid()}"


def ui_language(explicit: str | None = None) -> str:
    """--lang, else UPGRADECAMP_LANG, else LANG (zh* → zh_CN), falling back to en."""
    for value in (explicit, os.environ.get("UPGRADECAMP_LANG"), os.environ.get("LANG")):
        if not value:
            continue
        if value.lower().startswith("zh"):
            return "zh_CN"
        if value.lower().startswith("en"):
            return "en"
    return "en"
