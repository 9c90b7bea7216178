"""`privacy report`: the personal data held, counted by kind, branch and age band.

Read from the register of personal data (store/tables/privacy.py); the age of a row is the
time since its first item was recorded, by the injected clock.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from upgradecamp.domain.privacy import AGE_BANDS, OLDEST_BAND, age_band
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables.privacy import PersonalDataRow

BAND_ORDER = [label for _limit, label in AGE_BANDS] + [OLDEST_BAND]


@dataclass(frozen=True)
class HeldLine:
    """How many clients have personal data of one kind, at one branch, of one age."""

    kind: str
    branch: str
    age: str
    clients: int
    items: int

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "branch": self.branch,
            "age": self.age,
            "clients": self.clients,
            "items": self.items,
        }


def personal_data_held(engine: Engine, now: datetime) -> list[HeldLine]:
    clients: Counter[tuple[str, str, str]] = Counter()
    items: Counter[tuple[str, str, str]] = Counter()
    query = select(
        col(PersonalDataRow.kind),
        col(PersonalDataRow.branch),
        col(PersonalDataRow.since),
        col(PersonalDataRow.items),
    )
    with read_transaction(engine) as conn:
        found = conn.execute(query).all()
    for kind, branch, since, count in found:
        key = (kind, branch, age_band((now - since).days))
        clients[key] += 1
        items[key] += count
    return [
        HeldLine(kind, branch, age, clients[(kind, branch, age)], items[(kind, branch, age)])
        for kind, branch, age in sorted(clients, key=lambda k: (k[0], k[1], BAND_ORDER.index(k[2])))
    ]
