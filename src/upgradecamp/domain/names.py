"""Name helpers for search at the check-in desk: pinyin initials (`zs` finds 张三)."""

from __future__ import annotations

import os
import unicodedata
from functools import cache, lru_cache


@cache
def _readings() -> dict[int, str]:
    """pypinyin's character table (code point → "zhāng,zhàng"), loaded on first use."""
    # Single characters never need the phrase dictionary, the slow part of importing pypinyin.
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    from pypinyin.constants import PINYIN_DICT

    return PINYIN_DICT


@lru_cache(maxsize=20_000)
def _initial(char: str) -> str:
    """The first letter of a character's first reading, as pypinyin's FIRST_LETTER style gives.

    Looked up in the table directly: replaying a log computes this for every client name.
    """
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    reading = _readings().get(ord(char))
    if not reading:
        return ""
    letter = unicodedata.normalize("NFD", reading.split(",", 1)[0])[:1]
    return letter.lower() if letter.isascii() and letter.isalpha() else ""


def pinyin_initials(name: str) -> str:
    """First letters of the pinyin of each character, cached per character."""
    return "".join(map(_initial, name))
