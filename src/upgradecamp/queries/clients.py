"""Read-side queries about clients for the CLI and screens; personal data comes out masked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from upgradecamp.io.masking import mask_mobile
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import BranchRow, ClientRow, StaffRow


def client_card(engine: Engine, client_id: str) -> dict[str, Any] | None:
    """One client as staff may see them (`clients show`): mobile masked, ID last 4 only."""
    with read_transaction(engine) as conn:
        row = conn.execute(select(ClientRow).where(ClientRow.client_id == client_id)).first()
        if row is None:
            return None
        branch = conn.execute(select(BranchRow.name).where(BranchRow.code == row.branch)).scalar()
        rm_name = None
        if row.rm:
            rm_name = conn.execute(select(StaffRow.name).where(StaffRow.code == row.rm)).scalar()
    return {
        "client_id": row.client_id,
        "name": row.name,
        "mobile": mask_mobile(row.mobile),
        "id_last4": row.id_last4,
        "branch": row.branch,
        "branch_name": branch,
        "rm": row.rm,
        "rm_name": rm_name,
        "aum": f"{Decimal(row.aum_cents) / 100:.2f}",
        "segment": row.segment,
        "risk_grade": row.risk_grade,
        "risk_expires": row.risk_expires.isoformat() if row.risk_expires else None,
        "marketing_consent": bool(row.marketing_consent),
        "consent_withdrawn": bool(row.consent_withdrawn),
        "contact_status": row.contact_status,
        "registered_at": row.registered_at.isoformat() if row.registered_at else None,
    }
