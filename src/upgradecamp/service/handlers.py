"""Command handlers: load state, check permission, decide, record events.

Each runs inside a `UnitOfWork` (one transaction); the bus commits and then runs policies.
Results are JSON-able dicts so a retried command (same idempotency key) can return them again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from upgradecamp.domain.commands import (
    AddStaff,
    InitialiseDatabase,
    PublishRuleSet,
    RegisterClients,
    VerifyPin,
)
from upgradecamp.domain.errors import (
    AccountLocked,
    BadInput,
    NotFound,
    RuleRefused,
    WrongPin,
)
from upgradecamp.domain.events import (
    BenefitsPublished,
    BranchRegistered,
    ClientRegistered,
    RuleSetPublished,
    StaffAdded,
    StaffLocked,
    StaffPinRejected,
    StaffSignedIn,
    TierLadderPublished,
)
from upgradecamp.domain.rules import shanghai
from upgradecamp.domain.staff import LOCKOUT, MAX_PIN_FAILURES, ROLES
from upgradecamp.service.auth import hash_pin, pin_matches
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.tables import BranchRow, ClientRow, RuleSetRow


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err["loc"]) or "value"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def initialise_database(uow: UnitOfWork, cmd: InitialiseDatabase) -> dict[str, Any]:
    if EventLog.head(uow.conn)[0] > 0:
        raise RuleRefused("this database is already initialised; use another --db path, "
                          "or add staff with `upgradecamp staff add`")
    for b in cmd.branches:
        uow.record(0, BranchRegistered(**b))
    for rs in cmd.rule_sets:
        _check_rule_set(rs)
        uow.record(0, RuleSetPublished(version=rs["version"], effective_from=rs["effective_from"],
                                       effective_to=rs["effective_to"], rules=rs))
    uow.record(0, TierLadderPublished(ladder=cmd.tier_ladder))
    uow.record(0, BenefitsPublished(parts=cmd.benefits))
    if cmd.admin_branch not in {b["code"] for b in cmd.branches}:
        raise BadInput(f"branch {cmd.admin_branch} is not in the cluster")
    uow.record(0, StaffAdded(code=cmd.admin_code, name=cmd.admin_name, role="admin",
                             branch=cmd.admin_branch,
                             pin_hash=hash_pin(cmd.admin_pin, cmd.admin_pin_salt)))
    return {"admin": cmd.admin_code, "branches": [b["code"] for b in cmd.branches],
            "rule_sets": [rs["version"] for rs in cmd.rule_sets]}


def _check_rule_set(payload: dict[str, Any]) -> None:
    from upgradecamp.domain.rules import RuleSet

    RuleSet.from_payload(payload)


def add_staff(uow: UnitOfWork, cmd: AddStaff) -> dict[str, Any]:
    uow.actor.require("staff.manage", "add staff")
    if cmd.role not in ROLES:
        raise BadInput(f"unknown role '{cmd.role}'; use one of {', '.join(ROLES)}")
    if uow.rows.get(BranchRow, cmd.branch) is None:
        raise BadInput(f"unknown branch '{cmd.branch}'; see `upgradecamp branches` for codes")
    version = uow.stream_version(f"staff-{cmd.code}")
    if version:
        raise RuleRefused(f"staff code {cmd.code} is already taken; choose another code")
    try:
        event = StaffAdded(code=cmd.code, name=cmd.name, role=cmd.role, branch=cmd.branch,
                           pin_hash=hash_pin(cmd.pin, cmd.pin_salt))
    except ValidationError as exc:
        raise BadInput(f"cannot add staff {cmd.code}: {_validation_message(exc)}") from exc
    uow.record(0, event)
    return {"code": cmd.code, "name": cmd.name, "role": cmd.role, "branch": cmd.branch}


def verify_pin(uow: UnitOfWork, cmd: VerifyPin) -> dict[str, Any]:
    state = uow.load_staff(cmd.code)
    if not state.exists:
        raise NotFound(f"no staff member has the code '{cmd.code}'; check the code on your badge",
                       "unknown_staff", staff=cmd.code)
    now = uow.clock()
    if state.locked_at(now):
        until = state.locked_until.astimezone(shanghai()).strftime("%H:%M")
        raise AccountLocked(f"{cmd.code} is locked after {MAX_PIN_FAILURES} wrong PINs until "
                            f"{until}; wait, or ask an admin", "account_locked", staff=cmd.code,
                            until=until)
    terminal = uow.meta.get("terminal") or ""
    if pin_matches(state.pin_hash, cmd.pin):
        if state.failed_attempts or state.locked_until or cmd.record_sign_in:
            uow.record(state.version, StaffSignedIn(code=cmd.code, terminal=terminal))
        return {"code": state.code, "name": state.name, "role": state.role,
                "branch": state.branch}
    failures = state.failed_attempts + 1
    events = [StaffPinRejected(code=cmd.code, failed_attempts=failures, terminal=terminal)]
    if failures >= MAX_PIN_FAILURES:
        until = now + LOCKOUT
        events.append(StaffLocked(code=cmd.code, locked_until=until))
        shown = until.astimezone(shanghai()).strftime("%H:%M")
        uow.fail_after_commit(AccountLocked(
            f"wrong PIN {failures} times: {cmd.code} is locked until {shown} (15 minutes); "
            "wait, or ask an admin", "account_locked", staff=cmd.code, until=shown))
    else:
        left = MAX_PIN_FAILURES - failures
        uow.fail_after_commit(WrongPin(
            f"wrong PIN for {cmd.code}; {left} more wrong {'try' if left == 1 else 'tries'} "
            "lock the account for 15 minutes", "wrong_pin", staff=cmd.code, left=left))
    uow.record(state.version, *events)
    return {}


def register_clients(uow: UnitOfWork, cmd: RegisterClients) -> dict[str, Any]:
    uow.actor.require("clients.import", "import clients")
    branches = {r.code for r in uow.conn.execute(select(BranchRow.code))}
    problems: list[str] = []
    events: list[ClientRegistered] = []
    seen: set[str] = set()
    for n, row in enumerate(cmd.clients, 1):
        label = row.get("_line", n)
        try:
            event = ClientRegistered(**{k: v for k, v in row.items() if not k.startswith("_")})
        except ValidationError as exc:
            problems.append(f"row {label}: {_validation_message(exc)}")
            continue
        if event.branch not in branches:
            problems.append(f"row {label}: unknown branch '{event.branch}'")
        if event.client_id in seen:
            problems.append(f"row {label}: client {event.client_id} appears twice")
        seen.add(event.client_id)
        events.append(event)
    ids = [e.client_id for e in events]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for (existing,) in uow.conn.execute(
                select(ClientRow.client_id).where(ClientRow.client_id.in_(chunk))):
            problems.append(f"client {existing} is already registered")
    if problems:
        shown = "\n".join(problems[:50])
        more = f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise BadInput(f"{len(problems)} problem(s); nothing was registered:\n{shown}{more}")
    for event in events:
        uow.record(0, event)
    return {"registered": len(events)}


def publish_rule_set(uow: UnitOfWork, cmd: PublishRuleSet) -> dict[str, Any]:
    uow.actor.require("rules.publish", "publish a rule set")
    _check_rule_set(cmd.rules)
    if uow.stream_version(f"ruleset-{cmd.version}"):
        raise RuleRefused(f"rule set {cmd.version} is already published and never changes; "
                          "publish your edit under a new version name")
    start, end = date.fromisoformat(cmd.effective_from), date.fromisoformat(cmd.effective_to)
    for row in uow.conn.execute(select(RuleSetRow.version, RuleSetRow.effective_from,
                                       RuleSetRow.effective_to)):
        if start <= row.effective_to and row.effective_from <= end:
            raise RuleRefused(f"rule set {cmd.version} ({start}–{end}) overlaps {row.version} "
                              f"({row.effective_from}–{row.effective_to}); change the dates")
    uow.record(0, RuleSetPublished(version=cmd.version, effective_from=start, effective_to=end,
                                   rules=cmd.rules))
    return {"version": cmd.version, "effective_from": cmd.effective_from,
            "effective_to": cmd.effective_to}


HANDLERS = {
    InitialiseDatabase: initialise_database,
    AddStaff: add_staff,
    VerifyPin: verify_pin,
    RegisterClients: register_clients,
    PublishRuleSet: publish_rule_set,
}
