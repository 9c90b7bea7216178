"""Rows for the exports (`upgradecamp export …`), streamed: one query with its joins, fetched
in batches (`yield_per`; a server-side cursor on PostgreSQL), never one query per row.

Mobiles come out masked (138****5678) unless the caller passes `unmasked=True` — the export
handler (service/exports.py) checks the role first and records the export, reading through its
own transaction (pass its connection as `source`). ID numbers exist only as last 4 digits.
Money is Decimal, times aware UTC, dates `date`: io/exports.py formats them per file format.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, exists, func
from sqlmodel import and_, col, select

from upgradecamp.domain.errors import BadInput, NotFound
from upgradecamp.io.masking import mask_mobile
from upgradecamp.store.db import Source, reading
from upgradecamp.store.tables import BranchRow, ClientPointsRow, ClientRow, StaffRow
from upgradecamp.store.tables.followups import FollowUpRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import SessionRow

BATCH = 2000
STATUSES = {
    "followups": ("open", "done"),
    "invitations": (
        "invited",
        "sent",
        "confirmed",
        "declined",
        "no_answer",
        "call_back",
        "wrong_number",
        "opted_out",
    ),
    "clients": ("ok", "unreachable"),
}
_APPLIES = {
    "followups": ("session", "branch", "assignee", "status", "due_from", "due_to"),
    "invitations": ("session", "branch", "assignee", "status"),
    "clients": ("session", "branch", "assignee", "status"),
}


def _money(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


def _day(name: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadInput(
            f"--{name.replace('_', '-')} {value!r} is not a date; give YYYY-MM-DD, e.g. 2026-12-01",
            "export_bad_date",
            option=name,
            value=str(value),
        ) from None


def check_filters(source: Source, what: str, filters: Mapping[str, Any]) -> dict[str, Any]:
    """The filters of an export checked: each applies to `what`, statuses and dates are valid,
    the session, branch and staff named exist. Returns them normalised (dates as `date`)."""
    out: dict[str, Any] = {}
    for name, value in filters.items():
        if name not in _APPLIES[what]:
            takes = ", ".join("--" + f.replace("_", "-") for f in _APPLIES[what])
            raise BadInput(
                f"--{name.replace('_', '-')} does not apply to the {what} export; it takes {takes}",
                "export_bad_filter",
                option=name,
                what=what,
                takes=takes,
            )
        out[name] = str(value).strip()
    if "status" in out and out["status"] not in STATUSES[what]:
        raise BadInput(
            f"unknown status {out['status']!r} for {what}; use one of {', '.join(STATUSES[what])}",
            "export_bad_status",
            status=out["status"],
            allowed=", ".join(STATUSES[what]),
        )
    for name in ("due_from", "due_to"):
        if name in out:
            out[name] = _day(name, out[name])
    if "due_from" in out and "due_to" in out and out["due_from"] > out["due_to"]:
        raise BadInput(
            f"--due-from {out['due_from']} is after --due-to {out['due_to']}; swap them",
            "export_bad_range",
            low=str(out["due_from"]),
            high=str(out["due_to"]),
        )
    with reading(source) as conn:
        if (
            "session" in out
            and conn.execute(
                select(SessionRow.session_id).where(SessionRow.session_id == out["session"])
            ).first()
            is None
        ):
            raise NotFound(
                f"no session '{out['session']}'; pick one from `upgradecamp sessions list`",
                "invite_unknown_session",
                session=out["session"],
            )
        if (
            "branch" in out
            and conn.execute(select(BranchRow.code).where(BranchRow.code == out["branch"])).first()
            is None
        ):
            raise NotFound(
                f"no branch '{out['branch']}'; use a branch code such as B01",
                "export_unknown_branch",
                branch=out["branch"],
            )
        if (
            "assignee" in out
            and conn.execute(select(StaffRow.code).where(StaffRow.code == out["assignee"])).first()
            is None
        ):
            raise NotFound(
                f"no staff member '{out['assignee']}'; see `upgradecamp staff list`",
                "export_unknown_staff",
                staff=out["assignee"],
            )
    return out


# --- invitations --------------------------------------------------------------------------


def _invitations(filters: Mapping[str, Any], *columns: Any) -> Select:
    stmt = (
        select(*columns)
        .select_from(InvitationRow)
        .join(SessionRow, col(SessionRow.session_id) == InvitationRow.session_id)
        .join(ClientRow, col(ClientRow.client_id) == InvitationRow.client_id)
    )
    if "session" in filters:
        stmt = stmt.where(InvitationRow.session_id == filters["session"])
    if "branch" in filters:
        stmt = stmt.where(SessionRow.branch == filters["branch"])
    if "assignee" in filters:
        stmt = stmt.where(ClientRow.rm == filters["assignee"])
    if "status" in filters:
        stmt = stmt.where(InvitationRow.state == filters["status"])
    return stmt


def invitation_rows(
    source: Source, filters: Mapping[str, Any], *, unmasked: bool = False
) -> Generator[dict[str, Any], None, None]:
    """Invitations by session start, then id, with the session, the client and their RM."""
    stmt = _invitations(
        filters,
        InvitationRow.invitation_id,
        InvitationRow.session_id,
        SessionRow.starts_at,
        SessionRow.branch,
        InvitationRow.client_id,
        ClientRow.name,
        ClientRow.mobile,
        InvitationRow.code,
        InvitationRow.segment,
        InvitationRow.aum_cents,
        InvitationRow.state,
        InvitationRow.sms_sent,
        InvitationRow.wechat_added,
        InvitationRow.calls,
        InvitationRow.last_result,
        InvitationRow.last_note,
        InvitationRow.last_outcome_at,
        ClientRow.rm,
        InvitationRow.issued_at,
    ).order_by(col(SessionRow.starts_at), InvitationRow.invitation_id)
    for r in _stream(source, stmt):
        yield {
            "invitation_id": r.invitation_id,
            "session_id": r.session_id,
            "starts_at": r.starts_at,
            "branch": r.branch,
            "client_id": r.client_id,
            "name": r.name,
            "mobile": r.mobile if unmasked else mask_mobile(r.mobile),
            "code": r.code,
            "segment": r.segment,
            "aum": _money(r.aum_cents),
            "state": r.state,
            "sms_sent": bool(r.sms_sent),
            "wechat_added": bool(r.wechat_added),
            "calls": r.calls,
            "last_result": r.last_result,
            "last_note": r.last_note,
            "last_outcome_at": r.last_outcome_at,
            "rm": r.rm,
            "issued_at": r.issued_at,
        }


# --- clients ------------------------------------------------------------------------------


def _clients(filters: Mapping[str, Any], *columns: Any) -> Select:
    stmt = select(*columns)
    if "session" in filters:  # the clients invited to that session
        stmt = stmt.where(
            exists().where(
                and_(
                    InvitationRow.client_id == ClientRow.client_id,
                    InvitationRow.session_id == filters["session"],
                )
            )
        )
    if "branch" in filters:
        stmt = stmt.where(ClientRow.branch == filters["branch"])
    if "assignee" in filters:
        stmt = stmt.where(ClientRow.rm == filters["assignee"])
    if "status" in filters:
        stmt = stmt.where(ClientRow.contact_status == filters["status"])
    return stmt


def client_rows(
    source: Source, filters: Mapping[str, Any], *, unmasked: bool = False
) -> Generator[dict[str, Any], None, None]:
    """Clients by client number, with their points balance and experience tier."""
    stmt = (
        _clients(
            filters,
            ClientRow.client_id,
            ClientRow.name,
            ClientRow.mobile,
            ClientRow.id_last4,
            ClientRow.branch,
            ClientRow.rm,
            ClientRow.aum_cents,
            ClientRow.segment,
            ClientRow.risk_grade,
            ClientRow.risk_expires,
            ClientRow.marketing_consent,
            ClientRow.consent_withdrawn,
            ClientRow.contact_status,
            ClientPointsRow.balance,
            ClientPointsRow.experience_tier,
            ClientPointsRow.experience_ends,
            ClientRow.registered_at,
        )
        .select_from(ClientRow)
        .outerjoin(ClientPointsRow, col(ClientPointsRow.client_id) == ClientRow.client_id)
        .order_by(ClientRow.client_id)
    )
    for r in _stream(source, stmt):
        yield {
            "client_id": r.client_id,
            "name": r.name,
            "mobile": r.mobile if unmasked else mask_mobile(r.mobile),
            "id_last4": r.id_last4,
            "branch": r.branch,
            "rm": r.rm,
            "aum": _money(r.aum_cents),
            "segment": r.segment,
            "risk_grade": r.risk_grade,
            "risk_expires": r.risk_expires,
            "marketing_consent": bool(r.marketing_consent) and not r.consent_withdrawn,
            "contact_status": r.contact_status,
            "points": r.balance or 0,
            "experience_tier": r.experience_tier,
            "experience_ends": r.experience_ends,
            "registered_at": r.registered_at,
        }


# --- follow-ups ---------------------------------------------------------------------------

_FOLLOWUP_KEYS = (
    "followup_id",
    "kind",
    "session_id",
    "branch",
    "client_id",
    "form_id",
    "next_session_id",
    "assignee",
    "due",
    "status",
    "outcome",
    "attempts",
    "note",
    "created_at",
    "done_at",
    "done_by",
    "client_name",
    "mobile",
    "assignee_name",
    "aum_cents",
    "rm",
)


def followup_rows(
    source: Source, filters: Mapping[str, Any], *, unmasked: bool = False, today: date | None = None
) -> Generator[dict[str, Any], None, None]:
    """The rows of `queries.followups.list_followups` (its columns, joins, filters and order:
    due date, then id; `overdue` as of `today`) plus the client's AUM, in one query.

    Built from that module's statement so the filters mean the same on the desk and in the
    file, but the rows are shaped here with native dates and times (the writers format them):
    turning 100,000 times into ISO text and back again cost a third of the CSV target.
    """
    from upgradecamp.queries import followups as fq

    columns = (*fq._columns(), ClientRow.aum_cents, ClientRow.rm)
    if [c.key for c in columns] != list(_FOLLOWUP_KEYS):  # unpacked by position below
        raise RuntimeError(f"queries.followups columns changed: {[c.key for c in columns]}")
    stmt = fq._filtered(
        fq._joined(select(*columns)), **{name: filters.get(name) for name in _APPLIES["followups"]}
    )
    stmt = stmt.order_by(col(FollowUpRow.due), FollowUpRow.followup_id)
    for r in _stream(source, stmt):
        (
            followup_id,
            kind,
            session_id,
            branch,
            client_id,
            form_id,
            next_session_id,
            assignee,
            due,
            status,
            outcome,
            attempts,
            note,
            created_at,
            done_at,
            done_by,
            client_name,
            mobile,
            assignee_name,
            aum_cents,
            client_rm,
        ) = r
        late = (today - due).days if today is not None else 0
        overdue = status == "open" and late > 0
        yield {
            "followup_id": followup_id,
            "kind": kind,
            "session_id": session_id,
            "branch": branch,
            "client_id": client_id,
            "client_name": client_name or "",
            "mobile": (mobile or "") if unmasked else mask_mobile(mobile),
            "aum": _money(aum_cents),
            "rm": client_rm,  # for the marketer rule (service/exports); no column of the file
            "form_id": form_id,
            "next_session_id": next_session_id,
            "assignee": assignee,
            "assignee_name": assignee_name or assignee,
            "due": due,
            "overdue": overdue,
            "days_overdue": late if overdue else 0,
            "status": status,
            "outcome": outcome,
            "attempts": int(attempts or 0),
            "note": note or "",
            "created_at": created_at,
            "done_at": done_at,
            "done_by": done_by,
        }


def _followups(filters: Mapping[str, Any]) -> Select:
    stmt = select(func.count()).select_from(FollowUpRow)
    for name, column in (
        ("session", FollowUpRow.session_id),
        ("branch", FollowUpRow.branch),
        ("assignee", FollowUpRow.assignee),
        ("status", FollowUpRow.status),
    ):
        if name in filters:
            stmt = stmt.where(column == filters[name])
    if "due_from" in filters:
        stmt = stmt.where(FollowUpRow.due >= filters["due_from"])
    if "due_to" in filters:
        stmt = stmt.where(FollowUpRow.due <= filters["due_to"])
    return stmt


# --- all ----------------------------------------------------------------------------------

_ROWS = {"invitations": invitation_rows, "clients": client_rows}
_COUNTS = {
    "followups": _followups,
    "invitations": lambda f: _invitations(f, func.count()),
    "clients": lambda f: _clients(f, func.count()).select_from(ClientRow),
}


def export_rows(
    source: Source,
    what: str,
    filters: Mapping[str, Any],
    *,
    unmasked: bool = False,
    today: date | None = None,
) -> Generator[dict[str, Any], None, None]:
    """The rows of one export (filters as `check_filters` returns them), streamed; `today`
    (the business date) marks overdue follow-ups."""
    if what == "followups":
        return followup_rows(source, filters, unmasked=unmasked, today=today)
    return _ROWS[what](source, filters, unmasked=unmasked)


def count_rows(source: Source, what: str, filters: Mapping[str, Any]) -> int:
    """How many rows `export_rows` will give: the total of a progress bar."""
    with reading(source) as conn:
        return int(conn.execute(_COUNTS[what](filters)).scalar_one())


def _stream(source: Source, stmt: Select) -> Iterator[Any]:
    """Rows of `stmt` fetched BATCH at a time inside one transaction (a consistent snapshot on
    PostgreSQL; the cursor, and a connection of our own, go back when the iterator ends or is
    closed)."""
    with reading(source) as conn, conn.execute(stmt.execution_options(yield_per=BATCH)) as rows:
        yield from rows
