"""Staff accounts, permissions in the handlers, PIN failures and the 15-minute lockout."""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN, ADMIN_PIN
from upgradecamp.domain.commands import AddStaff, VerifyPin
from upgradecamp.domain.errors import (
    AccountLocked,
    BadInput,
    NotFound,
    PermissionDenied,
    RuleRefused,
    WrongPin,
)
from upgradecamp.domain.staff import Actor
from upgradecamp.store.db import read_transaction

ANON = Actor(code="?", role="unverified")


def _types(services, n=50):
    with read_transaction(services.engine) as conn:
        return [e.type for e in services.log.tail(conn, n)]


def _add(services, code="mk1", role="marketer", actor=ADMIN, **kw):
    return services.execute(
        AddStaff(
            code=code,
            name=kw.pop("name", "张三"),
            role=role,
            branch=kw.pop("branch", "B02"),
            pin="234509",
        ),
        actor,
    )


def test_admin_adds_staff_and_pin_is_only_stored_hashed(services):
    result = _add(services)
    assert result == {"code": "mk1", "name": "张三", "role": "marketer", "branch": "B02"}
    with read_transaction(services.engine) as conn:
        (ev,) = services.log.read_stream(conn, "staff-mk1")
    assert ev.payload["pin_hash"].startswith("pepper1$argon2id$")  # peppered: issue 12
    assert "234509" not in ev.payload["pin_hash"]
    assert ev.meta["actor"] == "admin1"


@pytest.mark.parametrize("role", ["organizer", "checkin", "marketer", "branch_head"])
def test_only_admins_add_staff(services, role):
    actor = Actor(code="x", role=role, branch="B02")
    with pytest.raises(PermissionDenied, match=f"x \\({role}\\) may not add staff"):
        _add(services, actor=actor)


def test_add_staff_rejects_bad_input(services):
    _add(services)
    with pytest.raises(RuleRefused, match="already taken"):
        _add(services)
    with pytest.raises(BadInput, match="unknown role"):
        _add(services, code="z1", role="janitor")
    with pytest.raises(BadInput, match="unknown branch"):
        _add(services, code="z2", branch="B99")
    with pytest.raises(BadInput, match="6 to 8 digits"):
        services.execute(
            AddStaff(code="z3", name="王", role="checkin", branch="B01", pin="12"), ADMIN
        )


def test_correct_pin_signs_in(services):
    _add(services)
    who = services.execute(VerifyPin(code="mk1", pin="234509"), ANON)
    assert who["role"] == "marketer" and who["branch"] == "B02"
    services.execute(VerifyPin(code="mk1", pin="234509", record_sign_in=True), ANON)
    assert _types(services, 1) == ["StaffSignedIn"]


def test_unknown_staff_code(services):
    with pytest.raises(NotFound, match="no staff member has the code 'ghost'"):
        services.execute(VerifyPin(code="ghost", pin="123409"), ANON)


def test_wrong_pins_count_down_then_lock_for_15_minutes(services, clock):
    _add(services)
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongPin, match=f"{left} more wrong"):
            services.execute(VerifyPin(code="mk1", pin="9999"), ANON)
    with pytest.raises(AccountLocked, match="locked until"):
        services.execute(VerifyPin(code="mk1", pin="9999"), ANON)
    assert _types(services, 2) == ["StaffPinRejected", "StaffLocked"]
    # Locked: even the right PIN is refused, and nothing more is written.
    with pytest.raises(AccountLocked):
        services.execute(VerifyPin(code="mk1", pin="234509"), ANON)
    assert _types(services, 1) == ["StaffLocked"]
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(AccountLocked):
        services.execute(VerifyPin(code="mk1", pin="234509"), ANON)
    clock.advance(seconds=2)
    assert services.execute(VerifyPin(code="mk1", pin="234509"), ANON)["code"] == "mk1"
    assert _types(services, 1) == ["StaffSignedIn"]


def test_a_correct_pin_resets_the_failure_count(services):
    _add(services)
    for _ in range(4):
        with pytest.raises(WrongPin):
            services.execute(VerifyPin(code="mk1", pin="0000"), ANON)
    services.execute(VerifyPin(code="mk1", pin="234509"), ANON)
    with pytest.raises(WrongPin, match="4 more wrong"):
        services.execute(VerifyPin(code="mk1", pin="0000"), ANON)


def test_admin_pin_from_init_works(services):
    assert services.execute(VerifyPin(code="admin1", pin=ADMIN_PIN), ANON)["role"] == "admin"
