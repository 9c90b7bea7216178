"""The new-PIN policy and an admin's decisions about accounts, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from upgradecamp.domain.errors import BadInput, NotFound, RuleRefused
from upgradecamp.domain.pin_policy import check_new_pin, pin_weakness
from upgradecamp.domain.staff import StaffState
from upgradecamp.domain.staff_admin import (
    decide_deactivate,
    decide_edit,
    decide_reset_pin,
    decide_unlock,
    unlock_advice,
)

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
MEMBER = StaffState(
    code="ck1", name="王小明", role="checkin", branch="B02", pin_hash="h", version=1
)


@pytest.mark.parametrize(
    ("pin", "weakness"),
    [
        ("246813", None),
        ("13579024", None),
        ("123409", None),
        ("890123", "a run of digits"),
        ("111111", "one digit repeated"),
        ("00000000", "one digit repeated"),
        ("123456", "a run of digits"),
        ("654321", "a run of digits"),
        ("3456789", "a run of digits"),
        ("12345", "too short"),
        ("1234", "too short"),
        ("", "not 6 to 8 digits"),
        ("123456789", "not 6 to 8 digits"),
        ("12a456", "not 6 to 8 digits"),
        ("１２３４５７", "not 6 to 8 digits"),  # full-width digits are not typed at a PIN pad
    ],
)
def test_which_new_pins_are_accepted(pin, weakness):
    assert pin_weakness(pin) == weakness


def test_a_refused_pin_says_what_is_accepted_and_never_echoes_the_pin():
    with pytest.raises(BadInput) as err:
        check_new_pin("111111")
    assert "one digit repeated" in err.value.message
    assert "6 to 8 digits" in err.value.message and "123456" in err.value.message
    with pytest.raises(BadInput) as err:
        check_new_pin("777777")
    assert "777777" not in err.value.message and err.value.code == "weak_pin"


def test_unlock_needs_a_lock_or_counted_failures():
    locked = StaffState(**{**MEMBER.__dict__, "locked_until": NOW + timedelta(minutes=3)})
    assert decide_unlock(locked, "ck1", NOW).code == "ck1"
    failing = StaffState(**{**MEMBER.__dict__, "failed_attempts": 2})
    assert decide_unlock(failing, "ck1", NOW).code == "ck1"
    with pytest.raises(RuleRefused, match="not locked"):
        decide_unlock(MEMBER, "ck1", NOW)
    expired = StaffState(**{**MEMBER.__dict__, "locked_until": NOW - timedelta(seconds=1)})
    with pytest.raises(RuleRefused, match="not locked"):
        decide_unlock(expired, "ck1", NOW)
    with pytest.raises(NotFound, match="no staff member has the code 'zz'"):
        decide_unlock(StaffState(), "zz", NOW)


def test_reset_hashes_an_accepted_pin_only():
    event = decide_reset_pin(MEMBER, "ck1", "246813", lambda pin: f"hash-of-{pin}")
    assert event.pin_hash == "hash-of-246813"
    with pytest.raises(BadInput, match="a run of digits"):
        decide_reset_pin(MEMBER, "ck1", "123456", lambda pin: "never")


def test_deactivation_needs_a_reason_and_another_admin():
    assert decide_deactivate(MEMBER, "ck1", "  left the bank ", "admin1").reason == "left the bank"
    with pytest.raises(BadInput, match="say why"):
        decide_deactivate(MEMBER, "ck1", "  ", "admin1")
    me = StaffState(**{**MEMBER.__dict__, "code": "admin1", "role": "admin"})
    with pytest.raises(RuleRefused, match="your own account"):
        decide_deactivate(me, "admin1", "tired", "admin1")
    gone = StaffState(**{**MEMBER.__dict__, "active": False})
    with pytest.raises(RuleRefused, match="already deactivated"):
        decide_deactivate(gone, "ck1", "again", "admin1")
    with pytest.raises(RuleRefused, match="deactivated"):
        decide_reset_pin(gone, "ck1", "246813", lambda pin: "h")


def test_edit_records_what_changed_and_keeps_an_admin():
    event = decide_edit(
        MEMBER,
        "ck1",
        name=None,
        role="marketer",
        branch="B03",
        branches=["B01", "B02", "B03"],
        acting="admin1",
    )
    assert (event.name, event.role, event.branch, event.changed) == (
        "王小明",
        "marketer",
        "B03",
        ["role", "branch"],
    )
    with pytest.raises(RuleRefused, match="nothing to change"):
        decide_edit(
            MEMBER,
            "ck1",
            name="王小明",
            role="checkin",
            branch=None,
            branches=["B02"],
            acting="admin1",
        )
    with pytest.raises(BadInput, match="unknown role 'boss'"):
        decide_edit(
            MEMBER, "ck1", name=None, role="boss", branch=None, branches=["B02"], acting="admin1"
        )
    with pytest.raises(BadInput, match="unknown branch 'B99'"):
        decide_edit(
            MEMBER, "ck1", name=None, role=None, branch="B99", branches=["B02"], acting="admin1"
        )
    with pytest.raises(BadInput, match="give --name, --role or --branch"):
        decide_edit(
            MEMBER, "ck1", name=None, role=None, branch=None, branches=["B02"], acting="admin1"
        )
    me = StaffState(**{**MEMBER.__dict__, "code": "admin1", "role": "admin"})
    with pytest.raises(RuleRefused, match="your own role"):
        decide_edit(
            me, "admin1", name=None, role="checkin", branch=None, branches=["B02"], acting="admin1"
        )
    assert decide_edit(
        me, "admin1", name="新名字", role=None, branch=None, branches=["B02"], acting="admin1"
    ).changed == ["name"]


def test_unlock_advice_names_the_admins_or_the_role():
    named, advice = unlock_advice("ck1", [("admin1", "管理员"), ("admin2", "李")])
    assert named == "管理员 (admin1), 李 (admin2)"
    assert advice == (
        "ask 管理员 (admin1), 李 (admin2) to unlock it with `upgradecamp staff unlock ck1`"
    )
    many = [(f"a{n}", f"n{n}") for n in range(5)]
    assert unlock_advice("ck1", many)[0].endswith("or 2 more")
    assert unlock_advice("ck1", [])[0] == "an admin (role admin)"
