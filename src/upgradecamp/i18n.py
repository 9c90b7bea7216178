"""The one text catalogue: what a person reads on a screen, at the command line or in an export.

Catalogues live in `tui/i18n/<lang>.toml` (beside the screens, where they began) plus one
`tui/i18n/<area>.<lang>.toml` per area (TOML tables become dotted keys: `[login] title` is
`login.title`); a key defined twice is an error. The language is chosen once per process
(`--lang`, else `UPGRADECAMP_LANG`, else `LANG`, falling back to English, see
`config.ui_language`); a key missing from it falls back to English, then to the key itself, so
a gap in a catalogue shows up on screen instead of crashing a terminal at the check-in desk.
A test keeps both catalogues' keys equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from upgradecamp.domain.errors import DomainError

LANGUAGES = ("en", "zh_CN")
FALLBACK = "en"
CATALOGUE_DIR = Path(__file__).parent / "tui" / "i18n"

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
        import tomllib  # here: a command that prints only JSON never reads a catalogue

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
    import string  # the catalogue checks need it, a `calc` does not

    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def set_language(lang: str | None, *, load: bool = True) -> str:
    """Make `lang` the language of `t`; an unknown language falls back to English.

    `load=False` leaves reading the catalogue to the first text asked for: a CLI command that
    prints only JSON never pays for it.
    """
    global _active
    _active = lang if lang in LANGUAGES else FALLBACK
    if load:
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


def in_language(params: dict[str, Any]) -> dict[str, Any]:
    """Params for a text in the active language: a param `x_en` is the English of `x` (a
    product's name), which every language but Chinese takes."""
    out = dict(params)
    if _active != "zh_CN":
        out.update({k[:-3]: v for k, v in params.items() if k.endswith("_en") and v})
    return out


def db_problem_text(err: DomainError) -> str | None:
    """Why a --db cannot be used, in the active language (`db_problem.<problem>` filled from the
    error's params); None for other errors or a problem the catalogue does not know."""
    problem = getattr(err, "problem", None)
    if not (isinstance(problem, str) and has(f"db_problem.{problem}")):
        return None
    return t(f"db_problem.{problem}", **err.params)


def error_text(err: DomainError) -> str:
    """A DomainError in the active language: `error.<code>` filled from its params, else its
    English message (errors raised without a code)."""
    if not (err.code and has(f"error.{err.code}")):
        return err.message
    params = in_language(err.params)
    said = db_problem_text(err)
    if said is not None:
        params["detail"] = said
    status = params.get("status")
    if isinstance(status, str) and has(f"session_status.{status}"):
        params["status"] = t(f"session_status.{status}")  # "planned" → 计划中
    role = params.get("role")
    if isinstance(role, str) and has(f"role.{role}"):
        params["role"] = t(f"role.{role}")
    permission = params.get("permission")
    if _active != FALLBACK and has(f"permission.{permission}"):
        # English says exactly what was refused ("check clients in"); others name the permission.
        params["doing"] = t(f"permission.{permission}")
    return t(f"error.{err.code}", **params)


class Named(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name_zh(self) -> str: ...
    @property
    def name_en(self) -> str | None: ...


def name_of(item: Named, lang: str | None = None) -> str:
    """A product, action or tier as the active language names it: its Chinese name, or its
    English name (a rule file without one shows the code)."""
    if (lang or _active) == "zh_CN":
        return item.name_zh
    return item.name_en or item.code


def localized(zh: str, en: str | None, lang: str | None = None) -> str:
    """A fixture text (theme, benefit, reward) in the active language; Chinese when the file
    has no English beside it."""
    return zh if (lang or _active) == "zh_CN" or not en else en


def theme_of(session: Mapping[str, Any], lang: str | None = None) -> str:
    """A session's theme in the active language: the branch theme's English name where the
    session is on it (`theme_en`), else the theme as planned."""
    return localized(str(session.get("theme") or ""), session.get("theme_en"), lang)


def label(group: str, code: str | None, lang: str | None = None) -> str:
    """A code of an enumeration (`followup_kind.fulfil_photo`) as the catalogue of `lang` (else
    the active language) says it; a code it does not know shows as it is."""
    if code is None or code == "":
        return ""
    return catalogue(lang or _active).get(f"{group}.{code}", code)
