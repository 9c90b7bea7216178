"""Writing an invitation wave's file from the TUI: the bulk-SMS file or the call list.

The same command as `upgradecamp invites export` (ExportWaveFile) writes the file and records
the export (who, what, how many rows). SMS files and call lists carry the real mobile numbers
the SMS platform and the callers need; the printable call list masks them. In a browser tab
(`upgradecamp serve`) the file is a download of that browser, not a file on the server
(`tui.delivery`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from upgradecamp.tui.delivery import deliver, export_path, in_browser
from upgradecamp.tui.i18n import t
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.workers import run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

# Key → (kind, masked): the SMS file, the call list, the printable (masked) call list.
CHOICES = {"s": ("sms", False), "c": ("calls", False), "p": ("calls", True)}


def default_path(session_id: str, kind: str, masked: bool, *, web: bool = False) -> str:
    """In the working folder; in a browser tab just the name the download takes."""
    suffix = "calls-print" if masked else kind
    name = f"{session_id}-{suffix}.csv"
    return name if web else str(Path.cwd() / name)


@dataclass(frozen=True)
class WaveWritten:
    text: str
    error: bool
    written: Path | None = None  # the file to hand to the browser, in a browser tab


class WaveExportScreen(ModalScreen[None]):
    """Pick the file (s/c/p), check the path, Enter writes it; the result stays on screen."""

    DEFAULT_CSS = stylesheet("wave_export_screen")
    BINDINGS = [Binding("escape", "close", show=False, id="wave_export.close")]

    def __init__(self, actor: Actor, session_id: str) -> None:
        super().__init__()
        self.actor = actor
        self.session_id = session_id
        self.kind, self.masked = CHOICES["s"]

    def compose(self) -> ComposeResult:
        with Vertical(id="wave-box"):
            yield Static(t("wave_export.title", session=self.session_id), markup=False)
            yield Static("", id="wave-kind", markup=False)
            yield Input(self._default_path(), id="wave-path")
            yield Static("", id="wave-result", markup=False)
            yield Static(t("wave_export.keys"), id="wave-keys", markup=False)

    def on_mount(self) -> None:
        self._show_kind()
        self.query_one("#wave-path", Input).focus()

    def on_key(self, event: Any) -> None:
        # The path field takes letters too, so the kind keys work with Ctrl (or on an empty
        # field's first keystroke they would be typed): Ctrl+S / Ctrl+K / Ctrl+L (Ctrl+P is
        # the command palette everywhere).
        key = {"ctrl+s": "s", "ctrl+k": "c", "ctrl+l": "p"}.get(event.key)
        if key is None:
            return
        event.stop()
        event.prevent_default()
        path = self.query_one("#wave-path", Input)
        old_default = self._default_path()
        self.kind, self.masked = CHOICES[key]
        if path.value == old_default:
            path.value = self._default_path()
        self._show_kind()

    def _default_path(self) -> str:
        return default_path(self.session_id, self.kind, self.masked, web=in_browser(self.app))

    def _show_kind(self) -> None:
        name = "calls_masked" if self.masked else self.kind
        self.query_one("#wave-kind", Static).update(t(f"wave_export.kind_{name}"))

    @on(Input.Submitted, "#wave-path")
    def _submitted(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path:
            self._show(t("wave_export.no_path"), error=True)
            return
        self._show(t("wave_export.writing"), error=False)
        self._write(export_path(self.app, path), self.kind, self.masked)

    def _write(self, path: Path, kind: str, masked: bool) -> None:
        def write(services: Services) -> WaveWritten:
            from upgradecamp.domain.commands.exports import ExportWaveFile

            result = services.execute(
                ExportWaveFile(session_id=self.session_id, kind=kind, out=str(path), masked=masked),
                self.actor,
            )
            left = sum(result.get("left_out", {}).values())
            if in_browser(self.app):
                return WaveWritten(
                    t("serve.download_sent", rows=result["rows"], file=path.name, left=left),
                    error=False,
                    written=path,
                )
            return WaveWritten(
                t("wave_export.done", rows=result["rows"], file=result["file"], left=left),
                error=False,
            )

        # A failure is shown in the dialog; nothing was recorded.
        run_in_thread(
            self,
            write,
            self._written,
            lambda failure: self._written(WaveWritten(failure.text, error=True)),
            group="wave-export",
            exclusive=False,
        )

    def _written(self, message: WaveWritten) -> None:
        if message.written is not None:
            deliver(self.app, message.written)
        self._show(message.text, error=message.error)

    def _show(self, text: str, *, error: bool) -> None:
        result = self.query_one("#wave-result", Static)
        result.update(text)
        result.set_class(error, "-error")

    def action_close(self) -> None:
        self.dismiss(None)
