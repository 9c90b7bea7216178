"""The TUI's view of the one text catalogue (`upgradecamp.i18n`), plus names of roles and events.

Every string a person reads on screen comes from the catalogue; the CLI and the exports read
the same one, in the same language.
"""

from __future__ import annotations

from upgradecamp.domain.privacy import FORGOTTEN_NAME
from upgradecamp.i18n import (
    CATALOGUE_DIR,
    FALLBACK,
    LANGUAGES,
    catalogue,
    catalogue_files,
    has,
    language,
    placeholders,
    set_language,
    t,
)

__all__ = [
    "CATALOGUE_DIR",
    "FALLBACK",
    "LANGUAGES",
    "catalogue",
    "catalogue_files",
    "client_name",
    "event_name",
    "has",
    "language",
    "placeholders",
    "role_name",
    "set_language",
    "t",
]


def client_name(name: str) -> str:
    """A client's name as screens show it: a forgotten client's stored placeholder (the
    domain's 已遗忘客户) in the user's language."""
    return t("privacy.forgotten_name") if name == FORGOTTEN_NAME else name


def role_name(role: str) -> str:
    """A role code (`branch_head`) as staff say it (`行长`); unknown codes show as they are."""
    return t(f"role.{role}") if has(f"role.{role}") else role


def event_name(event_type: str) -> str:
    """An event type as staff read it; types added by later versions show their code name."""
    key = f"event.{event_type}"
    return t(key) if has(key) else event_type
