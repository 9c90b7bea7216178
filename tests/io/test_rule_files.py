"""The parsed-rules cache used by `calc`: same rules as the files, rebuilt when a file changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from upgradecamp.domain.errors import RuleFileError
from upgradecamp.domain.rules import load_rule_sets
from upgradecamp.io import rule_files

RULES = Path(__file__).resolve().parents[2] / "fixtures" / "rules"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def test_cached_rules_equal_the_files(folder):
    first, ladder = rule_files.load_rules(folder)
    assert rule_files._cache_path(folder).exists()
    again, ladder_again = rule_files.load_rules(folder)
    assert again == first == load_rule_sets(folder)
    assert ladder_again == ladder


def test_a_changed_file_is_read_again(folder):
    rule_files.load_rules(folder)
    path = folder / "2026Q4.toml"
    fund = 'code = "fund"\nname_zh = "基金"\nkind = "amount"\ncoefficient = "1.5"'
    text = path.read_text(encoding="utf-8")
    assert fund in text
    path.write_text(text.replace(fund, fund.replace("1.5", "1.7")), encoding="utf-8")
    os.utime(path, ns=(1, 1))
    rule_sets, _ = rule_files.load_rules(folder)
    assert str(rule_sets[0].products["fund"].coefficient) == "1.7"


def test_a_broken_file_is_reported_even_with_a_cache(folder):
    rule_files.load_rules(folder)
    (folder / "2026Q4.toml").write_text("version = ", encoding="utf-8")
    with pytest.raises(RuleFileError, match="2026Q4.toml"):
        rule_files.load_rules(folder)


def test_an_unwritable_cache_is_not_an_error(folder, monkeypatch, tmp_path):
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    rule_sets, _ = rule_files.load_rules(folder)
    assert [r.version for r in rule_sets] == ["2026Q4"]


@pytest.mark.parametrize(
    "content",
    [b"", b"not marshal at all", b"\xff\x00\x01", "marshal of the wrong shape"],
    ids=["empty", "text", "garbage", "wrong shape"],
)
def test_a_cache_that_is_not_ours_is_read_as_no_cache(folder, content):
    import marshal

    expected, _ = rule_files.load_rules(folder)
    cache = rule_files._cache_path(folder)
    if isinstance(content, str):
        stamp = rule_files._stamp(folder)
        content = marshal.dumps({"stamp": stamp, "rule_sets": [{"version": 1}], "ladder": []})
    cache.write_bytes(content)
    rule_sets, _ = rule_files.load_rules(folder)
    assert rule_sets == expected
    assert marshal.loads(cache.read_bytes())["rule_sets"][0]["version"] == "2026Q4"
