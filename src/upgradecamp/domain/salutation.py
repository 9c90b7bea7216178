"""How a client is addressed on paper and on the room's screen: surname and title only.

The bank's client file (SPEC §4.1) carries no sex, and guessing one from a given name, or from
the ID number's digits, is wrong often enough to offend a client in front of the room. So the
title is the neutral form banks print on letters, 先生/女士 ("王先生/女士"), until the client
file carries a sex. A name that is not written in Chinese characters shows no part of the
name at all (贵宾, "our guest"): we cannot tell its surname from its given name.
"""

from __future__ import annotations

NEUTRAL_TITLE = "先生/女士"
GUEST = "贵宾"

# Two-character surnames (复姓) still met today; a name starting with one keeps both characters.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "钟离",
        "闻人",
        "南宫",
        "西门",
        "独孤",
        "端木",
        "百里",
        "呼延",
        "澹台",
        "公冶",
        "太史",
        "申屠",
        "万俟",
        "司空",
        "淳于",
        "单于",
        "赫连",
        "拓跋",
    }
)


def _is_han(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2FA1F


def surname(name: str) -> str | None:
    """The surname of a name written in Chinese characters (a compound one whole), else None."""
    text = "".join((name or "").split())
    if len(text) < 2 or not all(_is_han(ch) for ch in text):
        return None
    if len(text) >= 3 and text[:2] in COMPOUND_SURNAMES:
        return text[:2]
    return text[0]


def salutation(name: str) -> str:
    """王先生/女士 for 王小明; 欧阳先生/女士 for 欧阳娜娜; 贵宾 for a name we cannot split."""
    family = surname(name)
    return GUEST if family is None else f"{family}{NEUTRAL_TITLE}"
