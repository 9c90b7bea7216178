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
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from upgradecamp.config import terminal_id
from upgradecamp.domain.commands import Command
from upgradecamp.domain.errors import ConcurrencyConflict, DomainError
from upgradecamp.domain.events import upcast
from upgradecamp.domain.staff import Actor
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.db import make_engine, read_transaction, write_transaction
from upgradecamp.store.eventlog import EventLog, StoredEvent, command_results, utc_now

Handler = Callable[[UnitOfWork, Any], Any]
Policy = Callable[["Services", StoredEvent], None]
MAX_RETRIES = 3


@dataclass
class Services:
    engine: Engine
    log: EventLog
    clock: Callable[[], datetime]
    new_id: Callable[[], str]
    terminal: str
    rng: random.Random = field(default_factory=random.SystemRandom)
    handlers: dict[type[Command], Handler] = field(default_factory=dict)
    policies: dict[str, list[Policy]] = field(default_factory=dict)

    def execute(self, command: Command, actor: Actor, *, idempotency_key: str | None = None,
                causation_id: str | None = None, correlation_id: str | None = None) -> Any:
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
                with write_transaction(self.engine) as conn:
                    uow = UnitOfWork(conn, self.log, actor, meta, self.clock,
                                     new_id=self.new_id, rng=self.rng)
                    result = handler(uow, command)
                    stored = uow.commit()
                    if idempotency_key:
                        conn.execute(command_results.insert().values(
                            idempotency_key=idempotency_key,
                            result=json.dumps(result, ensure_ascii=False, default=str),
                            position=stored[-1].position if stored else 0))
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
        if refused and isinstance(result, dict):
            # The command itself is done; say what its follow-on work could not do.
            result = {**result, "follow_on_refused": refused}
        return result

    def _earlier_result(self, key: str) -> Any:
        with read_transaction(self.engine) as conn:
            row = conn.execute(select(command_results.c.result)
                               .where(command_results.c.idempotency_key == key)).first()
        return None if row is None else json.loads(row.result)

    def _run_policies(self, stored: list[StoredEvent],
                      meta: dict[str, Any]) -> list[dict[str, Any]]:
        """Run each event's policies; a business refusal of a policy's own command (say, no
        rule set in force for a referral reward) is returned, not raised: the command that
        triggered it is committed and must not look failed. Anything else surfaces."""
        refused = []
        for ev in stored:
            for policy in self.policies.get(ev.type, ()):
                try:
                    policy(self, ev)
                except DomainError as exc:
                    refused.append({"event": ev.type, "position": ev.position,
                                    "code": exc.code, "message": exc.message})
        return refused


def bootstrap(db: str | None = None, *, engine: Engine | None = None,
              clock: Callable[[], datetime] = utc_now,
              new_id: Callable[[], str] | None = None,
              terminal: str | None = None, rng: random.Random | None = None) -> Services:
    """Wire the services for one database; the only place dependencies are chosen.

    `rng` draws check-in codes: the system's secure source unless a test or the demo passes
    a seeded one.
    """
    from upgradecamp.service import (
        checkins,
        clients,
        followups,
        forms,
        invitations,
        points,
        sessions,
    )
    from upgradecamp.service.handlers import HANDLERS
    from upgradecamp.service.policies import POLICIES

    engine = engine or make_engine(db)
    return Services(
        engine=engine,
        log=EventLog(upcast=upcast, clock=clock),
        clock=clock,
        new_id=new_id or (lambda: uuid.uuid4().hex),
        terminal=terminal or terminal_id(),
        rng=rng or random.SystemRandom(),
        handlers={**HANDLERS, **points.HANDLERS, **clients.HANDLERS, **sessions.HANDLERS,
                  **invitations.HANDLERS, **checkins.HANDLERS, **forms.HANDLERS,
                  **followups.HANDLERS},
        policies={k: list(v) for k, v in POLICIES.items()},
    )
