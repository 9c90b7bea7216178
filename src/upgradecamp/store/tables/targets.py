"""Read table of marketers' monthly targets (EPE)."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class TargetRow(SQLModel, table=True):
    __tablename__ = "targets"
    staff: str = Field(primary_key=True)
    month: str = Field(primary_key=True)
    forms: int | None = None
    upgrades: int | None = None
    converted_aum_cents: int | None = Field(default=None, sa_type=BigInteger)
    set_by: str
