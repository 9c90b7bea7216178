"""Policies: event → follow-up command, run by the bus after the event's transaction commits.

A policy's errors are never logged and swallowed: a business refusal of its command (no rule
set in force for a reward, say) comes back in the triggering command's result under
`follow_on_refused`, anything else is raised. The event that triggered it is committed either
way (a session is closed even if creating its follow-ups failed, and `upgradecamp followups
create SESSION` makes them later). So every policy here is idempotent and skips what is
already done; which is also what lets any process that opens the database catch up on the
policies a crashed process never ran (service/policy_tracking.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from upgradecamp.domain.errors import RuleRefused
from upgradecamp.domain.events import (
    ClientCheckedIn,
    FormApproved,
    FormCancelled,
    SessionCancelled,
    SessionClosed,
)

if TYPE_CHECKING:
    from upgradecamp.domain.events import DomainEvent
    from upgradecamp.service.bus import Policy, Services
    from upgradecamp.store.eventlog import StoredEvent

REFERRAL_CHECKIN = "referral_checkin"


def _credited(services: Services, client_id: str, credit_key: str) -> bool:
    from sqlmodel import select

    from upgradecamp.store.db import read_transaction
    from upgradecamp.store.tables import LedgerEntryRow

    with read_transaction(services.engine) as conn:
        return (
            conn.execute(
                select(LedgerEntryRow.entry_id)
                .where(
                    LedgerEntryRow.client_id == client_id, LedgerEntryRow.credit_key == credit_key
                )
                .limit(1)
            ).first()
            is not None
        )


def credit_referral_on_check_in(
    services: Services, event: ClientCheckedIn, ev: StoredEvent
) -> None:
    """Client checked in with a referrer (MGM) → the referrer's check-in reward (SPEC §3.2).

    Once per referrer and referred client: the credit's reference is the referred client, so
    a second session, or a check-in annulled and made again, pays nothing more. An annulled
    check-in does not take the reward back; reverse it by hand if the referral was wrong.
    """
    referrer = event.referred_by
    if not referrer:
        return
    from upgradecamp.domain.clock import business_date
    from upgradecamp.domain.commands import CreditBonus
    from upgradecamp.domain.staff import SYSTEM

    client_id = event.client_id
    key = f"{REFERRAL_CHECKIN}:{client_id}"
    if _credited(services, referrer, key):
        return
    command = CreditBonus(
        client_id=referrer,
        kind=REFERRAL_CHECKIN,
        reference=client_id,
        on=business_date(ev.recorded_at).isoformat(),
        referred_client=client_id,
    )
    try:
        services.execute(
            command,
            SYSTEM,
            idempotency_key=f"{key}>{referrer}",
            causation_id=str(ev.position),
            correlation_id=ev.meta.get("correlation_id"),
        )
    except RuleRefused:
        # Another terminal credited the same reward a moment ago: the outcome we wanted.
        if not _credited(services, referrer, key):
            raise


def create_followups_on_close(services: Services, event: SessionClosed, ev: StoredEvent) -> None:
    """Session closed → the follow-ups it owes (SPEC §4.5), as the system.

    Creating skips every follow-up already recorded, and the idempotency key makes a repeat of
    this policy for the same close return the first result.
    """
    from upgradecamp.domain.commands import CreateFollowUps
    from upgradecamp.domain.staff import SYSTEM

    session_id = event.session_id
    services.execute(
        CreateFollowUps(session_id=session_id),
        SYSTEM,
        idempotency_key=f"followups:{session_id}",
        causation_id=str(ev.position),
        correlation_id=ev.meta.get("correlation_id"),
    )


def _open_convertible(services: Services, client_id: str, form_id: str) -> bool:
    from sqlmodel import col, select

    from upgradecamp.domain.followups import CONVERTIBLE
    from upgradecamp.store.db import read_transaction
    from upgradecamp.store.tables.followups import FollowUpRow

    with read_transaction(services.engine) as conn:
        return (
            conn.execute(
                select(FollowUpRow.followup_id)
                .where(
                    FollowUpRow.client_id == client_id,
                    FollowUpRow.status == "open",
                    col(FollowUpRow.kind).in_(CONVERTIBLE),
                    (col(FollowUpRow.form_id).is_(None)) | (FollowUpRow.form_id != form_id),
                )
                .limit(1)
            ).first()
            is not None
        )


def _session_closed(services: Services, session_id: str) -> bool:
    from sqlmodel import select

    from upgradecamp.store.db import read_transaction
    from upgradecamp.store.tables.sessions import SessionRow

    with read_transaction(services.engine) as conn:
        return (
            conn.execute(
                select(SessionRow.status).where(SessionRow.session_id == session_id)
            ).scalar()
            == "closed"
        )


def convert_followups_on_approval(services: Services, event: FormApproved, ev: StoredEvent) -> None:
    """Form approved → the client's open follow-ups a sale answers are closed as converted
    (automatic); then, if the form's session is already closed (approved the next morning),
    the fulfilment and appointment reminder the form now owes are created.

    Both run as the system with an idempotency key per form, and both skip what is already
    done, so a repeat changes nothing.
    """
    from upgradecamp.domain.commands import CreateFollowUps
    from upgradecamp.domain.followups import ConvertFollowUps
    from upgradecamp.domain.staff import SYSTEM

    form_id, client_id, session_id = event.form_id, event.client_id, event.session_id
    trace = {"causation_id": str(ev.position), "correlation_id": ev.meta.get("correlation_id")}
    if _open_convertible(services, client_id, form_id):
        services.execute(
            ConvertFollowUps(client_id=client_id, form_id=form_id),
            SYSTEM,
            idempotency_key=f"followups-converted:{form_id}",
            **trace,
        )
    if _session_closed(services, session_id):
        services.execute(
            CreateFollowUps(session_id=session_id),
            SYSTEM,
            idempotency_key=f"followups:{session_id}:{form_id}",
            **trace,
        )


def reopen_followups_on_form_cancel(
    services: Services, event: FormCancelled, ev: StoredEvent
) -> None:
    """Approved form cancelled → the follow-ups its approval converted are open again, as the
    system; a repeat reopens nothing more (only follow-ups still converted by it)."""
    if not event.was_approved:
        return
    from upgradecamp.domain.followups import ReopenFollowUps
    from upgradecamp.domain.staff import SYSTEM

    services.execute(
        ReopenFollowUps(form_id=event.form_id),
        SYSTEM,
        idempotency_key=f"followups-reopened:{event.form_id}",
        causation_id=str(ev.position),
        correlation_id=ev.meta.get("correlation_id"),
    )


def call_invitees_on_cancel(services: Services, event: SessionCancelled, ev: StoredEvent) -> None:
    """Session cancelled → a call for each confirmed invitee, offering the branch's next
    session (service/cancellation.py)."""
    from upgradecamp.service.cancellation import call_invitees_on_cancel as policy

    policy(services, event, ev)


POLICIES: dict[type[DomainEvent], list[Policy]] = {
    ClientCheckedIn: [credit_referral_on_check_in],
    SessionClosed: [create_followups_on_close],
    FormApproved: [convert_followups_on_approval],
    SessionCancelled: [call_invitees_on_cancel],
    FormCancelled: [reopen_followups_on_form_cancel],
}
