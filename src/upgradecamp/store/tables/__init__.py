"""Read-model tables (projections of the event log). Only projections write them.

Money is kept as integer cents so range queries (AUM bands) are exact on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class BranchRow(SQLModel, table=True):
    __tablename__ = "branches"
    code: str = Field(primary_key=True)
    name: str
    kind: str
    theme: str


class StaffRow(SQLModel, table=True):
    __tablename__ = "staff"
    code: str = Field(primary_key=True)
    name: str
    role: str = Field(index=True)
    branch: str
    pin_hash: str
    failed_attempts: int = 0
    locked_until: datetime | None = None
    added_at: datetime


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
    registered_at: datetime


class RuleSetRow(SQLModel, table=True):
    __tablename__ = "rule_sets"
    version: str = Field(primary_key=True)
    effective_from: date
    effective_to: date
    rules: str
    published_at: datetime
    published_by: str


class TierLadderRow(SQLModel, table=True):
    __tablename__ = "tier_ladder"
    id: int = Field(primary_key=True)
    ladder: str
    published_at: datetime


class BenefitRow(SQLModel, table=True):
    __tablename__ = "benefits"
    part: str = Field(primary_key=True)
    idx: int = Field(primary_key=True)
    title: str
    description: str


class ProjectionPositionRow(SQLModel, table=True):
    __tablename__ = "projection_position"
    name: str = Field(primary_key=True)
    position: int


READ_TABLES = [BranchRow, StaffRow, ClientRow, RuleSetRow, TierLadderRow, BenefitRow]


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
