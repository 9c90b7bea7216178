"""Client books for the Books and My clients screens and `clients book`: counts per RM, a
marketer's own book with what they need before a call, and who may see a client in full."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, func
from sqlmodel import col, select

from upgradecamp.domain.books import client_view, matches
from upgradecamp.domain.rules import business_date
from upgradecamp.domain.staff import Actor
from upgradecamp.io.masking import mask_mobile
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientPointsRow, ClientRow, StaffRow
from upgradecamp.store.tables.followups import FollowUpRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

UNASSIGNED = ""
_NOT_COMING = ("declined", "opted_out", "wrong_number")


@dataclass(frozen=True)
class BookCount:
    """Clients per relationship manager in a branch (rm "" = unassigned or a code that is no
    member of staff), by segment."""

    rm: str
    rm_name: str
    clients: int
    potential: int
    aum: str

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class BookLine:
    client_id: str
    name: str
    mobile: str
    tier: str
    aum: str
    risk_grade: str | None
    risk_expires: str | None
    risk_expired: bool
    last_contact: str | None
    next_followup: str | None
    upcoming_sessions: tuple[str, ...]
    restricted: bool = False

    def to_json(self) -> dict:
        return {**asdict(self), "upcoming_sessions": list(self.upcoming_sessions)}


def book_counts(
    engine: Engine, branch: str | None = None, segment: str | None = None
) -> list[BookCount]:
    """Counts per RM, the unassigned first, then by RM code."""
    with read_transaction(engine) as conn:
        staff = dict(conn.execute(select(col(StaffRow.code), col(StaffRow.name))).all())
        query = select(
            col(ClientRow.rm),
            col(ClientRow.segment),
            func.count(),
            func.sum(col(ClientRow.aum_cents)),
        ).group_by(col(ClientRow.rm), col(ClientRow.segment))
        if branch:
            query = query.where(col(ClientRow.branch) == branch)
        if segment:
            query = query.where(col(ClientRow.segment) == segment)
        totals: dict[str, list[int]] = {}
        for rm, seg, count, cents in conn.execute(query):
            key = rm if rm in staff else UNASSIGNED
            entry = totals.setdefault(key, [0, 0, 0])
            entry[0] += count
            entry[1] += count if seg == "potential" else 0
            entry[2] += int(cents or 0)
    return [
        BookCount(rm, staff.get(rm, ""), n, pot, f"{Decimal(cents) / 100:.2f}")
        for rm, (n, pot, cents) in sorted(totals.items())
    ]


def _by_client(conn: Connection, query: Any, ids: list[str]) -> dict[str, Any]:
    return (
        dict(
            conn.execute(
                query.where(query.selected_columns[0].in_(ids)).group_by(query.selected_columns[0])
            ).all()
        )
        if ids
        else {}
    )


def my_clients(
    engine: Engine,
    rm: str,
    now: datetime,
    text: str = "",
    limit: int = 500,
    viewer: Actor | None = None,
) -> list[BookLine]:
    """A relationship manager's book (客户名单), searchable like the door: tier (the
    experience tier while it lasts), AUM, risk grade and expiry, last contact (a follow-up
    outcome or a check-in), next open follow-up, upcoming sessions they are invited to. As
    `viewer` may see it: a marketer reading another's book sees it restricted."""
    from upgradecamp.store.rules import published_ladder

    today = business_date(now)
    with read_transaction(engine) as conn:
        rows = [
            r
            for r in conn.execute(
                select(ClientRow).where(col(ClientRow.rm) == rm).order_by(col(ClientRow.client_id))
            )
            if matches(text, r.client_id, r.name, r.mobile_last4)
        ][:limit]
        ids = [r.client_id for r in rows]
        ladder = published_ladder(conn)
        experience = (
            dict(
                conn.execute(
                    select(
                        col(ClientPointsRow.client_id), col(ClientPointsRow.experience_tier)
                    ).where(
                        col(ClientPointsRow.client_id).in_(ids),
                        col(ClientPointsRow.experience_tier).is_not(None),
                    )
                ).all()
            )
            if ids
            else {}
        )
        followed = _by_client(
            conn,
            select(col(FollowUpRow.client_id), func.max(col(FollowUpRow.done_at))).where(
                col(FollowUpRow.done_by) != "system"
            ),
            ids,
        )
        visited = _by_client(
            conn,
            select(col(CheckInRow.client_id), func.max(col(CheckInRow.at))).where(
                col(CheckInRow.annulled).is_(False)
            ),
            ids,
        )
        due = _by_client(
            conn,
            select(col(FollowUpRow.client_id), func.min(col(FollowUpRow.due))).where(
                col(FollowUpRow.status) == "open"
            ),
            ids,
        )
        upcoming: dict[str, list[str]] = {}
        if ids:
            for client_id, session_id in conn.execute(
                select(col(InvitationRow.client_id), col(InvitationRow.session_id))
                .join(SessionRow, col(SessionRow.session_id) == col(InvitationRow.session_id))
                .where(
                    col(InvitationRow.client_id).in_(ids),
                    col(SessionRow.starts_at) > now,
                    col(SessionRow.status).in_(("planned", "open")),
                    col(InvitationRow.state).not_in(_NOT_COMING),
                )
                .order_by(col(SessionRow.starts_at))
            ):
                upcoming.setdefault(client_id, []).append(session_id)
        seen = viewing(conn, viewer)
    out = []
    for r in rows:
        aum = Decimal(r.aum_cents) / 100
        tier = experience.get(r.client_id) or (ladder.tier_for(aum).code if ladder else "")
        contacts = [
            x for x in (followed.get(r.client_id), visited.get(r.client_id)) if x is not None
        ]
        last = business_date(max(contacts)).isoformat() if contacts else None
        next_due = due.get(r.client_id)
        out.append(
            BookLine(
                r.client_id,
                r.name,
                mask_mobile(r.mobile),
                tier,
                f"{aum:.2f}",
                r.risk_grade,
                r.risk_expires.isoformat() if r.risk_expires else None,
                bool(r.risk_expires and r.risk_expires < today),
                last,
                next_due.isoformat() if isinstance(next_due, date) else None,
                tuple(upcoming.get(r.client_id, ())),
            )
        )
    return [seen.line(line, rm, frozenset()) for line in out]


