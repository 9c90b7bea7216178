"""Writing the session's paper from the sessions view: the briefing (p), the invitation cards
(k), and, right after a cancellation, the cancellation SMS file.

The same commands as the CLI (`sessions brief`, `invites cards`, `sessions cancel
--sms-out`) write the files and record the exports; the dialog only asks where. In a browser
tab (`upgradecamp serve`) the file is a download of that browser (`tui.delivery`), and the
cards come without PNGs (their QR codes are in the HTML; the CLI writes the PNGs).
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

# kind → the file name's ending
ENDINGS = {"brief": "brief.html", "cards": "cards.html", "cancel_sms": "cancel-sms.csv"}


def default_path(session_id: str, kind: str, *, web: bool = False) -> str:
    """In the working folder; in a browser tab just the name the download takes."""
    name = f"{session_id}-{ENDINGS[kind]}"
    return name if web else str(Path.cwd() / name)


def write_paper(
    services: Any, actor: Actor, kind: str, session_id: str, path: str, png_dir: str | None
) -> str:
    """Write one kind of file; the result said in the user's language."""
    from upgradecamp.domain.commands.exports import (
        ExportCancellationSms,
        PrintBrief,
        PrintCards,
    )

    if kind == "brief":
        done = services.execute(PrintBrief(session_id=session_id, out=str(path)), actor)
        return t("paper.brief_done", file=done["file"], count=done["attendees"])
    if kind == "cards":
        done = services.execute(
            PrintCards(session_id=session_id, out=str(path), png_dir=png_dir or None), actor
        )
        return t("paper.cards_done", file=done["file"], count=done["cards"], pngs=len(done["pngs"]))
    done = services.execute(ExportCancellationSms(session_id=session_id, out=str(path)), actor)
    return t(
        "paper.sms_done", file=done["file"], count=done["rows"], left=sum(done["left_out"].values())
    )


@dataclass(frozen=True)
class PaperWritten:
    text: str
    error: bool
    written: Path | None = None  # the file to hand to the browser, in a browser tab


class PaperExportScreen(ModalScreen[bool]):
    """Check the path (and for cards the PNG folder), Enter writes; dismisses True once
    written, False when left with Esc."""

    DEFAULT_CSS = stylesheet("paper_export_screen")
    BINDINGS = [Binding("escape", "close", show=False, id="paper.close")]

    def __init__(self, actor: Actor, session_id: str, kind: str, intro: str = "") -> None:
        super().__init__()
        self.actor = actor
        self.session_id = session_id
        self.kind = kind
        self.intro = intro
        self.written = False

    def compose(self) -> ComposeResult:
        with Vertical(id="paper-box"):
            yield Static(t(f"paper.title_{self.kind}", session=self.session_id), markup=False)
            if self.intro:
                yield Static(self.intro, id="paper-intro", markup=False)
            yield Input(
                default_path(self.session_id, self.kind, web=in_browser(self.app)), id="paper-path"
            )
            if self.kind == "cards" and not in_browser(self.app):
                yield Static(t("paper.png_label"), markup=False)
                yield Input("", placeholder=t("paper.png_placeholder"), id="paper-png")
            yield Static("", id="paper-result", markup=False)
            yield Static(t("paper.keys"), id="paper-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#paper-path", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        path = self.query_one("#paper-path", Input).value.strip()
        if not path:
            self._show(t("paper.no_path"), error=True)
            return
        pngs = self.query("#paper-png")
        png = pngs.first(Input).value.strip() if pngs else ""
        self._show(t("paper.writing"), error=False)
        self._write(export_path(self.app, path), png or None)

    def _write(self, path: Path, png_dir: str | None) -> None:
        def write(services: Services) -> PaperWritten:
            text = write_paper(services, self.actor, self.kind, self.session_id, str(path), png_dir)
            if in_browser(self.app):
                return PaperWritten(
                    t("paper.download_sent", file=path.name), error=False, written=path
                )
            return PaperWritten(text, error=False)

        # A failure is shown in the dialog; nothing was recorded.
        run_in_thread(
            self,
            write,
            self._written,
            lambda failure: self._written(PaperWritten(failure.text, error=True)),
            group="paper-export",
            exclusive=False,
        )

    def _written(self, message: PaperWritten) -> None:
        if message.written is not None:
            deliver(self.app, message.written)
        self.written = self.written or not message.error
        self._show(message.text, error=message.error)

    def _show(self, text: str, *, error: bool) -> None:
        result = self.query_one("#paper-result", Static)
        result.update(text)
        result.set_class(error, "-error")

    def action_close(self) -> None:
        self.dismiss(self.written)
