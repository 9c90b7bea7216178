"""Writing an invitation wave's file from the TUI: the bulk-SMS file or the call list.

The same `export_wave` as `upgradecamp invites export` writes the file and records the export
(who, what, how many rows). SMS files and call lists carry the real mobile numbers the SMS
platform and the callers need; the printable call list masks them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from upgradecamp.tui.app import describe_error
from upgradecamp.tui.i18n import t

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor

# Key → (kind, masked): the SMS file, the call list, the printable (masked) call list.
CHOICES = {"s": ("sms", False), "c": ("calls", False), "p": ("calls", True)}


def default_path(session_id: str, kind: str, masked: bool) -> str:
    suffix = "calls-print" if masked else kind
    return str(Path.cwd() / f"{session_id}-{suffix}.csv")


class WaveWritten(Message):
    def __init__(self, text: str, error: bool) -> None:
        super().__init__()
        self.text = text
        self.error = error


class WaveExportScreen(ModalScreen[None]):
    """Pick the file (s/c/p), check the path, Enter writes it; the result stays on screen."""

    DEFAULT_CSS = """
    WaveExportScreen { align: center middle; }
    #wave-box { width: 76; max-width: 100%; height: auto; border: round $accent;
                padding: 0 1; background: $surface; }
    #wave-result { height: auto; }
    #wave-result.-error { color: $error; }
    #wave-keys { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "close", show=False, id="wave_export.close")]

    def __init__(self, actor: Actor | None, session_id: str) -> None:
        super().__init__()
        self.actor = actor
        self.session_id = session_id
        self.kind, self.masked = CHOICES["s"]

    def compose(self) -> ComposeResult:
        with Vertical(id="wave-box"):
            yield Static(t("wave_export.title", session=self.session_id), markup=False)
            yield Static("", id="wave-kind", markup=False)
            yield Input(default_path(self.session_id, self.kind, self.masked), id="wave-path")
            yield Static("", id="wave-result", markup=False)
            yield Static(t("wave_export.keys"), id="wave-keys", markup=False)

    def on_mount(self) -> None:
        self._show_kind()
        self.query_one("#wave-path", Input).focus()

    def on_key(self, event: Any) -> None:
        # The path field takes letters too, so the kind keys work with Ctrl (or on an empty
        # field's first keystroke they would be typed): Ctrl+S / Ctrl+K / Ctrl+P.
        key = {"ctrl+s": "s", "ctrl+k": "c", "ctrl+p": "p"}.get(event.key)
        if key is None:
            return
        event.stop()
        event.prevent_default()
        path = self.query_one("#wave-path", Input)
        old_default = default_path(self.session_id, self.kind, self.masked)
        self.kind, self.masked = CHOICES[key]
        if path.value == old_default:
            path.value = default_path(self.session_id, self.kind, self.masked)
        self._show_kind()

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
        self._write(path, self.kind, self.masked)

    @work(thread=True, exclusive=True, group="wave-export", exit_on_error=False)
    def _write(self, path: str, kind: str, masked: bool) -> None:
        try:
            from upgradecamp.io.invite_files import export_wave

            result = export_wave(self.app.get_services(), self.actor, self.session_id, kind,
                                 path, masked=masked)
        except Exception as exc:  # shown in the dialog; nothing was recorded
            self.post_message(WaveWritten(describe_error(exc), error=True))
            return
        left = sum(result.get("left_out", {}).values())
        self.post_message(WaveWritten(t("wave_export.done", rows=result["rows"],
                                        file=result["file"], left=left), error=False))

    def on_wave_written(self, message: WaveWritten) -> None:
        self._show(message.text, error=message.error)

    def _show(self, text: str, *, error: bool) -> None:
        result = self.query_one("#wave-result", Static)
        result.update(text)
        result.set_class(error, "-error")

    def action_close(self) -> None:
        self.dismiss(None)