def worked_clients(conn: Connection, staff: str) -> set[str]:
    """The clients who attended a session the staff member hosts or presents."""
    worked = select(col(SessionRow.session_id)).where(
        (col(SessionRow.host) == staff) | (col(SessionRow.presenter) == staff)
    )
    return {
        c
        for (c,) in conn.execute(
            select(col(CheckInRow.client_id))
            .where(col(CheckInRow.annulled).is_(False), col(CheckInRow.session_id).in_(worked))
            .distinct()
        )
    }


def works_with(engine: Engine, staff: str, client_id: str) -> bool:
    """Whether the client attended a session the staff member hosts or presents."""
    with read_transaction(engine) as conn:
        worked = select(col(SessionRow.session_id)).where(
            (col(SessionRow.host) == staff) | (col(SessionRow.presenter) == staff)
        )
        attended = conn.execute(
            select(col(CheckInRow.checkin_id))
            .where(
                col(CheckInRow.client_id) == client_id,
                col(CheckInRow.annulled).is_(False),
                col(CheckInRow.session_id).in_(worked),
            )
            .limit(1)
        ).first()
    return attended is not None


Line = TypeVar("Line")


def _blank(value: Any) -> Any:
    """An emptied field keeps its type: "" for text, 0 for a count, False for a flag."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str | int):
        return type(value)()
    if isinstance(value, tuple):
        return ()
    return None


@dataclass(frozen=True)
class Viewing:
    """Who reads, and the clients they work with (attendees of sessions they host or present):
    what `domain.books.client_view` needs, read once per query. `viewer` None: a reader the
    marketer rule does not concern (paper lists, the demo)."""

    viewer: Actor | None
    worked: frozenset[str] = frozenset()

    def record(
        self, record: Mapping[str, Any], kept: frozenset[str] = frozenset()
    ) -> tuple[dict[str, Any], bool]:
        """A client's record (with its `client_id` and `rm`) as the viewer may see it."""
        if self.viewer is None:
            return dict(record), False
        works_with = record.get("client_id") in self.worked
        return client_view(self.viewer, record, works_with, kept)

    def line(self, line: Line, rm: str | None, kept: frozenset[str]) -> Line:
        """A frozen line with a `restricted` field, as the viewer may see it: restricted, the
        client's details are emptied (keeping their types) and `restricted` is set."""
        record = asdict(line) | {"rm": rm}  # type: ignore[call-overload]
        shown, restricted = self.record(record, kept | {"restricted"})
        if not restricted:
            return line
        changed = {
            f.name: shown[f.name] if shown[f.name] is not None else _blank(record[f.name])
            for f in fields(line)  # type: ignore[arg-type]
        }
        return replace(line, **changed | {"restricted": True})  # type: ignore[type-var]


def viewing(conn: Connection, viewer: Actor | None) -> Viewing:
    """The viewing of `viewer`: a marketer's worked clients are read; anyone else needs none."""
    if viewer is None or viewer.role != "marketer":
        return Viewing(viewer)
    return Viewing(viewer, frozenset(worked_clients(conn, viewer.code)))
