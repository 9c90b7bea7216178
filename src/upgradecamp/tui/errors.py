"""What a person is shown when something fails: error text for every screen and the app.

Loaded with the login screen, so it imports only the domain's errors and the text catalogue;
database errors are recognised by their text, never by importing the driver.
"""

from __future__ import annotations

from upgradecamp.domain.errors import DomainError
from upgradecamp.i18n import error_text
from upgradecamp.tui.i18n import t


class ServicesUnavailable(DomainError):
    """The database cannot be used from this terminal (not initialised, unreadable URL)."""


def error_detail(exc: BaseException) -> str:
    """A short, personal-data-free description of an unexpected error.

    Database errors carry the SQL and its parameters (names, mobiles) in `str()`; only the
    driver's own first line is shown.
    """
    if isinstance(exc, DomainError):
        return exc.message
    source = getattr(exc, "orig", None) or exc
    first_line = (str(source).strip().splitlines() or [""])[0]
    return f"{type(source).__name__}: {first_line}"[:200]


def is_busy(exc: BaseException) -> bool:
    """SQLite's 'database is locked' / 'busy': another terminal holds the write lock."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "database is locked" in text or "database is busy" in text or "sqlite_busy" in text


def describe_error(exc: BaseException) -> str:
    """What to show a person for an error raised while working for them."""
    if isinstance(exc, DomainError):
        return error_text(exc)
    if is_busy(exc):
        return t("error.busy")
    return t("error.unexpected", detail=error_detail(exc))
