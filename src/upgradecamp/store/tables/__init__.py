"""Read-model tables (projections of the event log). Only projections write them.

Money is kept as integer cents so range queries (AUM bands) are exact on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from upgradecamp.store.types import UTCDateTime


class BranchRow(SQLModel, table=True):
    __tablename__ = "branches"
    code: str = Field(primary_key=True)
    name: str
    kind: str
    theme: str
    theme_en: str | None = None  # the English screens' name of the theme; None: the Chinese


class StaffRow(SQLModel, table=True):
    __tablename__ = "staff"
    code: str = Field(primary_key=True)
    name: str
    role: str = Field(index=True)
    branch: str
    pin_hash: str
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    added_at: datetime = Field(sa_type=UTCDateTime)
    active: bool = True
    deactivated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deactivated_reason: str | None = None
    last_signed_in: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pin_reset_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ClientRow(SQLModel, table=True):
    __tablename__ = "clients"
    client_id: str = Field(primary_key=True)
    name: str
    initials: str = Field(index=True)
    mobile: str
    mobile_last4: str = Field(index=True)
    id_last4: str
    branch: str = Field(index=True)
    rm: str | None = None
    aum_cents: int = Field(index=True, sa_type=BigInteger)
    segment: str
    risk_grade: str | None = None
    risk_expires: date | None = None
    marketing_consent: bool
    contact_status: str
    consent_withdrawn: bool = False
    registered_at: datetime = Field(sa_type=UTCDateTime)
    birthday: str | None = None  # MM-DD: month and day only


class RuleSetRow(SQLModel, table=True):
    __tablename__ = "rule_sets"
    version: str = Field(primary_key=True)
    effective_from: date
    effective_to: date
    rules: str
    published_at: datetime = Field(sa_type=UTCDateTime)
    published_by: str


class TierLadderRow(SQLModel, table=True):
    __tablename__ = "tier_ladder"
    id: int = Field(primary_key=True)
    ladder: str
    published_at: datetime = Field(sa_type=UTCDateTime)


class BenefitRow(SQLModel, table=True):
    __tablename__ = "benefits"
    part: str = Field(primary_key=True)
    idx: int = Field(primary_key=True)
    title: str
    description: str
    title_en: str | None = None  # the English screens' text; None: they show the Chinese
    description_en: str | None = None


class ProjectionPositionRow(SQLModel, table=True):
    __tablename__ = "projection_position"
    name: str = Field(primary_key=True)
    position: int


class ReadTableCountRow(SQLModel, table=True):
    """How many rows each read table held when the projections last wrote it: the cheap digest
    that every opening process compares with the tables (projections/compare.quick_check), so
    a row deleted or added behind the log's back is named without a replay."""

    __tablename__ = "read_table_counts"
    name: str = Field(primary_key=True)
    rows: int


READ_TABLES: list[type[SQLModel]] = [
    BranchRow,
    StaffRow,
    ClientRow,
    RuleSetRow,
    TierLadderRow,
    BenefitRow,
]


class LedgerEntryRow(SQLModel, table=True):
    """One explained line of the points ledger; reversals are entries with negative points."""

    __tablename__ = "points_ledger"
    entry_id: str = Field(primary_key=True)
    client_id: str = Field(index=True)
    position: int
    credit_key: str = Field(index=True)
    kind: str
    reference: str
    business_date: date
    rule_set: str
    line: int
    item: str
    source: str | None = None
    value: str | None = None
    coefficient: str | None = None
    multiplier: str | None = None
    converted_delta: str
    formula: str
    points: int


class ClientPointsRow(SQLModel, table=True):
    """A client's balance and experience tier, for the explain view and the registration screen."""

    __tablename__ = "client_points"
    client_id: str = Field(primary_key=True)
    balance: int
    experience_tier: str | None = None
    experience_starts: date | None = None
    experience_ends: date | None = None
    experience_credit_key: str | None = None
    last_experience_outcome: str | None = None


READ_TABLES.extend([LedgerEntryRow, ClientPointsRow])

from upgradecamp.store.tables.followups import FollowUpRow  # noqa: E402
from upgradecamp.store.tables.forms import FormRow  # noqa: E402
from upgradecamp.store.tables.invitations import ExportRow, InvitationRow  # noqa: E402
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow  # noqa: E402

READ_TABLES.extend([SessionRow, CheckInRow, InvitationRow, ExportRow, FormRow, FollowUpRow])

from upgradecamp.store.tables.search import ClientSearchRow, SearchKeyRow  # noqa: E402

READ_TABLES.extend([ClientSearchRow, SearchKeyRow])

from upgradecamp.store.tables.rewards import RedemptionRow, RewardRow  # noqa: E402

READ_TABLES.extend([RewardRow, RedemptionRow])

from upgradecamp.store.tables.feedback import FeedbackRow  # noqa: E402

READ_TABLES.append(FeedbackRow)

from upgradecamp.store.tables.targets import TargetRow  # noqa: E402

READ_TABLES.append(TargetRow)

from upgradecamp.store.tables.holdings import HoldingRow, TierMoveRow  # noqa: E402

READ_TABLES.extend([HoldingRow, TierMoveRow])
from upgradecamp.store.tables.integrity import CheckpointRow  # noqa: E402

READ_TABLES.append(CheckpointRow)
from upgradecamp.store.tables.privacy import PersonalDataRow  # noqa: E402

READ_TABLES.append(PersonalDataRow)
