"""Read-side queries for screens and the CLI. They read projections, never write."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from sqlalchemy import Engine, func
from sqlmodel import col, select

from upgradecamp.io.masking import mask_payload
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import EventLog, StoredEvent
from upgradecamp.store.tables import BranchRow, ClientRow, StaffRow

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor


class StaffEntry(TypedDict):
    """A member of staff on the sign-in list."""

    code: str
    name: str
    role: str
    branch: str
    locked: bool


class EventSummary(TypedDict):
    """An event as staff see it in `log tail` and the admin's screens."""

    position: int
    recorded_at: str
    stream_id: str
    stream_version: int
    type: str
    schema_version: int
    actor: str | None
    terminal: str | None
    payload: dict[str, Any]


class RuleSetEntry(TypedDict):
    version: str
    effective_from: str
    effective_to: str
    published_at: str
    published_by: str


def staff_directory(engine: Engine, now: datetime) -> list[StaffEntry]:
    """Who can sign in (deactivated members are left out), for the sign-in list."""
    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                StaffRow.code, StaffRow.name, StaffRow.role, StaffRow.branch, StaffRow.locked_until
            )
            .where(col(StaffRow.active).is_(True))
            .order_by(StaffRow.branch, StaffRow.role, StaffRow.code)
        ).all()
    return [
        StaffEntry(
            code=r.code,
            name=r.name,
            role=r.role,
            branch=r.branch,
            locked=bool(r.locked_until and r.locked_until > now),
        )
        for r in rows
    ]


def branches(engine: Engine) -> list[dict[str, str]]:
    with read_transaction(engine) as conn:
        rows = conn.execute(select(BranchRow).order_by(BranchRow.code)).mappings().all()
    return [dict(r) for r in rows]


def head_position(engine: Engine) -> int:
    with read_transaction(engine) as conn:
        return EventLog.head(conn)[0]


def event_summary(ev: StoredEvent) -> EventSummary:
    """An event as shown to staff: personal data masked, secrets hidden."""
    return EventSummary(
        position=ev.position,
        recorded_at=ev.recorded_at.isoformat(),
        stream_id=ev.stream_id,
        stream_version=ev.stream_version,
        type=ev.type,
        schema_version=ev.schema_version,
        actor=ev.meta.get("actor"),
        terminal=ev.meta.get("terminal"),
        payload=mask_payload(ev.payload),
    )


def recent_events(engine: Engine, log: EventLog, n: int = 20) -> list[EventSummary]:
    with read_transaction(engine) as conn:
        return [event_summary(ev) for ev in log.tail(conn, n)]


def cluster_counts(engine: Engine) -> dict[str, int]:
    with read_transaction(engine) as conn:
        return {
            "branches": conn.execute(select(func.count()).select_from(BranchRow)).scalar_one(),
            "staff": conn.execute(select(func.count()).select_from(StaffRow)).scalar_one(),
            "clients": conn.execute(select(func.count()).select_from(ClientRow)).scalar_one(),
        }


def points_explanation(
    engine: Engine, client_id: str, viewer: Actor | None = None
) -> dict[str, Any] | None:
    """A client's ledger with every line explained, balance, standard and experience tiers.
    As `viewer` may see it (`domain.books.client_view`): restricted, only the client's number,
    name and masked mobile, with `restricted` true and the ledger and redemptions empty."""
    from decimal import Decimal

    from upgradecamp.io.masking import mask_mobile
    from upgradecamp.queries.books import viewing
    from upgradecamp.queries.rewards import redemptions
    from upgradecamp.store.rules import tier_ladder
    from upgradecamp.store.tables import ClientPointsRow, LedgerEntryRow

    with read_transaction(engine) as conn:
        client = conn.execute(select(ClientRow).where(ClientRow.client_id == client_id)).first()
        if client is None:
            return None
        account = conn.execute(
            select(ClientPointsRow).where(ClientPointsRow.client_id == client_id)
        ).first()
        entries = conn.execute(
            select(LedgerEntryRow)
            .where(LedgerEntryRow.client_id == client_id)
            .order_by(col(LedgerEntryRow.position), col(LedgerEntryRow.line))
        ).all()
        ladder = tier_ladder(conn)
        seen = viewing(conn, viewer)
    aum = Decimal(client.aum_cents) / 100
    standard = ladder.tier_for(aum)
    full = {
        "client_id": client.client_id,
        "name": client.name,
        "mobile": mask_mobile(client.mobile),
        "aum": f"{aum:.2f}",
        "standard_tier": {"code": standard.code, "name_zh": standard.name_zh},
        "experience": None
        if not account or not account.experience_tier
        else {
            "tier": account.experience_tier,
            "starts": account.experience_starts.isoformat(),
            "ends": account.experience_ends.isoformat(),
        },
        "balance": account.balance if account else 0,
        "ledger": [
            {
                "business_date": e.business_date.isoformat(),
                "kind": e.kind,
                "reference": e.reference,
                "rule_set": e.rule_set,
                "line": e.line,
                "item": e.item,
                "source": e.source,
                "value": e.value,
                "coefficient": e.coefficient,
                "multiplier": e.multiplier,
                "converted_delta": e.converted_delta,
                "formula": e.formula,
                "points": e.points,
            }
            for e in entries
        ],
        "redemptions": [r.to_json() for r in redemptions(engine, client_id)],
        "rm": client.rm,
    }
    shown, restricted = seen.record(full)
    del shown["rm"]
    if restricted:
        shown |= {"ledger": [], "redemptions": []}
    return shown | {"restricted": restricted}


def rule_set_history(engine: Engine) -> list[RuleSetEntry]:
    from upgradecamp.store.tables import RuleSetRow

    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
                RuleSetRow.version,
                RuleSetRow.effective_from,
                RuleSetRow.effective_to,
                RuleSetRow.published_at,
                RuleSetRow.published_by,
            ).order_by(RuleSetRow.effective_from)
        ).all()
    return [
        RuleSetEntry(
            version=r.version,
            effective_from=r.effective_from.isoformat(),
            effective_to=r.effective_to.isoformat(),
            published_at=r.published_at.isoformat(),
            published_by=r.published_by,
        )
        for r in rows
    ]


def rules_in_force(engine: Engine, on: datetime):
    """Every published rule set (oldest first), the tier ladder, and the version in force `on`.

    Returns (rule_sets, ladder, current) where `current` is None when no version covers today.
    """
    from upgradecamp.domain.errors import BadInput
    from upgradecamp.domain.rules import rule_set_for
    from upgradecamp.store.rules import published_rule_sets, tier_ladder

    with read_transaction(engine) as conn:
        rule_sets = published_rule_sets(conn)
        ladder = tier_ladder(conn)
    try:
        current = rule_set_for(rule_sets, on)
    except BadInput:
        current = None
    return rule_sets, ladder, current


def rules_ending_on(engine: Engine, now: datetime):
    """The warning due on `now`'s business day that the rule set in force ends with no
    successor published (see `domain.rule_quarters.rules_ending`), or None."""
    from upgradecamp.domain.clock import business_date
    from upgradecamp.domain.rule_quarters import rules_ending
    from upgradecamp.store.rules import published_rule_sets

    with read_transaction(engine) as conn:
        rule_sets = published_rule_sets(conn)
    return rules_ending(rule_sets, business_date(now))
