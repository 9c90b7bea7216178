"""What personal data is held, per client and kind (`privacy report`, `privacy purge`).

One row per (client, kind): `client` (a CRM client's name, mobile, ID digits), `prospect` (a
walk-in's name and mobile), `followup_note`, `invitation_note`, `feedback` (comments and
complaints). `since` is when the first of it was recorded, `items` how many events hold it; a
prospect is `matched` once the CRM registers them. A forgotten client has no rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from upgradecamp.store.types import UTCDateTime


class PersonalDataRow(SQLModel, table=True):
    __tablename__ = "personal_data"
    client_id: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    branch: str = Field(index=True)
    since: datetime = Field(sa_type=UTCDateTime)
    items: int = 1
    matched: bool = False
