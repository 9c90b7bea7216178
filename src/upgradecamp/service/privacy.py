"""Handlers of `clients forget` and `privacy purge`: gather the facts, let domain/privacy.py
decide, record ClientForgotten per client. The store destroys each client's data key in the
same transaction (store/sealing.py); the projections blank their rows; `scrub` then pushes
the old page versions out of SQLite's WAL once the command has committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from upgradecamp.domain import privacy as rules
from upgradecamp.domain.clock import business_date, local_iso
from upgradecamp.domain.commands import VerifyPin
from upgradecamp.domain.commands.clients import ForgetClient, PurgeProspects
from upgradecamp.domain.events import (
    ClientForgotten,
    ClientRegistered,
    ProspectRegistered,
    streams,
)
from upgradecamp.service.books import expect_client_streams
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.db import scrub_wal
from upgradecamp.store.log_tables import event_log
from upgradecamp.store.tables.privacy import PersonalDataRow

if TYPE_CHECKING:
    from upgradecamp.service.bus import Services


def _facts(uow: UnitOfWork, client_id: str) -> rules.ForgetFacts:
    exists, forgotten = False, None
    for stored in uow.read_stream(streams.client(client_id)):
        event = stored.event
        if isinstance(event, ClientRegistered | ProspectRegistered):
            exists = True
        elif isinstance(event, ClientForgotten):
            forgotten = (stored.recorded_at, event.forgotten_by)
    return rules.ForgetFacts(
        client_id,
        exists,
        forgotten[0] if forgotten else None,
        forgotten[1] if forgotten else None,
    )


def forgotten_on(uow: UnitOfWork, client_ids: Iterable[str]) -> dict[str, date]:
    """Which of these clients were forgotten, and on which business day (a few queries)."""
    by_stream = {streams.client(c): c for c in set(client_ids)}
    found: dict[str, date] = {}
    sid, kind, at = event_log.c.stream_id, event_log.c.event_type, event_log.c.recorded_at
    wanted = sorted(by_stream)
    for start in range(0, len(wanted), 500):
        query = select(sid, at).where(
            kind == ClientForgotten.TYPE, sid.in_(wanted[start : start + 500])
        )
        for stream_id, recorded_at in uow.conn.execute(query):
            found[by_stream[stream_id]] = business_date(recorded_at)
    return found


def forget_client(uow: UnitOfWork, cmd: ForgetClient) -> dict[str, Any]:
    rules.check_may_forget(uow.actor.role, uow.actor.code)
    reason = rules.check_reason(cmd.reason)
    client_id = cmd.client_id.strip()
    rules.decide_forget(_facts(uow, client_id))
    if cmd.pin is not None:
        from upgradecamp.service.handlers import verify_pin

        verify_pin(uow, VerifyPin(code=uow.actor.code, pin=cmd.pin))
        if uow.error_after_commit is not None:  # wrong PIN: only the failure is recorded
            return {"client_id": client_id, "forgotten": False}
    uow.record(ClientForgotten(client_id=client_id, reason=reason, forgotten_by=uow.actor.code))
    return {
        "client_id": client_id,
        "reason": reason,
        "forgotten_by": uow.actor.code,
        "at": local_iso(uow.clock()),
    }


def purge_prospects(uow: UnitOfWork, cmd: PurgeProspects) -> dict[str, Any]:
    rules.check_may_forget(uow.actor.role, uow.actor.code)
    rows = uow.conn.execute(
        select(
            col(PersonalDataRow.client_id), col(PersonalDataRow.since), col(PersonalDataRow.matched)
        ).where(col(PersonalDataRow.kind) == "prospect")
    ).all()
    prospects = [rules.Prospect(c, since, bool(matched), False) for c, since, matched in rows]
    chosen = rules.prospects_to_purge(prospects, uow.clock(), cmd.older_than_days)
    if not cmd.dry_run and chosen:
        expect_client_streams(uow, chosen)
        reason = f"walk-in prospect not matched to a bank client within {cmd.older_than_days} days"
        uow.record(
            *(
                ClientForgotten(client_id=c, reason=reason, forgotten_by=uow.actor.code, purge=True)
                for c in chosen
            )
        )
    return {
        "older_than_days": cmd.older_than_days,
        "dry_run": cmd.dry_run,
        "forgotten": len(chosen),
        "clients": chosen,
    }


def scrub(services: Services) -> bool:
    """After a forgetting has committed: the WAL copied into the file and emptied (SQLite),
    so no old page version keeps the forgotten data. False if a reader held it back."""
    return scrub_wal(services.engine)


HANDLERS: Handlers = {ForgetClient: forget_client, PurgeProspects: purge_prospects}
