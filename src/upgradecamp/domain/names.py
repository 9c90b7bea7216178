"""Name helpers for search at the check-in desk: pinyin initials (`zs` finds 张三)."""

from __future__ import annotations

import os
import unicodedata
from functools import cache, lru_cache
from typing import NamedTuple


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


# --- full pinyin and the check-in search keys ---------------------------------------------

# Surnames read otherwise than their character's most common reading (pypinyin's first):
# 曾 is céng in 曾经 but Zēng as a name, 单 is dān but Shàn. pypinyin has no surname mode, and
# indexing every reading it lists would be noise (王 also reads yù, 朱 shū, 冯 píng), so names
# starting with these are found by both readings; every other name by its first reading only.
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "区": "ou",
    "仇": "qiu",
    "查": "zha",
    "朴": "piao",
    "覃": "qin",
    "盖": "ge",
    "缪": "miao",
    "翟": "zhai",
    "乐": "yue",
    "召": "shao",
    "员": "yun",
    "种": "chong",
    "秘": "bi",
    "尉": "yu",
    "能": "nai",
    "句": "gou",
    "折": "she",
    "祭": "zhai",
    "繁": "po",
    "隗": "wei",
    "颉": "xie",
    "阚": "kan",
    "佴": "nai",
    "便": "pian",
    "角": "jue",
    "万": "mo",
    "都": "du",
    "薄": "bo",
    "粘": "nian",
    "藏": "zang",
    "重": "chong",
    "校": "jiao",
}
# How many full-pinyin readings one name may have in the search index: surname readings
# times the ü spellings (lv, lu).
MAX_READINGS = 4
# Name keys start at each of the first characters (substring search); names are 2-4 long.
MAX_SUFFIXES = 8


def _plain(reading: str) -> str:
    """A toned reading as typed on a keyboard: tones dropped, ü as v (pypinyin's NORMAL style)."""
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=20_000)
def syllables(char: str) -> tuple[str, ...]:
    """Every reading of one character without tones, the most common first; () if none.

    An ASCII letter or digit is its own "syllable" (so `Anna 李` searches as `annali`), as in
    `pinyin_initials`; other characters without a reading (spaces, punctuation) give ().
    """
    if char.isascii():
        return (char.lower(),) if char.isalnum() else ()
    reading = _readings().get(ord(char))
    if not reading:
        return ()
    out: list[str] = []
    for one in reading.split(","):
        plain = _plain(one)
        if plain and plain not in out:
            out.append(plain)
    return tuple(out)


def full_pinyin(name: str) -> str:
    """The name's pinyin without tones or spaces, each character's first reading: 张三 → zhangsan.

    Agrees with pypinyin's `lazy_pinyin` (NORMAL style, no phrase dictionary).
    """
    return "".join(s[0] for s in map(syllables, name) if s)


def pinyin_readings(name: str) -> list[tuple[str, ...]]:
    """The syllable sequences a name is found by, most likely first: 张三 → [(zhang, san)].

    A surname in SURNAME_READINGS is read as a surname first, then as pypinyin reads it
    (曾小贤 → zeng…, ceng…); other characters take their first reading only (a given name's
    other readings multiply fast and are rarely what staff type). A ü reads as v (lv, the IME
    spelling) and also as u (lu).
    """
    chars = [s for s in map(syllables, name) if s]
    if not chars:
        return []
    rest = tuple(s[0] for s in chars[1:])
    first = name.lstrip()[:1]
    surnames = [chars[0][0]]
    if SURNAME_READINGS.get(first, surnames[0]) != surnames[0]:
        surnames.insert(0, SURNAME_READINGS[first])
    out: list[tuple[str, ...]] = []
    for surname in surnames:
        parts = (surname, *rest)
        variants = [parts]
        if any(map(_is_u_umlaut, parts)):
            variants.append(tuple(p.replace("v", "u") if _is_u_umlaut(p) else p for p in parts))
        out.extend(v for v in variants if v not in out)
    return out[:MAX_READINGS]


def _is_u_umlaut(syllable: str) -> bool:
    """Whether a toneless syllable spells ü as v (lv, nv, lve); an ASCII letter never does."""
    return len(syllable) > 1 and "v" in syllable


def is_cjk(char: str) -> bool:
    """A Han character (the CJK blocks pypinyin covers), as in a client's Chinese name."""
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3134F


def compact(text: str) -> str:
    """Text without whitespace: names are indexed and searched as one word (张 三 = 张三)."""
    return "".join(text.split())


def search_keys(
    name: str, mobile_last4: str, readings: list[tuple[str, ...]] | None = None
) -> list[str]:
    """Every key the check-in search finds a client by, each a prefix-searchable string.

    `n` + each suffix of the name starting at a Chinese character (so a name prefix or any
    substring, 三 or 小明, is a prefix of some key); for every reading `p` + full pinyin,
    `p` + surname in full and given name by initials (zhangxm), `i` + initials; `m` + the
    mobile's last 4 digits. One letter per kind keeps the kinds apart in one index.
    `readings` are the name's `pinyin_readings` when the caller has them already.
    """
    plain = compact(name)
    keys: list[str] = []
    for start, char in enumerate(plain[:MAX_SUFFIXES]):
        key = "n" + plain[start:]
        if is_cjk(char) and key not in keys:
            keys.append(key)
    for parts in pinyin_readings(plain) if readings is None else readings:
        initials = "".join(p[0] for p in parts)
        wanted = ["p" + "".join(parts), "i" + initials]
        # The surname in full, the given name by initials, as IMEs take it: zhangxm, ouyangnn.
        for surname in (1, 2):
            if len(parts) > surname + 1:
                wanted.append("p" + "".join(parts[:surname]) + initials[surname:])
        keys.extend(k for k in wanted if k not in keys)
    if mobile_last4:
        keys.append("m" + mobile_last4)
    return keys


class SearchEntry(NamedTuple):
    """A name's search keys as the index keeps them (store/tables/search.py).

    The keys nearly every name has get a column each, so a client is one row: the whole name,
    the name from its second and from its third character (given name; substring search), the
    first reading's full pinyin, initials and short form (zhangxm). The few other keys — other
    readings of a polyphonic surname, ü spelt u, compound-surname forms, suffixes of longer
    names — are `extra`, each with its kind letter as in `search_keys`. A column is "" when the
    name has no such key (a two-character name has no third character).
    """

    name: str
    given: str
    tail: str
    pinyin: str
    initials: str
    short: str
    extra: tuple[str, ...]


@lru_cache(maxsize=65_536)
def search_entry(name: str) -> SearchEntry:
    """The name's keys split into columns and extras; names repeat a lot (张伟), hence the cache."""
    plain = compact(name)
    readings = pinyin_readings(plain)
    keys = search_keys(plain, "", readings)
    first = readings[0] if readings else ()
    initials = "".join(p[0] for p in first)
    short = first[0] + initials[1:] if len(first) > 2 else ""
    present = set(keys)

    def column(kind: str, value: str) -> str:
        return value if value and kind + value in present else ""

    entry = (
        column("n", plain),
        column("n", plain[1:]),
        column("n", plain[2:]),
        column("p", "".join(first)),
        column("i", initials),
        column("p", short),
    )
    used = {kind + value for kind, value in zip("nnnpip", entry, strict=True) if value}
    return SearchEntry(*entry, tuple(k for k in keys if k not in used))
