"""The message bus: one handler per command, run in a unit of work; policies react after commit.

`Services` is wired once by `bootstrap` (engine, log, clock, id source) and shared by the CLI,
the TUI, the demo and the tests, so every entry point runs the same handlers.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from upgradecamp.config import terminal_id
from upgradecamp.domain.clock import Clock, system_clock
from upgradecamp.domain.commands import Command
from upgradecamp.domain.errors import ConcurrencyConflict
from upgradecamp.domain.events import DomainEvent, upcast
from upgradecamp.domain.staff import Actor
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.db import append_transaction, make_engine, read_transaction
from upgradecamp.store.eventlog import EventLog, StoredEvent
from upgradecamp.store.keyfile import LogKey, key_for
from upgradecamp.store.log_tables import command_results

Handler = Callable[[UnitOfWork, Any], Any]
Policy = Callable[["Services", Any, StoredEvent], None]
"""A policy: the services, the event (of the class it is registered for), where it is stored."""
MAX_RETRIES = 3


@dataclass
class Services:
    engine: Engine
    log: EventLog
    clock: Clock
    new_id: Callable[[], str]
    terminal: str
    rng: random.Random = field(default_factory=random.SystemRandom)
    handlers: dict[type[Command], Handler] = field(default_factory=dict)
    policies: dict[type[DomainEvent], list[Policy]] = field(default_factory=dict)
    # Told of every follow-on refused after a command committed, so the person whose command
    # triggered it hears of it (the CLI's stderr, the TUI's notifications), not only --json.
    on_refused: Callable[[list[dict[str, Any]]], None] | None = None

    def execute(
        self,
        command: Command,
        actor: Actor,
        *,
        idempotency_key: str | None = None,
        causation_id: str | None = None,
        correlation_id: str | None = None,
    ) -> Any:
        """Run a command's handler; a repeated idempotency key returns the first result."""
        if idempotency_key:
            earlier = self._earlier_result(idempotency_key)
            if earlier is not None:
                return earlier
        handler = self.handlers[type(command)]
        meta = {
            "actor": actor.code,
            "terminal": self.terminal,
            "command": type(command).__name__,
            "correlation_id": correlation_id or self.new_id(),
            "causation_id": causation_id,
            "idempotency_key": idempotency_key,
        }
        for attempt in range(MAX_RETRIES):
            try:
                uow, result, stored = self._attempt(
                    handler, command, actor, meta, idempotency_key, locked=attempt > 0
                )
                break
            except ConcurrencyConflict:
                if attempt == MAX_RETRIES - 1:
                    raise
            except IntegrityError:
                if idempotency_key:
                    earlier = self._earlier_result(idempotency_key)
                    if earlier is not None:
                        return earlier
                raise
        if uow.error_after_commit is not None:
            raise uow.error_after_commit
        refused = self._run_policies(stored, meta)
        if refused and self.on_refused is not None:
            self.on_refused(refused)
        if refused and isinstance(result, dict):
            # The command itself is done; say what its follow-on work could not do.
            result = {**result, "follow_on_refused": refused}
        return result

    def _attempt(
        self,
        handler: Handler,
        command: Command,
        actor: Actor,
        meta: dict[str, Any],
        idempotency_key: str | None,
        *,
        locked: bool,
    ) -> tuple[UnitOfWork, Any, list[StoredEvent]]:
        """Decide in a read transaction, then hold the write lock only to append and project.

        The decision rests on the stream versions it read; an append finding a stream moved
        raises ConcurrencyConflict and the caller decides again on fresh state. Every race the
        commands guard (a seat, a client checked in once, a form decided once) is carried by
        the version of the stream the event is recorded on, so no lock is needed to decide.
        A decision that already lost a race decides again `locked`, under the write lock, so
        desks crowding one hot stream (a session's last seats) still all get an answer.
        What the handler left to do after the commit (e.g. publish an export's file) runs once
        it is committed, or is undone if it is not.
        """
        uow: UnitOfWork | None = None
        try:
            with self.engine.connect() as conn:
                if locked:
                    with append_transaction(conn):
                        self.log.lock_head(conn)
                        uow = self._unit(conn, actor, meta)
                        result = handler(uow, command)
                        stored = self._append(conn, uow, result, idempotency_key)
                else:
                    with conn.begin():
                        uow = self._unit(conn, actor, meta)
                        uow.decide_from_here()
                        result = handler(uow, command)
                    stored = []
                    if uow.pending or idempotency_key:
                        with append_transaction(conn):
                            uow.bind(conn)
                            stored = self._append(conn, uow, result, idempotency_key)
        except BaseException:
            if uow is not None:
                uow.abandoned()
            raise
        uow.committed()
        return uow, result, stored

    def _unit(self, conn: Connection, actor: Actor, meta: dict[str, Any]) -> UnitOfWork:
        return UnitOfWork(conn, self.log, actor, meta, self.clock, new_id=self.new_id, rng=self.rng)

    @staticmethod
    def _append(
        conn: Connection, uow: UnitOfWork, result: Any, idempotency_key: str | None
    ) -> list[StoredEvent]:
        stored = uow.commit()
        if idempotency_key:
            conn.execute(
                command_results.insert().values(
                    idempotency_key=idempotency_key,
                    result=json.dumps(result, ensure_ascii=False, default=str),
                    position=stored[-1].position if stored else 0,
                )
            )
        return stored

    def _earlier_result(self, key: str) -> Any:
        with read_transaction(self.engine) as conn:
            row = conn.execute(
                select(command_results.c.result).where(command_results.c.idempotency_key == key)
            ).first()
        return None if row is None else json.loads(row.result)

    def _run_policies(
        self, stored: list[StoredEvent], meta: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Each stored event's policies (service/policy_tracking.py), refusals collected."""
        from upgradecamp.service.policy_tracking import run_event_policies

        refused = []
        for ev in stored:
            refused += run_event_policies(self, ev)
        return refused


def bootstrap(
    db: str | None = None,
    *,
    engine: Engine | None = None,
    clock: Clock = system_clock,
    new_id: Callable[[], str] | None = None,
    terminal: str | None = None,
    rng: random.Random | None = None,
    key: LogKey | None = None,
) -> Services:
    """Wire the services for one database; the only place dependencies are chosen.

    `rng` draws check-in codes: the system's secure source unless a test or the demo passes
    a seeded one. The log's key comes from the database's key file (store/keyfile.py) unless
    `key` is given.
    """
    from upgradecamp.service import (
        books,
        cancellation,
        checkins,
        clients,
        exports,
        feedback,
        followups,
        forms,
        integrity,
        invitations,
        maintenance,
        paper,
        points,
        privacy,
        rewards,
        sessions,
        staff_admin,
        targets,
    )
    from upgradecamp.service.handlers import HANDLERS
    from upgradecamp.service.policies import POLICIES

    engine = engine or make_engine(db)
    if key is None:
        key = key_for(engine)
    return Services(
        engine=engine,
        log=EventLog(upcast=upcast, clock=clock, key=key),
        clock=clock,
        new_id=new_id or (lambda: uuid.uuid4().hex),
        terminal=terminal or terminal_id(),
        rng=rng or random.SystemRandom(),
        handlers={
            **HANDLERS,
            **points.HANDLERS,
            **clients.HANDLERS,
            **privacy.HANDLERS,
            **sessions.HANDLERS,
            **invitations.HANDLERS,
            **checkins.HANDLERS,
            **forms.HANDLERS,
            **followups.HANDLERS,
            **cancellation.HANDLERS,
            **staff_admin.HANDLERS,
            **exports.HANDLERS,
            **paper.HANDLERS,
            **integrity.HANDLERS,
            **rewards.HANDLERS,
            **books.HANDLERS,
            **feedback.HANDLERS,
            **targets.HANDLERS,
            **maintenance.HANDLERS,
        },
        policies={k: list(v) for k, v in POLICIES.items()},
    )
