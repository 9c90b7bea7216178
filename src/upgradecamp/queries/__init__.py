"""Read-side queries for screens and the CLI. They read projections, never write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from upgradecamp.io.masking import mask_payload
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import EventLog, StoredEvent
from upgradecamp.store.tables import BranchRow, ClientRow, StaffRow


def staff_directory(engine: Engine, now: datetime | None = None) -> list[dict[str, Any]]:
    now = now or datetime.now(UTC)
    with read_transaction(engine) as conn:
        rows = conn.execute(select(StaffRow.code, StaffRow.name, StaffRow.role, StaffRow.branch,
                                   StaffRow.locked_until)
                            .order_by(StaffRow.branch, StaffRow.role, StaffRow.code)).all()
    return [{"code": r.code, "name": r.name, "role": r.role, "branch": r.branch,
             "locked": bool(r.locked_until and _aware(r.locked_until) > now)} for r in rows]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def branches(engine: Engine) -> list[dict[str, str]]:
    with read_transaction(engine) as conn:
        rows = conn.execute(select(BranchRow).order_by(BranchRow.code)).mappings().all()
    return [dict(r) for r in rows]


def head_position(engine: Engine) -> int:
    with read_transaction(engine) as conn:
        return EventLog.head(conn)[0]


def event_summary(ev: StoredEvent) -> dict[str, Any]:
    """An event as shown to staff: personal data masked, secrets hidden."""
    return {
        "position": ev.position,
        "recorded_at": ev.recorded_at.isoformat(),
        "stream_id": ev.stream_id,
        "stream_version": ev.stream_version,
        "type": ev.type,
        "schema_version": ev.schema_version,
        "actor": ev.meta.get("actor"),
        "terminal": ev.meta.get("terminal"),
        "payload": mask_payload(ev.payload),
    }


def recent_events(engine: Engine, log: EventLog, n: int = 20) -> list[dict[str, Any]]:
    with read_transaction(engine) as conn:
        return [event_summary(ev) for ev in log.tail(conn, n)]


def cluster_counts(engine: Engine) -> dict[str, int]:
    with read_transaction(engine) as conn:
        return {
            "branches": conn.execute(select(func.count()).select_from(BranchRow)).scalar_one(),
            "staff": conn.execute(select(func.count()).select_from(StaffRow)).scalar_one(),
            "clients": conn.execute(select(func.count()).select_from(ClientRow)).scalar_one(),
        }


def points_explanation(engine: Engine, client_id: str) -> dict[str, Any] | None:
    """A client's ledger with every line explained, balance, standard and experience tiers."""
    from decimal import Decimal

    from upgradecamp.io.masking import mask_mobile
    from upgradecamp.service.points import tier_ladder
    from upgradecamp.store.tables import ClientPointsRow, LedgerEntryRow

    with read_transaction(engine) as conn:
        client = conn.execute(select(ClientRow).where(ClientRow.client_id == client_id)).first()
        if client is None:
            return None
        account = conn.execute(select(ClientPointsRow)
                               .where(ClientPointsRow.client_id == client_id)).first()
        entries = conn.execute(select(LedgerEntryRow).where(LedgerEntryRow.client_id == client_id)
                               .order_by(LedgerEntryRow.position, LedgerEntryRow.line)).all()
        ladder = tier_ladder(conn)
    aum = Decimal(client.aum_cents) / 100
    standard = ladder.tier_for(aum)
    return {
        "client_id": client.client_id,
        "name": client.name,
        "mobile": mask_mobile(client.mobile),
        "aum": f"{aum:.2f}",
        "standard_tier": {"code": standard.code, "name_zh": standard.name_zh},
        "experience": None if not account or not account.experience_tier else {
            "tier": account.experience_tier,
            "starts": account.experience_starts.isoformat(),
            "ends": account.experience_ends.isoformat(),
        },
        "balance": account.balance if account else 0,
        "ledger": [{
            "business_date": e.business_date.isoformat(), "kind": e.kind,
            "reference": e.reference, "rule_set": e.rule_set, "line": e.line, "item": e.item,
            "source": e.source, "value": e.value, "coefficient": e.coefficient,
            "multiplier": e.multiplier, "converted_delta": e.converted_delta,
            "formula": e.formula, "points": e.points,
        } for e in entries],
    }


def rule_set_history(engine: Engine) -> list[dict[str, Any]]:
    from upgradecamp.store.tables import RuleSetRow

    with read_transaction(engine) as conn:
        rows = conn.execute(select(RuleSetRow.version, RuleSetRow.effective_from,
                                   RuleSetRow.effective_to, RuleSetRow.published_at,
                                   RuleSetRow.published_by)
                            .order_by(RuleSetRow.effective_from)).all()
    return [{"version": r.version, "effective_from": r.effective_from.isoformat(),
             "effective_to": r.effective_to.isoformat(),
             "published_at": r.published_at.isoformat(), "published_by": r.published_by}
            for r in rows]


def rules_in_force(engine: Engine, on: datetime | None = None):
    """Every published rule set (oldest first), the tier ladder, and the version in force now.

    Returns (rule_sets, ladder, current) where `current` is None when no version covers today.
    """
    from upgradecamp.domain.errors import BadInput
    from upgradecamp.domain.rules import rule_set_for
    from upgradecamp.service.points import published_rule_sets, tier_ladder

    with read_transaction(engine) as conn:
        rule_sets = published_rule_sets(conn)
        ladder = tier_ladder(conn)
    try:
        current = rule_set_for(rule_sets, on or datetime.now(UTC))
    except BadInput:
        current = None
    return rule_sets, ladder, current
