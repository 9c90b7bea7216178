"""One catalogue, two languages: same keys, same fields, every key the screens use exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from upgradecamp.domain.staff import ROLES
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.home import PLACES

TUI_SRC = Path(i18n.__file__).resolve().parent
KEY_IN_SOURCE = re.compile(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z_.]+)["']""")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def test_both_catalogues_have_the_same_keys():
    en, zh = i18n.catalogue("en"), i18n.catalogue("zh_CN")
    assert sorted(set(en) - set(zh)) == []
    assert sorted(set(zh) - set(en)) == []


def test_both_catalogues_use_the_same_fields_in_each_text():
    en, zh = i18n.catalogue("en"), i18n.catalogue("zh_CN")
    differing = {
        key: (i18n.placeholders(en[key]), i18n.placeholders(zh[key]))
        for key in en
        if i18n.placeholders(en[key]) != i18n.placeholders(zh[key])
    }
    assert differing == {}


def test_no_text_is_empty():
    for lang in i18n.LANGUAGES:
        assert [k for k, v in i18n.catalogue(lang).items() if not v.strip()] == []


def test_every_key_used_by_the_screens_exists():
    used = set()
    for path in TUI_SRC.rglob("*.py"):
        used.update(KEY_IN_SOURCE.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 30  # the pattern still finds the keys
    assert sorted(k for k in used if k not in i18n.catalogue("en")) == []


def test_every_role_and_place_has_a_name_and_every_place_a_hint():
    for lang in i18n.LANGUAGES:
        cat = i18n.catalogue(lang)
        assert [r for r in ROLES if f"role.{r}" not in cat] == []
        assert [p for p in PLACES if f"place.{p}" not in cat] == []
        assert [p for p in PLACES if f"place_hint.{p}" not in cat] == []


def test_t_fills_fields_and_follows_the_language():
    i18n.set_language("en")
    assert (
        i18n.t("login.no_match", text="zz") == "Nobody matches “zz”. Press Esc to clear the filter."
    )
    assert i18n.role_name("branch_head") == "Branch head"
    i18n.set_language("zh_CN")
    assert i18n.t("login.no_match", text="zz").startswith("没有与“zz”匹配的员工")
    assert i18n.role_name("branch_head") == "行长"


def test_unknown_keys_roles_and_events_show_as_they_are():
    i18n.set_language("zh_CN")
    assert i18n.t("no.such.key") == "no.such.key"
    assert i18n.role_name("auditor") == "auditor"
    assert i18n.event_name("SomeFutureEvent") == "SomeFutureEvent"
    assert i18n.event_name("SessionPlanned") == "活动排期"
    assert i18n.event_name("StaffSignedIn") == "员工登录"


def test_an_unknown_language_falls_back_to_english():
    assert i18n.set_language("fr_FR") == "en"
    assert i18n.t("place.reports") == "Reports"


@pytest.mark.parametrize(
    ("explicit", "env", "expected"),
    [
        ("zh_CN", {"UPGRADECAMP_LANG": "en", "LANG": "en_US.UTF-8"}, "zh_CN"),
        (None, {"UPGRADECAMP_LANG": "zh_CN", "LANG": "en_US.UTF-8"}, "zh_CN"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {}, "en"),
        ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
    ],
)
def test_the_app_language_comes_from_lang_option_then_env(
    services, monkeypatch, explicit, env, expected
):
    monkeypatch.delenv("UPGRADECAMP_LANG", raising=False)
    monkeypatch.delenv("LANG", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = create_app(services, explicit)
    assert app.lang == expected
    assert i18n.language() == expected


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_event_type_has_a_name_on_the_activity_panel(lang):
    from upgradecamp.domain.events import EVENT_TYPES

    i18n.set_language(lang)
    assert [name for name in EVENT_TYPES if not i18n.has(f"event.{name}")] == []
