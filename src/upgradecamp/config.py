"""Settings read from the environment (prefix UPGRADECAMP_) and the paths the package ships."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

DEFAULT_DB = "upgradecamp.db"
_UNPACKED: Path | None = None


def fixtures_dir() -> Path:
    """The default rules, tiers, branches, benefits and sample imports.

    They ship inside the package (`upgradecamp/fixtures`, package data), so a wheel installed
    anywhere runs `init`, `demo` and `calc`; UPGRADECAMP_FIXTURES points at another folder (a
    bank's own defaults) instead. An installed package is a folder beside this module; only
    when it is not (a zipped install) is `importlib.resources` asked, since importing it costs
    `calc` a tenth of its start-up.
    """
    env = os.environ.get("UPGRADECAMP_FIXTURES")
    if env:
        return Path(env).expanduser()
    beside = Path(__file__).with_name("fixtures")
    if beside.is_dir():
        return beside
    from importlib.resources import files

    shipped = files("upgradecamp") / "fixtures"
    if isinstance(shipped, Path):
        if shipped.is_dir():
            return shipped
        from upgradecamp.domain.errors import RuleFileError

        raise RuleFileError(
            f"the package's default files are missing ({shipped}); reinstall upgradecamp or "
            "set UPGRADECAMP_FIXTURES to a folder holding rules/, branches.toml and benefits.toml",
            "fixtures_missing",
            folder=str(shipped),
        )
    return _unpacked(shipped)


def _unpacked(shipped: Traversable) -> Path:
    """A zipped install has no folder to hand out: copy the defaults to a temporary one, once
    per process (callers read files by path)."""
    global _UNPACKED
    if _UNPACKED is None:
        import atexit
        import shutil
        import tempfile

        root = Path(tempfile.mkdtemp(prefix="upgradecamp-fixtures-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)

        def copy(node: Traversable, into: Path) -> None:
            for child in node.iterdir():
                if child.is_dir():
                    (into / child.name).mkdir()
                    copy(child, into / child.name)
                else:
                    (into / child.name).write_bytes(child.read_bytes())

        copy(shipped, root)
        _UNPACKED = root
    return _UNPACKED


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
