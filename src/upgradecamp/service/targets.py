"""Handler of `targets set`: a marketer's monthly targets, recorded on their targets stream."""

from __future__ import annotations

from typing import Any

from upgradecamp.domain.commands import SetTarget
from upgradecamp.domain.events import streams
from upgradecamp.domain.points import money
from upgradecamp.domain.targets import decide_target
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.tables import StaffRow


def set_target(uow: UnitOfWork, cmd: SetTarget) -> dict[str, Any]:
    staff = uow.rows.get(StaffRow, cmd.staff)
    event = decide_target(uow.actor, staff["role"] if staff else None, cmd)
    uow.stream_version(streams.targets(cmd.staff))
    uow.record(event)
    return {
        "staff": event.staff,
        "month": event.month,
        "forms": event.forms,
        "upgrades": event.upgrades,
        "converted_aum": money(event.converted_aum) if event.converted_aum is not None else None,
    }


HANDLERS: Handlers = {SetTarget: set_target}
