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


def test_full_pinyin_agrees_with_pypinyin_on_many_names():
    from upgradecamp.domain.names import full_pinyin

    fake = Faker("zh_CN")
    fake.seed_instance(11)
    for _ in range(2_000):
        name = fake.name()
        assert full_pinyin(name) == "".join(lazy_pinyin(name, errors="ignore")).lower(), name


def test_full_pinyin_drops_tones_spaces_and_spells_u_umlaut_as_v():
    from upgradecamp.domain.names import full_pinyin, syllables

    assert full_pinyin("张三") == "zhangsan"
    assert full_pinyin("吕 布") == "lvbu"
    assert full_pinyin("Anna 李") == "annali"
    assert syllables("曾") == ("ceng", "zeng") and syllables(" ") == ()


def test_polyphonic_surnames_are_read_as_surnames_too_and_u_umlaut_both_ways():
    from upgradecamp.domain.names import SURNAME_READINGS, pinyin_readings, syllables

    assert pinyin_readings("曾小贤") == [("zeng", "xiao", "xian"), ("ceng", "xiao", "xian")]
    assert [r[0] for r in pinyin_readings("单田芳")] == ["shan", "dan"]
    assert pinyin_readings("吕布") == [("lv", "bu"), ("lu", "bu")]
    assert pinyin_readings("张三") == [("zhang", "san")]
    # 王 also reads yù and 朱 shū, but not as surnames: those readings would only add noise.
    assert pinyin_readings("王五") == [("wang", "wu")] and pinyin_readings("朱丽")[0][0] == "zhu"
    assert pinyin_readings("  ") == []
    for char, reading in SURNAME_READINGS.items():
        assert reading in syllables(char)[1:], char  # a real reading, not the first


def test_search_entry_keeps_the_usual_keys_in_columns_and_the_rest_as_extras():
    from upgradecamp.domain.names import SearchEntry, search_entry, search_keys

    assert search_entry("张小明") == SearchEntry(
        "张小明", "小明", "明", "zhangxiaoming", "zxm", "zhangxm", ()
    )
    assert search_entry("张三") == SearchEntry("张三", "三", "", "zhangsan", "zs", "", ())
    zeng = search_entry("曾小贤")
    assert (zeng.pinyin, zeng.initials) == ("zengxiaoxian", "zxx")
    assert zeng.extra == ("pcengxiaoxian", "icxx", "pcengxx")
    for name in ("欧阳娜娜", "吕布", "Anna 李", "单田芳"):
        entry = search_entry(name)
        columns = {kind + value for kind, value in zip("nnnpip", entry[:6], strict=True) if value}
        assert columns | set(entry.extra) == set(search_keys(name, "")), name
        assert not columns & set(entry.extra)


def test_search_keys_cover_every_kind_of_query():
    from upgradecamp.domain.names import search_keys

    assert search_keys("张小明", "5678") == [
        "n张小明",
        "n小明",
        "n明",
        "pzhangxiaoming",
        "izxm",
        "pzhangxm",
        "m5678",
    ]
    keys = search_keys("欧阳 娜娜", "")
    assert {"n欧阳娜娜", "n娜娜", "pouyangnana", "ioynn", "pouyangnn"} <= set(keys)
    assert not any(k.startswith("m") for k in keys)
    assert all(" " not in k for k in search_keys("Anna 李", "0001"))
    assert search_keys("曾小贤", "1234").count("izxx") == 1
