"""Read-side queries of the reports (报表): a session's or a campaign's figures as one document.

The records of a scope are loaded with one query per table (sessions, invitations, check-ins,
forms, the points ledger's sums), the scope's sessions given as a subquery so no query runs per
row; `domain/reports.py` does the arithmetic and says what each figure counts. Both functions
return the same JSON-able document (see `report_document`), which the CLI prints, writes to
XLSX, and the TUI draws. No client is named in it: a report is about staff and branches.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Select, func, literal, union_all
from sqlmodel import col, select

from upgradecamp.domain.clock import business_date, day_start, local_hm, to_local
from upgradecamp.domain.errors import BadInput, NotFound
from upgradecamp.domain.reports import (
    AttendanceRecord,
    FormRecord,
    InvitationRecord,
    ProductInfo,
    Report,
    SessionRecord,
    build_report,
    product_kind,
)
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import BranchRow, ClientRow, LedgerEntryRow, StaffRow
from upgradecamp.store.tables.forms import FormRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

CAMPAIGN_DAYS = 30  # the default campaign: the last 30 days, today included
# Credit keys of the points ledger that belong to a form (service/points.py, service/forms.py).
FORM_KEY = "form:"
APPOINTMENT_KEY = "appointment_bonus:"


def campaign_dates(
    today: date, start: date | None = None, end: date | None = None
) -> tuple[date, date]:
    """The campaign's first and last days: by default the last 30 days up to today; with only
    `start`, up to today (30 days from `start` when it is later); with only `end`, the 30 days
    ending then."""
    if end is not None:
        last = end
    elif start is None or start <= today:
        last = today
    else:
        last = start + timedelta(days=CAMPAIGN_DAYS - 1)
    first = start or last - timedelta(days=CAMPAIGN_DAYS - 1)
    if first > last:
        raise BadInput(
            f"--from {first} is after --to {last}; give the earlier date first",
            "report_bad_range",
            start=first.isoformat(),
            end=last.isoformat(),
        )
    return first, last


def _check_branch(conn: Connection, branch: str | None) -> None:
    if branch is None:
        return
    codes = [c for (c,) in conn.execute(select(BranchRow.code).order_by(BranchRow.code))]
    if branch not in codes:
        raise BadInput(
            f"no branch has the code '{branch}'; use one of {', '.join(codes)}",
            "report_unknown_branch",
            branch=branch,
            known=", ".join(codes),
        )


def campaign_report(
    engine: Engine,
    *,
    today: date,
    start: date | None = None,
    end: date | None = None,
    branch: str | None = None,
    now: datetime,
) -> dict[str, Any]:
    """The figures of the sessions starting within [start, end] (Asia/Shanghai dates, both
    included; defaults in `campaign_dates`), of one branch or all; cancelled ones left out."""
    first, last = campaign_dates(today, start, end)
    scope = select(SessionRow.session_id).where(
        SessionRow.starts_at >= day_start(first),
        SessionRow.starts_at < day_start(last + timedelta(days=1)),
        SessionRow.status != "cancelled",
    )
    if branch is not None:
        scope = scope.where(SessionRow.branch == branch)
    with read_transaction(engine) as conn:
        _check_branch(conn, branch)
        report, names = _load(conn, scope, first, last)
    return report_document(
        report,
        names,
        {
            "kind": "campaign",
            "from": first.isoformat(),
            "to": last.isoformat(),
            "branch": branch,
            "branch_name": names.branches.get(branch) if branch else None,
            "session_id": None,
        },
        now,
    )


def session_report(engine: Engine, session_id: str, now: datetime) -> dict[str, Any]:
    """The figures of one session (a cancelled one too: its invitations still count)."""
    scope = select(SessionRow.session_id).where(SessionRow.session_id == session_id)
    with read_transaction(engine) as conn:
        found = conn.execute(
            select(SessionRow.starts_at, SessionRow.branch).where(
                SessionRow.session_id == session_id
            )
        ).first()
        if found is None:
            raise NotFound(
                f"no session has the id '{session_id}'; see `upgradecamp sessions list`",
                "session_not_found",
                session=session_id,
            )
        day = business_date(found.starts_at)
        report, names = _load(conn, scope, day, day)
    return report_document(
        report,
        names,
        {
            "kind": "session",
            "from": day.isoformat(),
            "to": day.isoformat(),
            "branch": found.branch,
            "branch_name": names.branches.get(found.branch),
            "session_id": session_id,
        },
        now,
    )


class _Names:
    def __init__(
        self,
        branches: dict[str, str],
        staff: dict[str, tuple[str, str]],
        products: dict[str, ProductInfo],
    ) -> None:
        self.branches = branches
        self.staff = staff
        self.products = products


def _products(conn: Connection) -> dict[str, ProductInfo]:
    """Every product of every published rule set; a later version's name wins."""
    from upgradecamp.store.rules import published_rule_sets

    out: dict[str, ProductInfo] = {}
    for rule_set in published_rule_sets(conn):
        for p in rule_set.products.values():
            out[p.code] = ProductInfo(p.code, p.name_zh, p.kind, p.name_en)
    return out


def _tier_ranks(conn: Connection) -> dict[str, int]:
    from upgradecamp.store.rules import tier_ladder

    return {tier.code: i for i, tier in enumerate(tier_ladder(conn).tiers)}


