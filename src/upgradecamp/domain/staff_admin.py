"""An admin's decisions about a staff account: unlock, reset the PIN, deactivate, edit.

Pure functions over the member's `StaffState` and the facts a handler gathered; each returns
the event to record or raises a `DomainError` saying what to do instead. Two rules keep the
cluster administrable: nobody deactivates themselves or takes away their own role, so the
admin acting is always still an admin afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from upgradecamp.domain.errors import BadInput, NotFound, RuleRefused
from upgradecamp.domain.events import (
    StaffDeactivated,
    StaffEdited,
    StaffPinReset,
    StaffUnlocked,
)
from upgradecamp.domain.pin_policy import check_new_pin
from upgradecamp.domain.staff import ROLES, StaffState

ADMINS_NAMED = 3


def unlock_advice(code: str, admins: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """Who can unlock `code`, and how: (the admins as named, the sentence for the CLI)."""
    if admins:
        named = ", ".join(f"{name} ({admin})" for admin, name in admins[:ADMINS_NAMED])
        if len(admins) > ADMINS_NAMED:
            named += f" or {len(admins) - ADMINS_NAMED} more"
    else:
        named = "an admin (role admin)"
    return named, f"ask {named} to unlock it with `upgradecamp staff unlock {code}`"


def _member(state: StaffState, code: str) -> None:
    if not state.exists:
        raise NotFound(
            f"no staff member has the code '{code}'; see `upgradecamp staff list`",
            "unknown_staff",
            staff=code,
        )


def _active(state: StaffState, code: str) -> None:
    _member(state, code)
    if not state.active:
        raise RuleRefused(
            f"{code} is deactivated; its history is kept as it was and nothing more can be changed",
            "staff_deactivated",
            staff=code,
        )


def decide_unlock(state: StaffState, code: str, now: datetime) -> StaffUnlocked:
    _active(state, code)
    if not state.locked_at(now) and state.failed_attempts == 0:
        raise RuleRefused(
            f"{code} is not locked and has no wrong PINs counted; nothing to do",
            "staff_not_locked",
            staff=code,
        )
    return StaffUnlocked(code=code)


def decide_reset_pin(
    state: StaffState, code: str, new_pin: str, hash_pin: Callable[[str], str]
) -> StaffPinReset:
    """`hash_pin` is the service's argon2 hashing: the domain decides, it does not hash."""
    _active(state, code)
    check_new_pin(new_pin)
    return StaffPinReset(code=code, pin_hash=hash_pin(new_pin))


def decide_deactivate(state: StaffState, code: str, reason: str, acting: str) -> StaffDeactivated:
    _member(state, code)
    if not reason.strip():
        raise BadInput(
            "say why the account is deactivated (--reason): the reason is kept with it",
            "staff_reason_required",
            staff=code,
        )
    if code == acting:
        raise RuleRefused(
            "you cannot deactivate your own account; ask another admin",
            "staff_self_deactivate",
            staff=code,
        )
    if not state.active:
        raise RuleRefused(
            f"{code} is already deactivated; nothing to do", "staff_already_deactivated", staff=code
        )
    return StaffDeactivated(code=code, reason=reason.strip())


def decide_edit(
    state: StaffState,
    code: str,
    *,
    name: str | None,
    role: str | None,
    branch: str | None,
    branches: Collection[str],
    acting: str,
) -> StaffEdited:
    _active(state, code)
    if name is None and role is None and branch is None:
        raise BadInput(
            "nothing to change: give --name, --role or --branch", "staff_edit_empty", staff=code
        )
    if name is not None and not name.strip():
        raise BadInput(
            "a name cannot be empty; give the member's full name", "staff_name_empty", staff=code
        )
    if role is not None and role not in ROLES:
        raise BadInput(
            f"unknown role '{role}'; use one of {', '.join(ROLES)}", "staff_unknown_role", role=role
        )
    if branch is not None and branch not in branches:
        raise BadInput(
            f"unknown branch '{branch}'; the branches are {', '.join(branches)}",
            "staff_unknown_branch",
            branch=branch,
        )
    new = {
        "name": name.strip() if name is not None else state.name,
        "role": role or state.role,
        "branch": branch or state.branch,
    }
    changed = [f for f in ("name", "role", "branch") if new[f] != getattr(state, f)]
    if not changed:
        raise RuleRefused(
            f"{code} already has that name, role and branch; nothing to change",
            "staff_unchanged",
            staff=code,
        )
    if code == acting and "role" in changed:
        raise RuleRefused(
            "you cannot change your own role; ask another admin", "staff_self_role", staff=code
        )
    return StaffEdited(code=code, changed=changed, **new)
