"""Where `calc` and `rules draft` find rule sets: the database's published ones, or the
fixture files where no database exists.

A marketer's `calc` must price with the rules the branch published (2027Q1 included), yet
still answer on a laptop with no database at all. Deciding which needs no SQLAlchemy, and
never creates the SQLite file that connecting to a missing path would.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from upgradecamp.domain.rules import RuleSet
    from upgradecamp.domain.tiers import TierLadder


class RuleSource(NamedTuple):
    rule_sets: list[RuleSet]
    ladder: TierLadder
    where: str  # said in messages: "the database …" or the folder of files
    now: datetime


def database_exists(db: str | None) -> bool:
    """A server URL always names a database; an SQLite one only when its file exists."""
    from upgradecamp.config import db_url

    url = db_url(db)
    if not url.startswith("sqlite"):
        return True
    path = url.partition("://")[2].partition("?")[0].removeprefix("/")
    return path not in ("", ":memory:") and Path(path).is_file()


def load_rule_source(db: str | None, rules_dir: Path | None = None) -> RuleSource:
    """`rules_dir` when given; else the database's published rule sets; else the fixtures."""
    if rules_dir is None and database_exists(db):
        return _from_database(db)
    from upgradecamp.config import fixtures_dir
    from upgradecamp.domain.clock import system_clock
    from upgradecamp.io.rule_files import load_rules

    folder = rules_dir or fixtures_dir() / "rules"
    rule_sets, ladder = load_rules(folder)
    # No database, so no injected clock: the computer's time stands in for it.
    return RuleSource(rule_sets, ladder, str(folder), system_clock())


def _from_database(db: str | None) -> RuleSource:
    from upgradecamp.cli.common import open_services
    from upgradecamp.config import db_url
    from upgradecamp.queries import rules_in_force

    services = open_services(db)
    now = services.clock()
    rule_sets, ladder, _current = rules_in_force(services.engine, now)
    return RuleSource(rule_sets, ladder, f"the database {db_url(db)}", now)


def find_version(source: RuleSource, version: str) -> RuleSet:
    from upgradecamp.domain.errors import BadInput

    chosen = next((r for r in source.rule_sets if r.version == version), None)
    if chosen is None:
        known = ", ".join(r.version for r in source.rule_sets) or "none"
        raise BadInput(
            f"no rule set {version!r} in {source.where}; known: {known}",
            "rule_set_unknown_version",
            version=str(version),
            where=str(source.where),
            known=known,
        )
    return chosen
