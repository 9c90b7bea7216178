"""Versioned point-conversion rule sets (积分折算规则), read from TOML or from an event payload.

Rule sets are replaced quarterly. A form is priced by the set in force on its Asia/Shanghai
business date, so every set carries inclusive effective dates and no two sets may overlap.
Numbers stay exact `Decimal`s from file to payload and back: a published rule set must price a
form tomorrow exactly as it did today.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

# business_date and shanghai live in domain.clock; imported here too for older callers.
from upgradecamp.domain.clock import business_date, shanghai  # noqa: F401
from upgradecamp.domain.errors import BadInput, RuleFileError

KINDS = ("amount", "count")
RISK_LEVELS = ("R1", "R2", "R3", "R4", "R5")
SOURCES = ("existing", "new", "other_bank")
TIERS_FILE = "tiers.toml"

_CODE = re.compile(r"[a-z][a-z0-9_]*\Z")
_TOP_KEYS = (
    "version",
    "effective_from",
    "effective_to",
    "points_unit",
    "on_site_multiplier",
    "other_bank_multiplier",
    "appointment_bonus",
    "appointment_window_days",
    "referral_checkin",
    "referral_first_approval",
    "holding_points_per",
    "experience_days",
    "products",
    "actions",
)
_PRODUCT_KEYS = ("code", "name_zh", "name_en", "kind", "coefficient", "unit_value", "risk_level")
_ACTION_KEYS = ("code", "name_zh", "name_en", "points")


class Product(NamedTuple):
    """A product a form line can carry; `risk_level` None means unrated (e.g. credit cards)."""

    code: str
    name_zh: str
    kind: str
    coefficient: Decimal
    unit_value: Decimal | None = None
    risk_level: str | None = None
    name_en: str | None = None  # the en screens' name; a file without one shows the code

    @property
    def risk_rank(self) -> int:
        """1..5 for R1..R5, 0 when unrated, so suitability can compare with client grades."""
        return int(self.risk_level[1]) if self.risk_level else 0


class FixedAction(NamedTuple):
    """A fixed-point action such as 手机银行签约: points added as they are, no multiplier."""

    code: str
    name_zh: str
    points: int
    name_en: str | None = None


class RuleSet:
    """One quarter's conversion rules; effective_from..effective_to are both inclusive.

    Immutable, compared by its fields. A plain class rather than a frozen dataclass: building a
    dataclass costs a few milliseconds at import, a tenth of a marketer's `calc` beyond its
    command line.
    """

    __slots__ = (*_TOP_KEYS, "_multipliers", "memo")  # its fields are the file's keys
    version: str
    effective_from: date
    effective_to: date
    points_unit: int
    on_site_multiplier: Decimal
    other_bank_multiplier: Decimal
    products: dict[str, Product]
    actions: dict[str, FixedAction]
    appointment_bonus: int
    appointment_window_days: int
    referral_checkin: int
    referral_first_approval: int
    holding_points_per: Decimal
    experience_days: int
    _multipliers: dict[tuple[bool, str], Decimal]
    # Tables other modules derive once per rule set (it is immutable), e.g. the calculator's
    # per-product weights; never part of equality or the payload.
    memo: dict[str, Any]

    def __init__(
        self,
        version: str,
        effective_from: date,
        effective_to: date,
        points_unit: int,
        on_site_multiplier: Decimal,
        other_bank_multiplier: Decimal,
        products: dict[str, Product],
        actions: dict[str, FixedAction],
        appointment_bonus: int,
        appointment_window_days: int,
        referral_checkin: int,
        referral_first_approval: int,
        holding_points_per: Decimal,
        experience_days: int,
    ) -> None:
        values = locals()
        for name in _TOP_KEYS:
            object.__setattr__(self, name, values[name])
        # Precomputed once: the calculator looks a multiplier up for every line it prices.
        table: dict[tuple[bool, str], Decimal] = {}
        for on_site in (False, True):
            base = on_site_multiplier if on_site else Decimal(1)
            for source in SOURCES:
                table[on_site, source] = (
                    base * other_bank_multiplier if source == "other_bank" else base
                )
        object.__setattr__(self, "_multipliers", table)
        object.__setattr__(self, "memo", {})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a rule set is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a rule set is immutable: cannot delete {name!r}")

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _TOP_KEYS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        return f"RuleSet(version={self.version!r}, {self.effective_from}..{self.effective_to})"

    def __hash__(self) -> int:
        return hash((self.version, self.effective_from, self.effective_to))

    def covers(self, day: date) -> bool:
        return self.effective_from <= day <= self.effective_to

    def multiplier(self, on_site: bool, source: str) -> Decimal:
        """On-site bonus × other-bank bonus for a line (SPEC §3.2)."""
        return self._multipliers[on_site, source]

    def to_payload(self) -> dict[str, Any]:
        """JSON-able and in the same shape as the TOML file, so one parser reads both."""
        return {
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat(),
            "points_unit": self.points_unit,
            "on_site_multiplier": str(self.on_site_multiplier),
            "other_bank_multiplier": str(self.other_bank_multiplier),
            "appointment_bonus": self.appointment_bonus,
            "appointment_window_days": self.appointment_window_days,
            "referral_checkin": self.referral_checkin,
            "referral_first_approval": self.referral_first_approval,
            "holding_points_per": str(self.holding_points_per),
            "experience_days": self.experience_days,
            "products": [_product_payload(p) for p in self.products.values()],
            "actions": [
                {"code": a.code, "name_zh": a.name_zh, **english(a.name_en), "points": a.points}
                for a in self.actions.values()
            ],
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], source: str = "rule set payload") -> RuleSet:
        return parse_rule_set(payload, source)


def _product_payload(product: Product) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": product.code,
        "name_zh": product.name_zh,
        **english(product.name_en),
        "kind": product.kind,
        "coefficient": str(product.coefficient),
    }
    if product.unit_value is not None:
        out["unit_value"] = str(product.unit_value)
    out["risk_level"] = product.risk_level
    return out


def english(name_en: str | None) -> dict[str, str]:
    """`name_en` for a payload, only when the file gave one: a rule set published without
    English names keeps exactly the payload it had."""
    return {} if name_en is None else {"name_en": name_en}


def optional_text(data: Mapping[str, Any], name: str, src: str, prefix: str = "") -> str | None:
    """An optional text key (e.g. name_en): absent is None, present must be non-empty text."""
    if name not in data:
        return None
    return text_value(data, name, src, prefix)


# --- reading files -------------------------------------------------------------------------


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file with floats as exact Decimals; every failure names the file."""
    import tomllib  # deferred: `calc` reads rules from its parsed cache when it can

    path = Path(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle, parse_float=Decimal)
    except OSError as exc:
        raise RuleFileError(
            f"{path}: cannot read the file ({exc.strerror})",
            "rule_file_unreadable",
            file=str(path),
            reason=exc.strerror,
        ) from exc
    except UnicodeDecodeError as exc:
        raise RuleFileError(
            f"{path}: not UTF-8 text; save it as UTF-8", "rule_file_not_utf8", file=str(path)
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(
            f"{path}: not valid TOML: {exc}", "rule_file_bad_toml", file=str(path), reason=str(exc)
        ) from exc


def fail(src: str, key: str, problem: str) -> RuleFileError:
    """The one message shape for bad rule data: file, key, what is wrong."""
    return RuleFileError(
        f"{src}: {key}: {problem}", "rule_file_invalid", file=src, key=key, problem=problem
    )


def _require(data: Mapping[str, Any], name: str, src: str, key: str) -> Any:
    if name not in data:
        raise fail(src, key, "missing")
    return data[name]


def text_value(data: Mapping[str, Any], name: str, src: str, prefix: str = "") -> str:
    raw = _require(data, name, src, prefix + name)
    if not isinstance(raw, str) or not raw.strip():
        raise fail(src, prefix + name, f"must be non-empty text, got {raw!r}")
    return raw.strip()


def decimal_value(
    data: Mapping[str, Any], name: str, src: str, prefix: str = "", *, positive: bool = False
) -> Decimal:
    """A non-negative Decimal written as text ("1.5"), an integer, or a TOML float."""
    key = prefix + name
    raw = _require(data, name, src, key)
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise fail(src, key, f'must be a number written as text, e.g. "1.5", got {raw!r}')
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise fail(src, key, f"not a number: {raw!r}") from None
    if not value.is_finite():
        raise fail(src, key, f"must be a finite number, got {raw!r}")
    if value < 0:
        raise fail(src, key, f"must not be negative, got {raw!r}")
    if positive and value == 0:
        raise fail(src, key, "must be greater than 0")
    return value


def int_value(
    data: Mapping[str, Any], name: str, src: str, prefix: str = "", *, positive: bool = False
) -> int:
    key = prefix + name
    raw = _require(data, name, src, key)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise fail(src, key, f"must be a whole number, got {raw!r}")
    if raw < 0 or (positive and raw == 0):
        raise fail(src, key, f"must be {'greater than 0' if positive else '0 or more'}, got {raw}")
    return raw


def _date_value(data: Mapping[str, Any], name: str, src: str) -> date:
    raw = _require(data, name, src, name)
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise fail(src, name, f"must be a date written YYYY-MM-DD, got {raw!r}")


def check_keys(data: Any, allowed: Iterable[str], src: str, where: str) -> None:
    """Reject tables that are not tables and keys nobody reads (usually typos)."""
    if not isinstance(data, Mapping):
        raise fail(src, where or "(top level)", f"must be a table, got {data!r}")
    allowed = tuple(allowed)
    for key in data:
        if key not in allowed:
            raise fail(
                src,
                f"{where}.{key}" if where else key,
                f"unknown key; expected {', '.join(allowed)}",
            )


def entry_code(entry: Any, allowed: Iterable[str], src: str, table: str, index: int) -> str:
    """The code of the index-th [[table]] entry, after checking its keys (named by code)."""
    if not isinstance(entry, Mapping):
        raise fail(src, f"{table}[{index}]", f"must be a table, got {entry!r}")
    code = text_value(entry, "code", src, f"{table}[{index}].")
    if not _CODE.match(code):
        raise fail(src, f"{table}[{index}].code", f"{code!r} must be lower-case letters, digits, _")
    check_keys(entry, allowed, src, f"{table}[{code}]")
    return code


def _entries(data: Mapping[str, Any], name: str, src: str) -> list[Mapping[str, Any]]:
    raw = _require(data, name, src, name)
    if not isinstance(raw, list) or not raw:
        raise fail(src, name, f"must be a non-empty list of tables ([[{name}]])")
    return raw


def _parse_product(entry: Any, index: int, src: str) -> Product:
    code = entry_code(entry, _PRODUCT_KEYS, src, "products", index)
    where = f"products[{code}]."
    kind = text_value(entry, "kind", src, where)
    if kind not in KINDS:
        raise fail(src, where + "kind", f"unknown kind {kind!r}; use amount or count")
    unit_value = None
    if kind == "count":
        unit_value = decimal_value(entry, "unit_value", src, where, positive=True)
    elif "unit_value" in entry:
        raise fail(src, where + "unit_value", "only count products have a unit_value")
    raw_risk = _require(entry, "risk_level", src, where + "risk_level")
    risk = None if raw_risk is None or str(raw_risk).lower() == "none" else str(raw_risk).upper()
    if risk is not None and risk not in RISK_LEVELS:
        raise fail(src, where + "risk_level", f'{raw_risk!r} is not R1..R5 or "none"')
    return Product(
        code=code,
        name_zh=text_value(entry, "name_zh", src, where),
        kind=kind,
        coefficient=decimal_value(entry, "coefficient", src, where),
        unit_value=unit_value,
        risk_level=risk,
        name_en=optional_text(entry, "name_en", src, where),
    )


def _parse_action(entry: Any, index: int, src: str) -> FixedAction:
    code = entry_code(entry, _ACTION_KEYS, src, "actions", index)
    where = f"actions[{code}]."
    return FixedAction(
        code=code,
        name_zh=text_value(entry, "name_zh", src, where),
        points=int_value(entry, "points", src, where),
        name_en=optional_text(entry, "name_en", src, where),
    )


def _by_code(items: list[Any], name: str, src: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if item.code in out:
            raise fail(src, f"{name}[{item.code}]", "defined twice")
        out[item.code] = item
    return out


def parse_rule_set(data: Mapping[str, Any], src: str) -> RuleSet:
    """Validate a rule-set mapping (TOML document or payload); `src` names it in errors."""
    check_keys(data, _TOP_KEYS, src, "")
    effective_from = _date_value(data, "effective_from", src)
    effective_to = _date_value(data, "effective_to", src)
    if effective_to < effective_from:
        raise fail(src, "effective_to", f"{effective_to} is before effective_from {effective_from}")
    products = [_parse_product(e, i, src) for i, e in enumerate(_entries(data, "products", src))]
    raw_actions = data.get("actions", [])
    if not isinstance(raw_actions, list):
        raise fail(src, "actions", "must be a list of tables ([[actions]])")
    actions = [_parse_action(e, i, src) for i, e in enumerate(raw_actions)]
    return RuleSet(
        version=text_value(data, "version", src),
        effective_from=effective_from,
        effective_to=effective_to,
        points_unit=int_value(data, "points_unit", src, positive=True),
        on_site_multiplier=decimal_value(data, "on_site_multiplier", src, positive=True),
        other_bank_multiplier=decimal_value(data, "other_bank_multiplier", src, positive=True),
        products=_by_code(products, "products", src),
        actions=_by_code(actions, "actions", src),
        appointment_bonus=int_value(data, "appointment_bonus", src),
        appointment_window_days=int_value(data, "appointment_window_days", src),
        referral_checkin=int_value(data, "referral_checkin", src),
        referral_first_approval=int_value(data, "referral_first_approval", src),
        holding_points_per=decimal_value(data, "holding_points_per", src, positive=True),
        experience_days=int_value(data, "experience_days", src, positive=True),
    )


def load_rule_set(path: str | Path) -> RuleSet:
    return parse_rule_set(read_toml(path), str(path))


def load_rule_sets(directory: str | Path) -> list[RuleSet]:
    """Every rules file in `directory` (tiers.toml aside), ordered by date, none overlapping."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RuleFileError(
            f"{directory}: not a directory of rule files",
            "rule_dir_missing",
            directory=str(directory),
        )
    paths = sorted(p for p in directory.glob("*.toml") if p.name != TIERS_FILE)
    if not paths:
        raise RuleFileError(
            f"{directory}: no rule files (*.toml other than {TIERS_FILE})",
            "rule_dir_empty",
            directory=str(directory),
            tiers=TIERS_FILE,
        )
    loaded = sorted(((load_rule_set(p), p) for p in paths), key=lambda rp: rp[0].effective_from)
    for (earlier, earlier_path), (later, later_path) in zip(loaded, loaded[1:], strict=False):
        if later.effective_from <= earlier.effective_to:
            raise RuleFileError(
                f"{earlier_path} and {later_path}: effective_from/effective_to overlap "
                f"({earlier.version} {earlier.effective_from}..{earlier.effective_to}, "
                f"{later.version} {later.effective_from}..{later.effective_to}); "
                "each day must fall under at most one rule set",
                "rule_files_overlap",
                earlier=str(earlier_path),
                later=str(later_path),
            )
    versions: dict[str, Path] = {}
    for rule_set, path in loaded:
        if rule_set.version in versions:
            raise RuleFileError(
                f"{versions[rule_set.version]} and {path}: version: both are {rule_set.version!r}",
                "rule_files_same_version",
                earlier=str(versions[rule_set.version]),
                later=str(path),
                version=rule_set.version,
            )
        versions[rule_set.version] = path
    return [rule_set for rule_set, _ in loaded]


# --- choosing the rule set for a day -------------------------------------------------------


def rule_set_for(rule_sets: Iterable[RuleSet], business_day: date | datetime) -> RuleSet:
    """The rule set in force on a business day (a datetime is first turned into one)."""
    if isinstance(business_day, datetime):
        business_day = business_date(business_day)
    rule_sets = list(rule_sets)
    for rule_set in rule_sets:
        if rule_set.covers(business_day):
            return rule_set
    known = ", ".join(f"{r.version} ({r.effective_from}..{r.effective_to})" for r in rule_sets)
    raise BadInput(
        f"no rule set is in force on {business_day}; known: {known or 'none'}. "
        "Publish a rule set covering that date (`upgradecamp rules draft NEXT --from VERSION "
        "--out FILE.toml`, edit it, `upgradecamp rules publish FILE.toml`).",
        "no_rule_set_in_force",
        day=str(business_day),
        known=known or "-",
    )
