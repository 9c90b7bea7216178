"""The defaults `init` and `demo` load from `fixtures/`: branches, rules, tiers, benefits and
the rewards catalogue."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from upgradecamp.config import fixtures_dir
from upgradecamp.domain.benefits import BENEFIT_PARTS
from upgradecamp.domain.errors import RuleFileError


def read_toml(path: Path) -> dict[str, Any]:
    """A shipped defaults file, parsed; missing or not TOML, one line that says what to do."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise RuleFileError(
            f"{path}: file not found; restore it from the package",
            "fixture_file_missing",
            file=str(path),
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(
            f"{path}: not valid TOML ({exc}); fix the file",
            "fixture_file_bad_toml",
            file=str(path),
            reason=str(exc),
        ) from exc


def load_branches(path: Path) -> list[dict[str, str]]:
    data = read_toml(path)
    branches = data.get("branch")
    if not branches:
        raise RuleFileError(
            f"{path}: no [[branch]] entries; add at least the core branch",
            "branches_none",
            file=str(path),
        )
    out = []
    for i, b in enumerate(branches, 1):
        for key in ("code", "kind", "name", "theme"):
            if not isinstance(b.get(key), str) or not b.get(key):
                raise RuleFileError(
                    f"{path}: branch #{i} needs a text '{key}'",
                    "branch_needs_text",
                    file=str(path),
                    number=i,
                    key=key,
                )
        if b["kind"] not in ("core", "satellite"):
            raise RuleFileError(
                f"{path}: branch {b['code']} kind must be core or satellite",
                "branch_bad_kind",
                file=str(path),
                branch=b["code"],
            )
        entry = {k: b[k] for k in ("code", "kind", "name", "theme")}
        if isinstance(b.get("theme_en"), str) and b["theme_en"].strip():
            entry["theme_en"] = b["theme_en"].strip()  # carried only when the file has it
        out.append(entry)
    if sum(1 for b in out if b["kind"] == "core") != 1:
        raise RuleFileError(
            f"{path}: a cluster has exactly one core branch", "branches_one_core", file=str(path)
        )
    return out


def load_benefits(path: Path) -> dict[str, list[dict[str, str]]]:
    data = read_toml(path)
    parts: dict[str, list[dict[str, str]]] = {}
    for part in BENEFIT_PARTS:
        items = data.get(part, [])
        for i, item in enumerate(items, 1):
            if not item.get("title"):
                raise RuleFileError(
                    f"{path}: {part} item #{i} needs a 'title'",
                    "benefit_needs_title",
                    file=str(path),
                    part=part,
                    number=i,
                )
        # title_en / description_en only where the file gives them: an older file's payload
        # stays as it was.
        parts[part] = [
            {
                "title": it["title"],
                "description": it.get("description", ""),
                **{k: it[k] for k in ("title_en", "description_en") if it.get(k)},
            }
            for it in items
        ]
    unknown = set(data) - set(BENEFIT_PARTS)
    if unknown:
        raise RuleFileError(
            f"{path}: unknown part(s) {', '.join(sorted(unknown))}; use {', '.join(BENEFIT_PARTS)}",
            "benefit_unknown_parts",
            file=str(path),
            parts=", ".join(sorted(unknown)),
            known=", ".join(BENEFIT_PARTS),
        )
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
        "rewards": load_rewards(root / "rewards.toml"),
    }


def load_rewards(path: Path) -> list[dict[str, Any]]:
    """The `[[reward]]` entries, checked; a fixtures folder without the file lists none."""
    from upgradecamp.domain.errors import BadInput
    from upgradecamp.domain.rewards import parse_catalogue

    if not path.exists():
        return []
    entries = read_toml(path).get("reward", [])
    try:
        parse_catalogue(entries, str(path))
    except BadInput as exc:
        raise RuleFileError(exc.message, exc.code, **exc.params) from exc
    return entries
