"""Creating a database: schema, then the fixtures and the first admin as events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from upgradecamp.domain.commands import InitialiseDatabase
from upgradecamp.domain.staff import SYSTEM
from upgradecamp.service.auth import check_pin_format
from upgradecamp.service.bus import Services
from upgradecamp.service.fixtures import load_defaults
from upgradecamp.store.schema import create_schema


def initialise(services: Services, *, admin_code: str, admin_name: str, admin_pin: str,
               fixtures: Path | None = None, pin_salt: bytes | None = None) -> dict[str, Any]:
    check_pin_format(admin_pin)
    defaults = load_defaults(fixtures)
    create_schema(services.engine)
    return services.execute(
        InitialiseDatabase(admin_code=admin_code, admin_name=admin_name, admin_pin=admin_pin,
                           branches=defaults["branches"], rule_sets=defaults["rule_sets"],
                           tier_ladder=defaults["tier_ladder"], benefits=defaults["benefits"],
                           admin_pin_salt=pin_salt),
        SYSTEM,
    )


def bring_read_model_up_to_date(services: Services) -> list[str]:
    """A database written by an older version lacks newer read tables (or columns): recreate
    those and replay the log, so every screen reads what the log says. Returns the tables
    recreated (none on an up-to-date database, which costs one schema inspection)."""
    from upgradecamp.projections.rebuild import rebuild
    from upgradecamp.store.schema import recreate_read_tables, stale_read_tables

    stale = stale_read_tables(services.engine)
    if stale:
        recreate_read_tables(services.engine, stale)
        rebuild(services.engine, services.log)
    return stale
