"""Rule files for `calc`, parsed once and cached until a file changes.

`calc` runs at a marketer's desk for every what-if; parsing three TOML files (and importing the
pure-Python TOML parser) is a third of its own work. The cache holds the validated payloads,
keyed by each file's name, size and modification time, and is rebuilt whenever any changes.
It is written with `marshal`, built into the interpreter, since importing `json` would cost
`calc` as much again; the interpreter's tag is in its name, as marshal's format is per version.
A cache that cannot be read or written is simply not used, and one that is not what this code
wrote (a wrong shape, a foreign file) is read as no cache.
"""

from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path

from upgradecamp.domain.errors import BadInput
from upgradecamp.domain.rules import RuleSet, load_rule_sets
from upgradecamp.domain.tiers import TierLadder, load_tier_ladder

TIERS_FILE = "tiers.toml"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "upgradecamp"


def _cache_path(folder: Path) -> Path:
    name = "".join(c if c.isalnum() else "_" for c in str(folder.resolve()))
    return cache_dir() / f"rules{name}.{sys.implementation.cache_tag}.marshal"


def _stamp(folder: Path) -> list[list[object]]:
    """What the cache must match: every rules file's name, size and modification time."""
    stamp: list[list[object]] = []
    for path in sorted(folder.glob("*.toml")):
        info = path.stat()
        stamp.append([path.name, info.st_size, info.st_mtime_ns])
    return stamp


def load_rules(folder: Path) -> tuple[list[RuleSet], TierLadder]:
    """Every rule set in `folder` (validated as `load_rule_sets` does) and its tier ladder."""
    try:
        data = marshal.loads(_cache_path(folder).read_bytes())
        if data["stamp"] == _stamp(folder):
            return (
                [RuleSet.from_payload(p, str(folder)) for p in data["rule_sets"]],
                TierLadder.from_payload(data["ladder"], str(folder / TIERS_FILE)),
            )
    except (OSError, ValueError, KeyError, TypeError, EOFError, AttributeError, BadInput):
        pass
    rule_sets = load_rule_sets(folder)
    ladder = load_tier_ladder(folder / TIERS_FILE)
    try:
        cache = _cache_path(folder)
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(
            marshal.dumps(
                {
                    "stamp": _stamp(folder),
                    "rule_sets": [r.to_payload() for r in rule_sets],
                    "ladder": ladder.to_payload(),
                }
            )
        )
        partial.replace(cache)
    except OSError:
        pass
    return rule_sets, ladder
