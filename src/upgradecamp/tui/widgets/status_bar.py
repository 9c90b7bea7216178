"""The status bar at the foot of every screen: database, staff, role, terminal, log head."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from upgradecamp.tui.i18n import role_name, t
from upgradecamp.tui.widgets import fit

SEPARATOR = " │ "


def short_db_label(url: str, width: int = 24) -> str:
    """A database URL as staff need to recognise it: the file name, or host/database.

    Passwords never reach the screen: anything before an `@` is dropped.
    """
    if url.startswith("sqlite"):
        path = url.split("://", 1)[-1].lstrip("/") or ":memory:"
        label = path.replace("\\", "/").rsplit("/", 1)[-1] or path
    else:
        rest = url.split("://", 1)[-1]
        label = rest.rsplit("@", 1)[-1]
    return fit(label, width).rstrip()


class StatusBar(Static):
    """Reads the app's `actor`, `head_position` and `log_unavailable` and follows their changes."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $text;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StatusBar.-offline {
        background: $warning-darken-2;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        # Names and paths are shown as typed, never parsed as markup.
        super().__init__(markup=False, id=id)

    def on_mount(self) -> None:
        for attribute in ("actor", "head_position", "log_unavailable"):
            self.watch(self.app, attribute, self._changed, init=False)
        self._changed()

    def _changed(self, *_: Any) -> None:
        self.update(self.describe())
        self.set_class(bool(getattr(self.app, "log_unavailable", False)), "-offline")

    def describe(self) -> str:
        app = self.app
        actor = getattr(app, "actor", None)
        if actor is None:
            staff, role = t("status.nobody"), t("status.nobody")
        else:
            staff = f"{actor.code} {fit(actor.name, 12).rstrip()}".strip()
            role = role_name(actor.role)
        head = getattr(app, "head_position", -1)
        parts = [
            f"{t('status.db')} {getattr(app, 'db_label', '?')}",
            f"{t('status.staff')} {staff}",
            f"{t('status.role')} {role}",
            f"{t('status.terminal')} {fit(getattr(app, 'terminal_label', '?'), 20).rstrip()}",
            f"{t('status.head')} #{head if head >= 0 else '…'}",
        ]
        if getattr(app, "log_unavailable", False):
            parts.insert(0, t("status.offline"))  # first, so a narrow terminal still shows it
        return " " + SEPARATOR.join(parts)
