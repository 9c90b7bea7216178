"""Policies: event → follow-up command, run by the bus after the event's transaction commits.

A policy's errors surface to the caller rather than being logged and swallowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from upgradecamp.domain.errors import RuleRefused

if TYPE_CHECKING:
    from upgradecamp.service.bus import Policy, Services
    from upgradecamp.store.eventlog import StoredEvent

REFERRAL_CHECKIN = "referral_checkin"


def _credited(services: Services, client_id: str, credit_key: str) -> bool:
    from sqlalchemy import select

    from upgradecamp.store.db import read_transaction
    from upgradecamp.store.tables import LedgerEntryRow

    with read_transaction(services.engine) as conn:
        return conn.execute(select(LedgerEntryRow.entry_id).where(
            LedgerEntryRow.client_id == client_id,
            LedgerEntryRow.credit_key == credit_key).limit(1)).first() is not None


def credit_referral_on_check_in(services: Services, ev: StoredEvent) -> None:
    """Client checked in with a referrer (MGM) → the referrer's check-in reward (SPEC §3.2).

    Once per referrer and referred client: the credit's reference is the referred client, so
    a second session, or a check-in annulled and made again, pays nothing more. An annulled
    check-in does not take the reward back; reverse it by hand if the referral was wrong.
    """
    referrer = ev.payload.get("referred_by")
    if not referrer:
        return
    from upgradecamp.domain.commands import CreditBonus
    from upgradecamp.domain.rules import business_date
    from upgradecamp.domain.staff import SYSTEM

    client_id = ev.payload["client_id"]
    key = f"{REFERRAL_CHECKIN}:{client_id}"
    if _credited(services, referrer, key):
        return
    command = CreditBonus(client_id=referrer, kind=REFERRAL_CHECKIN, reference=client_id,
                          on=business_date(ev.recorded_at).isoformat(),
                          referred_client=client_id)
    try:
        services.execute(command, SYSTEM, idempotency_key=f"{key}>{referrer}",
                         causation_id=str(ev.position),
                         correlation_id=ev.meta.get("correlation_id"))
    except RuleRefused:
        # Another terminal credited the same reward a moment ago: the outcome we wanted.
        if not _credited(services, referrer, key):
            raise


POLICIES: dict[str, list[Policy]] = {"ClientCheckedIn": [credit_referral_on_check_in]}
