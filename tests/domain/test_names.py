"""Pinyin initials for check-in search agree with pypinyin's own FIRST_LETTER style."""

from __future__ import annotations

from faker import Faker
from pypinyin import Style, lazy_pinyin

from upgradecamp.domain.names import pinyin_initials


def test_initials_of_common_names():
    assert pinyin_initials("张三") == "zs"
    assert pinyin_initials("欧阳娜娜") == "oynn"
    assert pinyin_initials("吕布") == "lb"
    assert pinyin_initials("Anna 李") == "anna" + "l"


def test_agrees_with_pypinyin_on_many_names():
    fake = Faker("zh_CN")
    fake.seed_instance(7)
    for _ in range(2_000):
        name = fake.name()
        expected = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore"))
        assert pinyin_initials(name) == expected.lower(), name
