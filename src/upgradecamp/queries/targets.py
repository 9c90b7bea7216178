"""The per-marketer review (EPE): the month's results against targets, conversion rates and
follow-ups done on time, ranked by conversion and follow-through (`domain/targets.py`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from upgradecamp.domain.points import money
from upgradecamp.domain.rules import business_date
from upgradecamp.domain.targets import Result, month_bounds, ranked
from upgradecamp.queries.reports import campaign_report
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import StaffRow
from upgradecamp.store.tables.followups import FollowUpRow
from upgradecamp.store.tables.targets import TargetRow


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def marketer_review(
    engine: Engine, month: str, now: datetime, branch: str | None = None
) -> list[Result]:
    """Every marketer (of `branch`, or all), ranked. A follow-up counts once its due day is
    in the month and has come (or it is done); on time when done on or before its due day."""
    first, last = month_bounds(month)
    today = business_date(now)
    report = campaign_report(engine, today=today, start=first, end=last, branch=branch, now=now)
    figures = {m["marketer"]: m for m in report["marketers"]}
    with read_transaction(engine) as conn:
        query = select(col(StaffRow.code), col(StaffRow.name)).where(
            col(StaffRow.role) == "marketer"
        )
        if branch:
            query = query.where(col(StaffRow.branch) == branch)
        staff = dict(conn.execute(query.order_by(col(StaffRow.code))).all())
        targets = {
            r.staff: r for r in conn.execute(select(TargetRow).where(col(TargetRow.month) == month))
        }
        due: dict[str, list[int]] = {}
        for assignee, due_day, status, done_at in conn.execute(
            select(
                col(FollowUpRow.assignee),
                col(FollowUpRow.due),
                col(FollowUpRow.status),
                col(FollowUpRow.done_at),
            ).where(
                col(FollowUpRow.due) >= first,
                col(FollowUpRow.due) <= last,
                col(FollowUpRow.assignee).in_(list(staff)),
            )
        ):
            if status != "done" and due_day >= today:
                continue  # not due yet: neither on time nor late
            entry = due.setdefault(assignee, [0, 0])
            entry[0] += 1
            if done_at is not None and business_date(done_at) <= due_day:
                entry[1] += 1
    out = []
    for code, name in staff.items():
        f, target = figures.get(code, {}), targets.get(code)
        out.append(
            Result(
                code,
                name,
                target.forms if target else None,
                target.upgrades if target else None,
                Decimal(target.converted_aum_cents) / 100
                if target and target.converted_aum_cents is not None
                else None,
                f.get("attended", 0),
                f.get("forms", 0),
                f.get("approved", 0),
                f.get("tier_upgrades", 0),
                Decimal(f.get("converted_aum_added", "0.00")),
                *due.get(code, [0, 0]),
            )
        )
    return ranked(out)


def review_json(result: Result, rank: int) -> dict[str, Any]:
    return {
        "rank": rank,
        "staff": result.staff,
        "name": result.name,
        "targets": {
            "forms": result.forms_target,
            "upgrades": result.upgrades_target,
            "converted_aum": money(result.converted_target)
            if result.converted_target is not None
            else None,
        },
        "results": {
            "attended": result.attended,
            "forms": result.forms,
            "approved": result.approved,
            "upgrades": result.upgrades,
            "converted_aum": money(result.converted),
        },
        "rates": {
            "form": _rate(result.form_rate),
            "approval": _rate(result.approval_rate),
            "conversion": _rate(result.conversion),
            "on_time": _rate(result.on_time),
        },
        "followups": {"due": result.followups_due, "on_time": result.followups_on_time},
    }
