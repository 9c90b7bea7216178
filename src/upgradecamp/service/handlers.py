"""Command handlers: load state, check permission, decide, record events.

Each runs inside a `UnitOfWork` (one transaction); the bus commits and then runs policies.
Results are JSON-able dicts so a retried command (same idempotency key) can return them again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlmodel import col, select

from upgradecamp.domain.clock import local_hm
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
    DomainEvent,
    RuleSetPublished,
    StaffAdded,
    StaffLocked,
    StaffPinPeppered,
    StaffPinRejected,
    StaffSignedIn,
    TierLadderPublished,
    streams,
)
from upgradecamp.domain.pin_policy import check_new_pin
from upgradecamp.domain.staff import LOCKOUT, MAX_PIN_FAILURES, ROLES
from upgradecamp.domain.staff_admin import unlock_advice
from upgradecamp.service.auth import hash_pin, is_peppered, pepper, pin_matches
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.tables import BranchRow, ClientRow, RuleSetRow, StaffRow


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err["loc"]) or "value"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def initialise_database(uow: UnitOfWork, cmd: InitialiseDatabase) -> dict[str, Any]:
    if EventLog.head(uow.conn)[0] > 0:
        raise RuleRefused(
            "this database is already initialised; use another --db path, "
            "or add staff with `upgradecamp staff add`",
            "database_already_initialised",
        )
    for b in cmd.branches:
        uow.record(BranchRegistered(**b))
    for rs in cmd.rule_sets:
        _check_rule_set(rs)
        uow.record(
            RuleSetPublished(
                version=rs["version"],
                effective_from=rs["effective_from"],
                effective_to=rs["effective_to"],
                rules=rs,
            )
        )
    uow.record(TierLadderPublished(ladder=cmd.tier_ladder))
    uow.record(BenefitsPublished(parts=cmd.benefits))
    if cmd.admin_branch not in {b["code"] for b in cmd.branches}:
        raise BadInput(
            f"branch {cmd.admin_branch} is not in the cluster",
            "admin_branch_not_in_cluster",
            branch=cmd.admin_branch,
        )
    check_new_pin(cmd.admin_pin)
    uow.record(
        StaffAdded(
            code=cmd.admin_code,
            name=cmd.admin_name,
            role="admin",
            branch=cmd.admin_branch,
            pin_hash=hash_pin(cmd.admin_pin, cmd.admin_pin_salt, pepper(uow)),
        )
    )
    _list_rewards(uow, cmd.rewards)
    return {
        "admin": cmd.admin_code,
        "branches": [b["code"] for b in cmd.branches],
        "rule_sets": [rs["version"] for rs in cmd.rule_sets],
    }


def _list_rewards(uow: UnitOfWork, entries: list[dict[str, Any]]) -> None:
    """The rewards catalogue (fixtures/rewards.toml), after the admin: earlier positions of
    an initialised log stay where they were before rewards existed."""
    from upgradecamp.domain.rewards import listing, parse_catalogue

    for reward in parse_catalogue(entries, "rewards.toml"):
        uow.record(listing(reward))


def _check_rule_set(payload: dict[str, Any]) -> None:
    from upgradecamp.domain.rules import RuleSet

    RuleSet.from_payload(payload)


def add_staff(uow: UnitOfWork, cmd: AddStaff) -> dict[str, Any]:
    uow.actor.require("staff.manage", "add staff")
    if cmd.role not in ROLES:
        raise BadInput(
            f"unknown role '{cmd.role}'; use one of {', '.join(ROLES)}",
            "staff_unknown_role",
            role=cmd.role,
            known=", ".join(ROLES),
        )
    if uow.rows.get(BranchRow, cmd.branch) is None:
        raise BadInput(
            f"unknown branch '{cmd.branch}'; see `upgradecamp branches` for codes",
            "staff_unknown_branch",
            branch=cmd.branch,
        )
    if uow.stream_version(streams.staff(cmd.code)):
        raise RuleRefused(
            f"staff code {cmd.code} is already taken; choose another code",
            "staff_code_taken",
            staff=cmd.code,
        )
    check_new_pin(cmd.pin)
    try:
        event = StaffAdded(
            code=cmd.code,
            name=cmd.name,
            role=cmd.role,
            branch=cmd.branch,
            pin_hash=hash_pin(cmd.pin, cmd.pin_salt, pepper(uow)),
        )
    except ValidationError as exc:
        problem = _validation_message(exc)
        raise BadInput(
            f"cannot add staff {cmd.code}: {problem}",
            "staff_add_invalid",
            staff=cmd.code,
            problem=problem,
        ) from exc
    uow.record(event)
    return {"code": cmd.code, "name": cmd.name, "role": cmd.role, "branch": cmd.branch}


def verify_pin(uow: UnitOfWork, cmd: VerifyPin) -> dict[str, Any]:
    state = uow.load_staff(cmd.code)
    if not state.exists:
        raise NotFound(
            f"no staff member has the code '{cmd.code}'; check the code on your badge",
            "unknown_staff",
            staff=cmd.code,
        )
    if not state.active:
        raise RuleRefused(
            f"{cmd.code} is deactivated and cannot sign in; if that is wrong, ask an admin",
            "account_deactivated",
            staff=cmd.code,
        )
    now = uow.clock()
    if state.locked_at(now):
        assert state.locked_until is not None  # locked_at says so
        until = local_hm(state.locked_until)
        admins, advice = unlock_advice(cmd.code, _active_admins(uow, cmd.code))
        raise AccountLocked(
            f"{cmd.code} is locked after {MAX_PIN_FAILURES} wrong PINs until "
            f"{until}; wait, or {advice}",
            "account_locked",
            staff=cmd.code,
            until=until,
            admins=admins,
        )
    terminal = uow.meta.get("terminal") or ""
    if pin_matches(state.pin_hash, cmd.pin, pepper(uow)):
        if state.failed_attempts or state.locked_until or cmd.record_sign_in:
            uow.record(StaffSignedIn(code=cmd.code, terminal=terminal))
        if not is_peppered(state.pin_hash) and pepper(uow):
            uow.record(
                StaffPinPeppered(code=cmd.code, pin_hash=hash_pin(cmd.pin, pepper=pepper(uow)))
            )
        return {"code": state.code, "name": state.name, "role": state.role, "branch": state.branch}
    failures = state.failed_attempts + 1
    events: list[DomainEvent] = [
        StaffPinRejected(code=cmd.code, failed_attempts=failures, terminal=terminal)
    ]
    if failures >= MAX_PIN_FAILURES:
        locked_until = now + LOCKOUT
        events.append(StaffLocked(code=cmd.code, locked_until=locked_until))
        shown = local_hm(locked_until)
        admins, advice = unlock_advice(cmd.code, _active_admins(uow, cmd.code))
        uow.fail_after_commit(
            AccountLocked(
                f"wrong PIN {failures} times: {cmd.code} is locked until {shown} (15 minutes); "
                f"wait, or {advice}",
                "account_locked",
                staff=cmd.code,
                until=shown,
                admins=admins,
            )
        )
    else:
        left = MAX_PIN_FAILURES - failures
        uow.fail_after_commit(
            WrongPin(
                f"wrong PIN for {cmd.code}; {left} more wrong {'try' if left == 1 else 'tries'} "
                "lock the account for 15 minutes",
                "wrong_pin",
                staff=cmd.code,
                left=left,
            )
        )
    uow.record(*events)
    return {}


def _active_admins(uow: UnitOfWork, locked: str) -> list[tuple[str, str]]:
    """(code, name) of every other admin who can still sign in: the people who can unlock."""
    return [
        (r.code, r.name)
        for r in uow.conn.execute(
            select(StaffRow.code, StaffRow.name)
            .where(
                StaffRow.role == "admin", col(StaffRow.active).is_(True), StaffRow.code != locked
            )
            .order_by(StaffRow.code)
        )
    ]


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
        chunk = ids[start : start + 500]
        for (existing,) in uow.conn.execute(
            select(ClientRow.client_id).where(col(ClientRow.client_id).in_(chunk))
        ):
            problems.append(f"client {existing} is already registered")
    if problems:
        shown = "\n".join(problems[:50])
        more = f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise BadInput(
            f"{len(problems)} problem(s); nothing was registered:\n{shown}{more}",
            "registration_problems",
            count=len(problems),
            shown=shown,
            more=more,
        )
    for event in events:
        uow.record(event)
    return {"registered": len(events)}


def publish_rule_set(uow: UnitOfWork, cmd: PublishRuleSet) -> dict[str, Any]:
    uow.actor.require("rules.publish", "publish a rule set")
    _check_rule_set(cmd.rules)
    if cmd.pin is not None:
        verify_pin(uow, VerifyPin(code=uow.actor.code, pin=cmd.pin))
        if uow.error_after_commit is not None:  # wrong PIN: only the failure is recorded
            return {"version": cmd.version, "published": False}
    if uow.stream_version(streams.rule_set(cmd.version)):
        raise RuleRefused(
            f"rule set {cmd.version} is already published and never changes; "
            "publish your edit under a new version name",
            "rule_set_already_published",
            version=cmd.version,
        )
    start, end = date.fromisoformat(cmd.effective_from), date.fromisoformat(cmd.effective_to)
    for row in uow.conn.execute(
        select(RuleSetRow.version, col(RuleSetRow.effective_from), col(RuleSetRow.effective_to))
    ):
        if start <= row.effective_to and row.effective_from <= end:
            raise RuleRefused(
                f"rule set {cmd.version} ({start}–{end}) overlaps {row.version} "
                f"({row.effective_from}–{row.effective_to}); change the dates",
                "rule_set_dates_overlap",
                version=cmd.version,
                start=str(start),
                end=str(end),
                other=row.version,
                other_start=str(row.effective_from),
                other_end=str(row.effective_to),
            )
    uow.record(
        RuleSetPublished(
            version=cmd.version, effective_from=start, effective_to=end, rules=cmd.rules
        )
    )
    return {
        "version": cmd.version,
        "effective_from": cmd.effective_from,
        "effective_to": cmd.effective_to,
    }


HANDLERS: Handlers = {
    InitialiseDatabase: initialise_database,
    AddStaff: add_staff,
    VerifyPin: verify_pin,
    RegisterClients: register_clients,
    PublishRuleSet: publish_rule_set,
}
