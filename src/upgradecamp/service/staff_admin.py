"""Handlers of an admin's staff commands (unlock, reset PIN, deactivate, edit) and the demo mark.

Each gathers the facts (the member's stream, the branches), lets `domain/staff_admin.py`
decide, and records the one event on the member's stream.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import select

from upgradecamp.domain.commands import (
    DeactivateStaff,
    EditStaff,
    RecordDemoBuilt,
    ResetStaffPin,
    UnlockStaff,
)
from upgradecamp.domain.errors import RuleRefused
from upgradecamp.domain.events import DemoBuilt, streams
from upgradecamp.domain.staff_admin import (
    decide_deactivate,
    decide_edit,
    decide_reset_pin,
    decide_unlock,
)
from upgradecamp.service.auth import hash_pin, pepper
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.tables import BranchRow


def unlock_staff(uow: UnitOfWork, cmd: UnlockStaff) -> dict[str, Any]:
    uow.actor.require("staff.manage", "unlock staff")
    state = uow.load_staff(cmd.code)
    uow.record(decide_unlock(state, cmd.code, uow.clock()))
    return {"code": cmd.code, "unlocked": True}


def reset_staff_pin(uow: UnitOfWork, cmd: ResetStaffPin) -> dict[str, Any]:
    uow.actor.require("staff.manage", "reset a PIN")
    state = uow.load_staff(cmd.code)
    uow.record(
        decide_reset_pin(state, cmd.code, cmd.pin, lambda pin: hash_pin(pin, pepper=pepper(uow)))
    )
    return {"code": cmd.code, "pin_reset": True}


def deactivate_staff(uow: UnitOfWork, cmd: DeactivateStaff) -> dict[str, Any]:
    uow.actor.require("staff.manage", "deactivate staff")
    state = uow.load_staff(cmd.code)
    event = decide_deactivate(state, cmd.code, cmd.reason, uow.actor.code)
    uow.record(event)
    return {"code": cmd.code, "deactivated": True, "reason": event.reason}


def edit_staff(uow: UnitOfWork, cmd: EditStaff) -> dict[str, Any]:
    uow.actor.require("staff.manage", "edit staff")
    state = uow.load_staff(cmd.code)
    branches = [
        code for (code,) in uow.conn.execute(select(BranchRow.code).order_by(BranchRow.code))
    ]
    event = decide_edit(
        state,
        cmd.code,
        name=cmd.name,
        role=cmd.role,
        branch=cmd.branch,
        branches=branches,
        acting=uow.actor.code,
    )
    uow.record(event)
    return {
        "code": cmd.code,
        "name": event.name,
        "role": event.role,
        "branch": event.branch,
        "changed": event.changed,
    }


def record_demo_built(uow: UnitOfWork, cmd: RecordDemoBuilt) -> dict[str, Any]:
    uow.actor.require("staff.manage", "mark a database as a demo")
    if uow.stream_version(streams.DEMO):
        raise RuleRefused("this database is already marked as a demo", "demo_already_marked")
    uow.record(
        DemoBuilt(
            seed=cmd.seed,
            today=date.fromisoformat(cmd.today),
            customers=cmd.customers,
            staff=cmd.staff,
        )
    )
    return {"demo": True}


HANDLERS: Handlers = {
    UnlockStaff: unlock_staff,
    ResetStaffPin: reset_staff_pin,
    DeactivateStaff: deactivate_staff,
    EditStaff: edit_staff,
    RecordDemoBuilt: record_demo_built,
}
