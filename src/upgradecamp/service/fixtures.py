"""The defaults `init` and `demo` load from `fixtures/`: branches, rules, tiers and benefits."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from upgradecamp.config import fixtures_dir
from upgradecamp.domain.errors import RuleFileError

BENEFIT_PARTS = ("bank_standard", "branch_special", "financial_partner", "nearby_merchant")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise RuleFileError(f"{path}: file not found; restore it from the repository") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(f"{path}: not valid TOML ({exc}); fix the file") from exc


def load_branches(path: Path) -> list[dict[str, str]]:
    data = _read_toml(path)
    branches = data.get("branch")
    if not branches:
        raise RuleFileError(f"{path}: no [[branch]] entries; add at least the core branch")
    out = []
    for i, b in enumerate(branches, 1):
        for key in ("code", "kind", "name", "theme"):
            if not isinstance(b.get(key), str) or not b.get(key):
                raise RuleFileError(f"{path}: branch #{i} needs a text '{key}'")
        if b["kind"] not in ("core", "satellite"):
            raise RuleFileError(f"{path}: branch {b['code']} kind must be core or satellite")
        out.append({k: b[k] for k in ("code", "kind", "name", "theme")})
    if sum(1 for b in out if b["kind"] == "core") != 1:
        raise RuleFileError(f"{path}: a cluster has exactly one core branch")
    return out


def load_benefits(path: Path) -> dict[str, list[dict[str, str]]]:
    data = _read_toml(path)
    parts: dict[str, list[dict[str, str]]] = {}
    for part in BENEFIT_PARTS:
        items = data.get(part, [])
        for i, item in enumerate(items, 1):
            if not item.get("title"):
                raise RuleFileError(f"{path}: {part} item #{i} needs a 'title'")
        parts[part] = [{"title": it["title"], "description": it.get("description", "")}
                       for it in items]
    unknown = set(data) - set(BENEFIT_PARTS)
    if unknown:
        raise RuleFileError(f"{path}: unknown part(s) {', '.join(sorted(unknown))}; "
                            f"use {', '.join(BENEFIT_PARTS)}")
    return parts


def load_defaults(root: Path | None = None) -> dict[str, Any]:
    """Everything `init` publishes, validated; errors name the file and the key."""
    from upgradecamp.domain.rules import load_rule_sets
    from upgradecamp.domain.tiers import load_tier_ladder

    root = root or fixtures_dir()
    rule_sets = load_rule_sets(root / "rules")
    return {
        "branches": load_branches(root / "branches.toml"),
        "rule_sets": [rs.to_payload() for rs in rule_sets],
        "tier_ladder": load_tier_ladder(root / "rules" / "tiers.toml").to_payload(),
        "benefits": load_benefits(root / "benefits.toml"),
    }
