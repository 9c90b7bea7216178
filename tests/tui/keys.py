"""Keys as a scanner, a paste or a fast typist sends them: all queued before the app runs.

`pilot.press` waits for the app to go idle after every key, so it never shows what a real
terminal does at 100 keys a second: keys queued behind an Enter before the Enter is handled.
`burst` hands every key to the driver at once, then lets the app work through them.
"""

from __future__ import annotations

import unicodedata

from textual import events
from textual.app import _character_to_key, _get_unicode_name_from_key
from textual.keys import REPLACED_KEYS


def _event(key: str) -> events.Key:
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(
            _get_unicode_name_from_key(REPLACED_KEYS.get(key, key))
        )
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def burst(pilot, *keys: str) -> None:
    """Send `keys` with no pause between them (each a key name or one character)."""
    app = pilot.app
    for key in keys:
        event = _event(key)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()
