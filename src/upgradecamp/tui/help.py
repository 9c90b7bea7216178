"""Help where you are: F1 (or `?` where no field takes text) and the Ctrl+P command palette.

Both read the keys from the current screen's own bindings, so they cannot drift from what the
keys do: each binding's id names its text in the catalogue (`help.<binding id>`, in the UI
language). A screen may add keys its widgets handle (`HELP_EXTRA`: (key, text key) pairs, such
as Enter in a search field), may say what a binding means for the person signed in
(`help_text(binding)`, e.g. the home screen's numbered places) or return "" to leave it out.
The palette offers the same actions, plus the places of the signed-in role.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from upgradecamp.tui.i18n import has, t
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets import aligned, column_widths

HIDDEN_ACTIONS = frozenset({"command_palette"})  # Ctrl+P is named in the footer


def binding_text(screen: Screen[Any], binding: Binding) -> str:
    """What a binding does, in the UI language; "" when it is not worth listing."""
    own = getattr(screen, "help_text", None)
    if own is not None:
        text = own(binding)
        if text is not None:
            return text
    key = f"help.{binding.id}" if binding.id else ""
    if key and has(key):
        return t(key)
    return binding.description or binding.action.replace("_", " ")


def screen_keys(screen: Screen[Any]) -> list[tuple[str, str, Binding | None]]:
    """(keys as shown, what they do, the binding) for a screen, then the app's own keys."""
    rows: list[tuple[str, str, Binding | None]] = []
    seen: set[tuple[str, str]] = set()
    for key, text_key in getattr(screen, "HELP_EXTRA", ()):
        rows.append((key_label(key), t(text_key), None))
    for node in (screen, screen.app):
        for binding in _bindings(node):
            # Ours only: Textual's own (focus, copy) have no id and no text in our languages.
            if (
                not binding.id
                or binding.action in HIDDEN_ACTIONS
                or (binding.id, binding.action) in seen
            ):
                continue
            seen.add((binding.id or "", binding.action))
            text = binding_text(screen, binding)
            if text:
                rows.append((_keys_shown(node, binding), text, binding))
    return rows


def _bindings(node: Any) -> Iterator[Binding]:
    """A node's bindings once each, in the order the class lists them."""
    seen: set[int] = set()
    for bindings in node._bindings.key_to_bindings.values():
        for binding in bindings:
            if id(binding) not in seen:
                seen.add(id(binding))
                yield binding


_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "tab": "Tab",
    "space": "Space",
    "question_mark": "?",
    "backspace": "Backspace",
    "delete": "Del",
    "pageup": "PgUp",
    "pagedown": "PgDn",
}


def key_label(key: str) -> str:
    """A key as the keyboard shows it: `F2`, `Esc`, `Ctrl+Q`, `?`."""
    parts = key.split("+")
    label = _NAMES.get(
        parts[-1],
        parts[-1].upper() if parts[-1][:1] == "f" and parts[-1][1:].isdigit() else parts[-1],
    )
    return "+".join(
        [
            *(p.capitalize() for p in parts[:-1]),
            label.upper() if len(parts) > 1 and len(label) == 1 else label,
        ]
    )


def _keys_shown(node: Any, binding: Binding) -> str:
    keys = [
        k
        for k, found in node._bindings.key_to_bindings.items()
        if any(b.action == binding.action and b.id == binding.id for b in found)
    ]
    return " / ".join(key_label(k) for k in keys)


class HelpScreen(ModalScreen[None]):
    """The keys of the screen underneath and what each does; any key closes it."""

    DEFAULT_CSS = stylesheet("help_screen")

    def __init__(self, of: Screen[Any]) -> None:
        super().__init__()
        self.of = of

    def compose(self) -> ComposeResult:
        rows = [[keys, text] for keys, text, _ in screen_keys(self.of)]
        widths = column_widths(rows, (16, 56)) if rows else [0, 0]
        with VerticalScroll(id="help-box"):
            yield Static(t("help.title"), id="help-title", markup=False)
            yield Static(
                "\n".join(aligned(row, widths) for row in rows) or t("help.none"),
                id="help-keys",
                markup=False,
            )
            yield Static(t("help.foot"), id="help-foot", markup=False)

    def on_key(self, event: Any) -> None:
        event.stop()
        self.dismiss(None)


class ScreenCommands(Provider):
    """Ctrl+P: the current screen's actions and the signed-in role's places."""

    def _commands(self) -> list[tuple[str, Any, str]]:
        screen = self.screen
        out: list[tuple[str, Any, str]] = []
        for keys, text, binding in screen_keys(screen):
            if binding is not None:
                out.append((text, partial(screen.run_action, binding.action), keys))
        actor = getattr(self.app, "actor", None)
        if actor is not None:
            from upgradecamp.tui.screens.home import PLACE_SCREENS, places_for

            for place in places_for(actor.role):
                factory = PLACE_SCREENS.get(place)
                if factory is not None:
                    out.append(
                        (
                            t("help.go_to", place=t(f"place.{place}")),
                            partial(self._open, factory, actor),
                            t(f"place_hint.{place}"),
                        )
                    )
        return out

    def _open(self, factory: Any, actor: Any) -> None:
        self.app.push_screen(factory(actor))

    async def discover(self) -> Hits:
        for text, run, hint in self._commands():
            yield DiscoveryHit(text, run, help=hint)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, run, hint in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), run, help=hint)