def _load(conn: Connection, scope: Select, first: date, last: date) -> tuple[Report, _Names]:
    sessions = [
        SessionRecord(
            r.session_id,
            r.branch,
            business_date(r.starts_at),
            local_hm(r.starts_at),
            r.theme,
            r.status,
        )
        for r in conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                SessionRow.session_id,
                SessionRow.branch,
                SessionRow.starts_at,
                SessionRow.theme,
                SessionRow.status,
            )
            .where(col(SessionRow.session_id).in_(scope))
            .order_by(SessionRow.starts_at, SessionRow.session_id)
        )
    ]
    invitations = [
        InvitationRecord(r.session_id, r.client_id, r.state, r.rm)
        for r in conn.execute(
            select(
                InvitationRow.session_id, InvitationRow.client_id, InvitationRow.state, ClientRow.rm
            )
            .join(ClientRow, col(ClientRow.client_id) == InvitationRow.client_id, isouter=True)
            .where(col(InvitationRow.session_id).in_(scope))
        )
    ]
    attendances = [
        AttendanceRecord(r.session_id, r.client_id, r.walk_in, r.rm, r.segment or "")
        for r in conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                CheckInRow.session_id,
                CheckInRow.client_id,
                CheckInRow.walk_in,
                ClientRow.rm,
                ClientRow.segment,
            )
            .join(ClientRow, col(ClientRow.client_id) == CheckInRow.client_id, isouter=True)
            .where(col(CheckInRow.session_id).in_(scope), col(CheckInRow.annulled).is_(False))
        )
    ]
    points = _form_points(conn, scope)
    forms = [
        FormRecord(
            r.form_id,
            r.session_id,
            r.client_id,
            r.marketer,
            r.status,
            tuple((line["product"], Decimal(str(line["value"]))) for line in json.loads(r.lines)),
            r.appointment,
            Decimal(r.converted_delta),
            r.tier_before,
            r.tier_after,
            points.get(r.form_id, 0),
        )
        for r in conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                FormRow.form_id,
                FormRow.session_id,
                FormRow.client_id,
                FormRow.marketer,
                FormRow.status,
                FormRow.lines,
                FormRow.appointment,
                FormRow.converted_delta,
                FormRow.tier_before,
                FormRow.tier_after,
            )
            .where(col(FormRow.session_id).in_(scope))
            .order_by(FormRow.form_id)
        )
    ]
    names = _Names(
        {r.code: r.name for r in conn.execute(select(BranchRow.code, BranchRow.name))},
        {
            r.code: (r.name, r.branch)
            for r in conn.execute(select(StaffRow.code, StaffRow.name, StaffRow.branch))
        },
        _products(conn),
    )
    report = build_report(
        sessions=sessions,
        invitations=invitations,
        attendances=attendances,
        forms=forms,
        products=names.products,
        tier_ranks=_tier_ranks(conn),
        first=first,
        last=last,
    )
    return report, names


def _form_points(conn: Connection, scope: Select) -> dict[str, int]:
    """Each form's net in the points ledger: its credit, its reversal, its appointment bonus."""
    forms = select(FormRow.form_id).where(col(FormRow.session_id).in_(scope)).subquery()
    keys = union_all(
        select((literal(FORM_KEY) + forms.c.form_id).label("key")),
        select((literal(APPOINTMENT_KEY) + forms.c.form_id).label("key")),
    )
    out: dict[str, int] = {}
    for key, total in conn.execute(
        select(LedgerEntryRow.credit_key, func.sum(LedgerEntryRow.points))
        .where(col(LedgerEntryRow.credit_key).in_(select(keys.subquery().c.key)))
        .group_by(LedgerEntryRow.credit_key)
    ):
        form_id = key.removeprefix(FORM_KEY).removeprefix(APPOINTMENT_KEY)
        out[form_id] = out.get(form_id, 0) + int(total or 0)
    return out


def report_document(
    report: Report, names: _Names, scope: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The report as one JSON-able document (figures as `Figures.to_json` gives them):

    `scope` {kind: session|campaign, from, to, branch, branch_name, session_id, as_of},
    `cluster` {figures}, `branches` [{branch, name, figures…}], `marketers` [{marketer, name,
    branch, figures…}], `products` [{product, name_zh, name_en, kind, amount ("…" or null),
    count (int or null)}] of the cluster's approved forms, `sessions` [{session_id, branch,
    branch_name, date, time, theme, status, figures…}], `weeks` [{week_of (Monday), sessions,
    attended}].
    """
    as_of = to_local(now)
    cluster = report.cluster.to_json()
    products = []
    for code in [*cluster["amounts"], *cluster["counts"]]:
        info = names.products.get(code)
        products.append(
            {
                "product": code,
                "name_zh": info.name_zh if info else code,
                "name_en": (info.name_en if info else None) or code,
                "kind": product_kind(names.products, code),
                "amount": cluster["amounts"].get(code),
                "count": cluster["counts"].get(code),
            }
        )
    return {
        "scope": {**scope, "as_of": as_of.isoformat(timespec="seconds")},
        "cluster": cluster,
        "branches": [
            {"branch": code, "name": names.branches.get(code, code), **f.to_json()}
            for code, f in report.branches
        ],
        "marketers": [
            {
                "marketer": code,
                "name": names.staff.get(code, (code, ""))[0],
                "branch": names.staff.get(code, ("", ""))[1],
                **f.to_json(),
            }
            for code, f in report.marketers
        ],
        "products": products,
        "sessions": [
            {
                "session_id": s.session_id,
                "branch": s.branch,
                "branch_name": names.branches.get(s.branch, s.branch),
                "date": s.day.isoformat(),
                "time": s.time,
                "theme": s.theme,
                "status": s.status,
                **f.to_json(),
            }
            for s, f in report.sessions
        ],
        "weeks": [
            {"week_of": w.monday.isoformat(), "sessions": w.sessions, "attended": w.attended}
            for w in report.weeks
        ],
    }
