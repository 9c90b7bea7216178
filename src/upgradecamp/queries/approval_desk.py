"""Reads of the approval desk that `queries/forms.py` does not offer: today's approved forms
still waiting for their photo (合影).

`list_forms(status="approved")` would return every approval ever made, on every reload of the
desk (each time any terminal records something); this asks the database for just the day's.
Rows are shaped exactly as `queries.forms` shapes them (its own helpers are reused).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import col, select

from upgradecamp.domain.clock import day_bounds_utc
from upgradecamp.queries.forms import FormSummary, _columns, _joined, _summary
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables.forms import FormRow
from upgradecamp.store.tables.sessions import SessionRow


def awaiting_photo(engine: Engine, day: date, *, branch: str | None = None) -> list[FormSummary]:
    """Forms approved on `day` (Asia/Shanghai) whose photo is not marked yet, in the order
    they were approved; `branch` keeps those of that branch's sessions, None every branch."""
    start, end = day_bounds_utc(day)
    stmt = _joined(select(*_columns())).where(
        FormRow.status == "approved",
        col(FormRow.photo_taken).is_(False),
        col(FormRow.decided_at) >= start,
        col(FormRow.decided_at) < end,
    )
    if branch is not None:
        stmt = stmt.where(SessionRow.branch == branch)
    with read_transaction(engine) as conn:
        rows = conn.execute(stmt.order_by(FormRow.decided_at, FormRow.form_id)).all()
    return [_summary(r) for r in rows]
