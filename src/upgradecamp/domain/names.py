"""Name helpers for search at the check-in desk: pinyin initials (`zs` finds 张三)."""

from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=20_000)
def _initial(char: str) -> str:
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    # Single characters never need the phrase dictionary, the slow part of importing pypinyin.
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
    return letters[0].lower() if letters else ""


def pinyin_initials(name: str) -> str:
    """First letters of the pinyin of each character, cached per character (replay stays fast)."""
    return "".join(_initial(c) for c in name)
