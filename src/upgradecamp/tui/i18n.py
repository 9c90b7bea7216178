"""The TUI's one text catalogue: every string a person reads on screen comes from here.

Catalogues live in `i18n/<lang>.toml` plus one `i18n/<area>.<lang>.toml` per screen area
(TOML tables become dotted keys: `[login] title` is `login.title`); a key defined twice is an
error. The language is chosen once per process (`--lang`, else `UPGRADECAMP_LANG`,
else `LANG`, falling back to English, see `config.ui_language`); a key missing from it falls
back to English, then to the key itself, so a gap in a catalogue shows up on screen instead of
crashing a terminal at the check-in desk. A test keeps both catalogues' keys equal.
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "zh_CN")
FALLBACK = "en"
CATALOGUE_DIR = Path(__file__).with_name("i18n")

_catalogues: dict[str, dict[str, str]] = {}
_active = FALLBACK


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


def catalogue(lang: str) -> dict[str, str]:
    """All keys of one language's catalogue, flattened (`login.title` → text)."""
    if lang not in _catalogues:
        merged: dict[str, str] = {}
        for path in catalogue_files(lang):
            with path.open("rb") as fh:
                flat = _flatten(tomllib.load(fh))
            twice = merged.keys() & flat.keys()
            if twice:
                raise ValueError(f"{path.name} defines {sorted(twice)} again")
            merged.update(flat)
        _catalogues[lang] = merged
    return _catalogues[lang]


def catalogue_files(lang: str) -> list[Path]:
    return [CATALOGUE_DIR / f"{lang}.toml", *sorted(CATALOGUE_DIR.glob(f"*.{lang}.toml"))]


def placeholders(text: str) -> set[str]:
    """The `{name}` fields a catalogue text expects."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def set_language(lang: str | None) -> str:
    """Make `lang` the language of `t`; an unknown language falls back to English."""
    global _active
    _active = lang if lang in LANGUAGES else FALLBACK
    catalogue(_active)
    return _active


def language() -> str:
    return _active


def has(key: str) -> bool:
    return key in catalogue(_active) or key in catalogue(FALLBACK)


def t(key: str, **params: Any) -> str:
    """The text for `key` in the active language, with `{name}` fields filled from params."""
    text = catalogue(_active).get(key)
    if text is None:
        text = catalogue(FALLBACK).get(key, key)
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        # A catalogue text naming a field the caller did not pass: show it unfilled rather
        # than fail; the catalogue test checks both languages use the same fields.
        return text


def role_name(role: str) -> str:
    """A role code (`branch_head`) as staff say it (`行长`); unknown codes show as they are."""
    return t(f"role.{role}") if has(f"role.{role}") else role


def event_name(event_type: str) -> str:
    """An event type as staff read it; types added by later versions show their code name."""
    key = f"event.{event_type}"
    return t(key) if has(key) else event_type
