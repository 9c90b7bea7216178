"""Read-side queries of follow-ups (事后跟进): the follow-up desk, the CLI, exports and reports.

A stable interface (the TUI and the export helpers call these). Every function takes an Engine
and reads the read tables only. Each follow-up comes out as a frozen `FollowUpLine`:

    followup_id, kind, session_id, branch, client_id, client_name, mobile (masked as
    138****5678 unless `unmasked`), form_id, next_session_id, assignee, assignee_name,
    due (YYYY-MM-DD), overdue (open and due before `today`; False without a `today`),
    days_overdue, status (open/done), outcome, attempts, note (the latest), created_at,
    done_at (ISO 8601 in Asia/Shanghai, +08:00), done_by, restricted

A `viewer` applies the marketer visibility rule (`domain.books.client_view`): a follow-up of a
client outside a marketer's book and sessions comes `restricted`, its note, outcome and form
emptied (the client's contact history); the follow-up's own fields stay.

`due` is a Shanghai business date; "today" is `domain.clock.today(services.clock)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, Select, case, func
from sqlmodel import col, select

from upgradecamp.domain.clock import local_iso_or_none
from upgradecamp.domain.staff import Actor
from upgradecamp.io.masking import mask_mobile
from upgradecamp.queries.books import Viewing, viewing
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientRow, StaffRow
from upgradecamp.store.tables.followups import FollowUpRow

BATCH = 1000
KIND_ORDER = (
    "fulfil_photo",
    "appointment_reminder",
    "intention_call",
    "invite_next",
    "update_contact",
    "cancel_call",
    "complaint",
    "birthday_call",
    "maturity_call",
    "experience_ending",
    "tier_changed",
    "dormant_call",
)


@dataclass(frozen=True)
class FollowUpLine:
    """One follow-up as the desk, the CLI and the exports show it (fields in the module doc)."""

    followup_id: str
    kind: str
    session_id: str
    branch: str
    client_id: str
    client_name: str
    mobile: str
    form_id: str | None
    next_session_id: str | None
    assignee: str
    assignee_name: str
    due: str | None
    overdue: bool
    days_overdue: int
    status: str
    outcome: str | None
    attempts: int
    note: str
    created_at: str | None
    done_at: str | None
    done_by: str | None
    restricted: bool = False


# What a restricted follow-up keeps besides the client's name and masked mobile: its own fields.
OWN_FIELDS = frozenset(
    {
        "followup_id",
        "kind",
        "session_id",
        "branch",
        "client_id",
        "client_name",
        "next_session_id",
        "assignee",
        "assignee_name",
        "due",
        "overdue",
        "days_overdue",
        "status",
        "attempts",
        "created_at",
        "done_at",
        "done_by",
    }
)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _columns() -> tuple[Any, ...]:
    f = FollowUpRow
    return (
        f.followup_id,
        f.kind,
        f.session_id,
        f.branch,
        f.client_id,
        f.form_id,
        f.next_session_id,
        f.assignee,
        f.due,
        f.status,
        f.outcome,
        f.attempts,
        f.note,
        f.created_at,
        f.done_at,
        f.done_by,
        col(ClientRow.name).label("client_name"),
        ClientRow.mobile,
        col(StaffRow.name).label("assignee_name"),
    )


def _joined(stmt: Select) -> Select:
    return (
        stmt.select_from(FollowUpRow)
        .join(ClientRow, col(ClientRow.client_id) == FollowUpRow.client_id, isouter=True)
        .join(StaffRow, col(StaffRow.code) == FollowUpRow.assignee, isouter=True)
    )


def _filtered(
    stmt: Select,
    *,
    session: str | None,
    branch: str | None,
    assignee: str | None,
    status: str | None,
    due_from: date | str | None,
    due_to: date | str | None,
) -> Select:
    for value, column in (
        (session, FollowUpRow.session_id),
        (branch, FollowUpRow.branch),
        (assignee, FollowUpRow.assignee),
        (status, FollowUpRow.status),
    ):
        if value is not None:
            stmt = stmt.where(col(column) == value)
    if due_from is not None:
        stmt = stmt.where(col(FollowUpRow.due) >= _day(due_from))
    if due_to is not None:
        stmt = stmt.where(col(FollowUpRow.due) <= _day(due_to))
    return stmt


def _seen(r: Any, today: date | None, unmasked: bool, seen: Viewing) -> FollowUpLine:
    return seen.line(_line(r, today, unmasked), r.client_rm, OWN_FIELDS)


def _line(r: Any, today: date | None, unmasked: bool) -> FollowUpLine:
    due = _day(r.due)
    late = (today - due).days if today is not None and due is not None else 0
    overdue = r.status == "open" and late > 0
    return FollowUpLine(
        followup_id=r.followup_id,
        kind=r.kind,
        session_id=r.session_id,
        branch=r.branch,
        client_id=r.client_id,
        client_name=r.client_name or "",
        mobile=(r.mobile or "") if unmasked else mask_mobile(r.mobile),
        form_id=r.form_id,
        next_session_id=r.next_session_id,
        assignee=r.assignee,
        assignee_name=r.assignee_name or r.assignee,
        due=due.isoformat() if due else None,
        overdue=overdue,
        days_overdue=late if overdue else 0,
        status=r.status,
        outcome=r.outcome,
        attempts=int(r.attempts or 0),
        note=r.note or "",
        created_at=local_iso_or_none(r.created_at),
        done_at=local_iso_or_none(r.done_at),
        done_by=r.done_by,
    )


def _with_rm() -> tuple[Any, ...]:
    return (*_columns(), col(ClientRow.rm).label("client_rm"))


def my_followups(
    engine: Engine,
    assignee: str,
    *,
    today: date,
    include_done: bool = False,
    viewer: Actor | None = None,
) -> list[FollowUpLine]:
    """A member of staff's follow-ups for the desk: open ones, overdue first (the longest
    overdue first), then by due date; with `include_done` the closed ones follow, latest
    closed first. As `viewer` may see them."""
    stmt = _joined(select(*_with_rm())).where(col(FollowUpRow.assignee) == assignee)
    if not include_done:
        stmt = stmt.where(col(FollowUpRow.status) == "open")
    done_last = case((col(FollowUpRow.status) == "open", 0), else_=1)
    with read_transaction(engine) as conn:
        rows = conn.execute(
            stmt.order_by(done_last, col(FollowUpRow.due), FollowUpRow.followup_id)
        ).all()
        seen = viewing(conn, viewer)
    out = [_seen(r, today, False, seen) for r in rows]
    open_ = [r for r in out if r.status == "open"]
    done = sorted(
        (r for r in out if r.status != "open"),
        key=lambda r: (r.done_at or "", r.followup_id),
        reverse=True,
    )
    return open_ + done


def list_followups(
    engine: Engine,
    *,
    session: str | None = None,
    branch: str | None = None,
    assignee: str | None = None,
    status: str | None = None,
    due_from: date | str | None = None,
    due_to: date | str | None = None,
    today: date | None = None,
    unmasked: bool = False,
    viewer: Actor | None = None,
) -> Iterator[FollowUpLine]:
    """Follow-ups matching every filter given, by due date then id, as an ITERATOR.

    Rows are fetched BATCH at a time in one read transaction (a server-side cursor on
    PostgreSQL), clients and staff joined in the same query, so 100,000 rows stream in
    constant memory. The connection is held until the iterator is exhausted or closed: consume
    it in the thread that called this (wrap it in `list()` for a screen's worker). `today`
    fills the overdue flags; `unmasked` gives full mobiles, for exports whose role allows it;
    `viewer` applies the marketer visibility rule.
    """
    stmt = _filtered(
        _joined(select(*_with_rm())),
        session=session,
        branch=branch,
        assignee=assignee,
        status=status,
        due_from=due_from,
        due_to=due_to,
    )
    stmt = stmt.order_by(col(FollowUpRow.due), FollowUpRow.followup_id)
    with read_transaction(engine) as conn:
        seen = viewing(conn, viewer)
        result = conn.execution_options(yield_per=BATCH).execute(stmt)
        for r in result:
            yield _seen(r, today, unmasked, seen)


def followup_counts(
    engine: Engine,
    *,
    today: date | None = None,
    session: str | None = None,
    branch: str | None = None,
    assignee: str | None = None,
    due_from: date | str | None = None,
    due_to: date | str | None = None,
) -> dict[str, Any]:
    """How many follow-ups match: {"total", "open", "done", "overdue" (open and due before
    `today`; 0 without it), "by_kind": {kind: {"open", "done"}}, "by_outcome": {outcome: n}}
    (the outcome of done ones, and `not_reached` of open ones tried without success)."""
    stmt = _filtered(
        select(FollowUpRow.kind, FollowUpRow.status, FollowUpRow.outcome, func.count()).select_from(
            FollowUpRow
        ),
        session=session,
        branch=branch,
        assignee=assignee,
        status=None,
        due_from=due_from,
        due_to=due_to,
    ).group_by(FollowUpRow.kind, FollowUpRow.status, col(FollowUpRow.outcome))
    overdue_stmt = None
    if today is not None:
        overdue_stmt = _filtered(
            select(func.count())
            .select_from(FollowUpRow)
            .where(FollowUpRow.status == "open", FollowUpRow.due < today),
            session=session,
            branch=branch,
            assignee=assignee,
            status=None,
            due_from=due_from,
            due_to=due_to,
        )
    with read_transaction(engine) as conn:
        groups = conn.execute(stmt).all()
        overdue = int(conn.execute(overdue_stmt).scalar_one()) if overdue_stmt is not None else 0
    by_kind = {kind: {"open": 0, "done": 0} for kind in KIND_ORDER}
    by_outcome: dict[str, int] = {}
    totals = {"open": 0, "done": 0}
    for kind, status, outcome, n in groups:
        bucket = by_kind.setdefault(kind, {"open": 0, "done": 0})
        bucket[status] = bucket.get(status, 0) + n
        totals[status] = totals.get(status, 0) + n
        if outcome:
            by_outcome[outcome] = by_outcome.get(outcome, 0) + n
    return {
        "total": sum(totals.values()),
        "open": totals.get("open", 0),
        "done": totals.get("done", 0),
        "overdue": overdue,
        "by_kind": by_kind,
        "by_outcome": by_outcome,
    }
