"""Small helpers shared by tests: table dumps and client rows."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import READ_TABLES, ProjectionPositionRow


def dump_read_tables(engine: Engine) -> dict[str, list[tuple]]:
    """Every read table as the database stores it (no type conversion on the way out), rows
    ordered by primary key: what replay must reproduce exactly."""
    out: dict[str, list[tuple]] = {}
    with read_transaction(engine) as conn:
        for model in [*READ_TABLES, ProjectionPositionRow]:
            table = model.__table__
            order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            rows = conn.exec_driver_sql(f'SELECT * FROM "{table.name}" ORDER BY {order}').all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def client_row(n: int, **overrides: Any) -> dict[str, Any]:
    row = {
        "client_id": f"C{n:06d}",
        "name": "张三" if n % 2 else "李四",
        "mobile": f"138{n:08d}",
        "id_last4": f"{n % 10000:04d}",
        "branch": "B02",
        "rm": None,
        "aum": "120000.00",
        "risk_grade": "C3",
        "risk_expires": "2027-06-30",
        "marketing_consent": True,
        "contact_status": "ok",
    }
    row.update(overrides)
    return row


REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "fixtures" / "rules"
# A made-up next quarter (fund coefficient 1.6): only tests publish it.
NEXT_QUARTER = REPO / "tests" / "fixtures" / "2027Q1.toml"


def two_quarters(folder: Path) -> Path:
    """A rules folder with the shipped files plus the test-only 2027Q1."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in [*RULES.glob("*.toml"), NEXT_QUARTER]:
        shutil.copyfile(path, folder / path.name)
    return folder


def publish_next_quarter(services: Any, actor: Any) -> None:
    """Publish the test-only 2027Q1 through the handler, as an organizer would."""
    from upgradecamp.domain.commands import PublishRuleSet
    from upgradecamp.domain.rules import load_rule_set

    rs = load_rule_set(NEXT_QUARTER)
    services.execute(
        PublishRuleSet(
            version=rs.version,
            effective_from=rs.effective_from.isoformat(),
            effective_to=rs.effective_to.isoformat(),
            rules=rs.to_payload(),
        ),
        actor,
    )
