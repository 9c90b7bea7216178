"""Handler of client assignment (分客户): gather the selection, decide, one event per client.

Each `ClientAssigned` goes to its client's stream at the version read here (read in bulk,
one query), so an import or another assignment of the same client meanwhile conflicts and
the bus retries on what is then true.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from upgradecamp.domain import books as rules
from upgradecamp.domain.commands.clients import AssignClients
from upgradecamp.domain.events import streams
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.log_tables import event_log
from upgradecamp.store.tables import BranchRow, ClientRow, StaffRow

_CHUNK = 500


def _selection(
    uow: UnitOfWork, cmd: AssignClients
) -> tuple[list[tuple[str, str | None]], list[str]]:
    conn = uow.conn
    if cmd.client_ids:
        wanted = sorted({c.strip() for c in cmd.client_ids if c.strip()})
        found: dict[str, str | None] = {}
        for start in range(0, len(wanted), _CHUNK):
            found.update(
                conn.execute(
                    select(col(ClientRow.client_id), col(ClientRow.rm)).where(
                        col(ClientRow.client_id).in_(wanted[start : start + _CHUNK])
                    )
                ).all()
            )
        return sorted(found.items()), [c for c in wanted if c not in found]
    query = select(col(ClientRow.client_id), col(ClientRow.rm)).where(
        col(ClientRow.branch) == cmd.branch
    )
    if cmd.segment:
        query = query.where(col(ClientRow.segment) == cmd.segment)
    if cmd.unassigned:
        staff = select(col(StaffRow.code))
        query = query.where(col(ClientRow.rm).is_(None) | col(ClientRow.rm).not_in(staff))
    return list(conn.execute(query.order_by(col(ClientRow.client_id))).all()), []


def expect_client_streams(uow: UnitOfWork, client_ids: list[str]) -> None:
    for start in range(0, len(client_ids), _CHUNK):
        ids = [streams.client(c) for c in client_ids[start : start + _CHUNK]]
        found: dict[str, int] = dict(
            uow.conn.execute(
                select(event_log.c.stream_id, func.max(event_log.c.stream_version))
                .where(event_log.c.stream_id.in_(ids))
                .group_by(event_log.c.stream_id)
            ).all()
        )
        uow.expect({i: found.get(i, 0) for i in ids})


def assign_clients(uow: UnitOfWork, cmd: AssignClients) -> dict[str, Any]:
    """The result: `rm`, `assigned` (count), `already` (theirs before), `clients` (ids)."""
    staff = uow.rows.get(StaffRow, cmd.rm) if cmd.rm else None
    branches = tuple(
        code
        for (code,) in uow.conn.execute(select(col(BranchRow.code)).order_by(col(BranchRow.code)))
    )
    clients, unknown = (
        ([], []) if (bool(cmd.client_ids) == bool(cmd.branch)) else _selection(uow, cmd)
    )
    facts = rules.AssignFacts(
        actor=uow.actor,
        rm=None
        if staff is None
        else rules.StaffFacts(staff["code"], staff["role"], staff["branch"]),
        clients=tuple(clients),
        unknown=tuple(unknown),
        branches=branches,
    )
    events = rules.decide_assign(facts, cmd)
    expect_client_streams(uow, [e.client_id for e in events])
    uow.record(*events)
    return {
        "rm": cmd.rm,
        "assigned": len(events),
        "already": len(clients) - len(events),
        "clients": [e.client_id for e in events],
    }


HANDLERS: Handlers = {AssignClients: assign_clients}
