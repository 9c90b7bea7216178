"""An admin's staff commands through the handlers: events, read tables, sign-in afterwards."""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN, ADMIN_PIN
from tests.helpers import dump_read_tables
from upgradecamp.domain.commands import (
    AddStaff,
    DeactivateStaff,
    EditStaff,
    ResetStaffPin,
    UnlockStaff,
    VerifyPin,
)
from upgradecamp.domain.errors import (
    AccountLocked,
    BadInput,
    PermissionDenied,
    RuleRefused,
    WrongPin,
)
from upgradecamp.domain.staff import MAX_PIN_FAILURES, Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.queries import staff_directory
from upgradecamp.queries.staff import staff_accounts
from upgradecamp.service.bus import bootstrap
from upgradecamp.service.setup import initialise
from upgradecamp.store.db import read_transaction

ANON = Actor(code="?", role="unverified")
PIN = "246813"
NEW_PIN = "975318"
ORGANIZER = Actor(code="org1", role="organizer", branch="B01")


@pytest.fixture
def svc(services):
    services.execute(
        AddStaff(code="ck1", name="王小明", role="checkin", branch="B02", pin=PIN), ADMIN
    )
    return services


def lock(svc, code="ck1"):
    for _ in range(MAX_PIN_FAILURES - 1):
        with pytest.raises(WrongPin):
            svc.execute(VerifyPin(code=code, pin="0000"), ANON)
    with pytest.raises(AccountLocked) as err:
        svc.execute(VerifyPin(code=code, pin="0000"), ANON)
    return err.value


def stream(svc, code="ck1"):
    with read_transaction(svc.engine) as conn:
        return svc.log.read_stream(conn, f"staff-{code}")


def account(svc, code="ck1"):
    return next(a for a in staff_accounts(svc.engine, svc.clock()) if a.code == code)


def test_the_lockout_names_who_can_unlock_and_how(svc):
    locked = lock(svc)
    assert "ask 管理员 (admin1) to unlock it with `upgradecamp staff unlock ck1`" in locked.message
    assert locked.params["admins"] == "管理员 (admin1)"
    with pytest.raises(AccountLocked, match="管理员 \\(admin1\\)"):
        svc.execute(VerifyPin(code="ck1", pin=PIN), ANON)


def test_an_admin_unlocks_and_the_member_signs_in_again(svc):
    lock(svc)
    assert account(svc).status == "locked"
    assert svc.execute(UnlockStaff(code="ck1"), ADMIN) == {"code": "ck1", "unlocked": True}
    (unlocked,) = stream(svc)[-1:]
    assert (unlocked.type, unlocked.meta["actor"]) == ("StaffUnlocked", "admin1")
    assert account(svc).status == "active" and account(svc).failed_attempts == 0
    assert svc.execute(VerifyPin(code="ck1", pin=PIN, record_sign_in=True), ANON)["code"] == "ck1"
    assert account(svc).last_signed_in == svc.clock()
    with pytest.raises(RuleRefused, match="not locked"):
        svc.execute(UnlockStaff(code="ck1"), ADMIN)


def test_only_an_admin_administers_staff(svc):
    for command in (
        UnlockStaff(code="ck1"),
        ResetStaffPin(code="ck1", pin=NEW_PIN),
        DeactivateStaff(code="ck1", reason="x"),
        EditStaff(code="ck1", name="y"),
    ):
        with pytest.raises(PermissionDenied, match="org1 \\(organizer\\) may not"):
            svc.execute(command, ORGANIZER)


def test_a_reset_pin_replaces_the_old_one_and_ends_a_lockout(svc):
    lock(svc)
    with pytest.raises(BadInput, match="one digit repeated"):
        svc.execute(ResetStaffPin(code="ck1", pin="222222"), ADMIN)
    svc.execute(ResetStaffPin(code="ck1", pin=NEW_PIN), ADMIN)
    event = stream(svc)[-1]
    assert event.type == "StaffPinReset" and NEW_PIN not in event.payload["pin_hash"]
    assert svc.execute(VerifyPin(code="ck1", pin=NEW_PIN), ANON)["code"] == "ck1"
    with pytest.raises(WrongPin):
        svc.execute(VerifyPin(code="ck1", pin=PIN), ANON)


def test_a_deactivated_member_cannot_sign_in_and_keeps_their_history(svc):
    svc.execute(VerifyPin(code="ck1", pin=PIN, record_sign_in=True), ANON)
    svc.execute(DeactivateStaff(code="ck1", reason="transferred to another city"), ADMIN)
    with pytest.raises(RuleRefused, match="ck1 is deactivated and cannot sign in"):
        svc.execute(VerifyPin(code="ck1", pin=PIN), ANON)
    assert [e.type for e in stream(svc)] == ["StaffAdded", "StaffSignedIn", "StaffDeactivated"]
    assert "ck1" not in {m["code"] for m in staff_directory(svc.engine, svc.clock())}
    gone = account(svc)
    assert (gone.status, gone.deactivated_reason) == ("deactivated", "transferred to another city")
    assert gone.last_signed_in is not None
    with pytest.raises(RuleRefused, match="your own account"):
        svc.execute(DeactivateStaff(code="admin1", reason="x"), ADMIN)


def test_an_edit_changes_what_the_next_sign_in_gets(svc):
    result = svc.execute(EditStaff(code="ck1", role="marketer", branch="B03"), ADMIN)
    assert result["changed"] == ["role", "branch"]
    who = svc.execute(VerifyPin(code="ck1", pin=PIN), ANON)
    assert (who["role"], who["branch"], who["name"]) == ("marketer", "B03", "王小明")
    with pytest.raises(BadInput, match="unknown branch 'B99'"):
        svc.execute(EditStaff(code="ck1", branch="B99"), ADMIN)


@pytest.mark.parametrize("pin", ["1234", "111111", "123456", "654321"])
def test_new_staff_and_the_first_admin_need_a_pin_the_policy_accepts(svc, tmp_path, pin):
    with pytest.raises(BadInput, match="6 to 8 digits"):
        svc.execute(AddStaff(code="mk9", name="张", role="marketer", branch="B02", pin=pin), ADMIN)
    fresh = tmp_path / "fresh.db"
    with pytest.raises(BadInput, match="6 to 8 digits"):
        initialise(bootstrap(str(fresh)), admin_code="a1", admin_name="a", admin_pin=pin)
    assert not fresh.exists()  # refused before the schema: nothing left behind
    assert svc.execute(VerifyPin(code="admin1", pin=ADMIN_PIN), ANON)["role"] == "admin"


def test_replay_rebuilds_the_staff_table_row_for_row(svc, clock):
    lock(svc)
    svc.execute(UnlockStaff(code="ck1"), ADMIN)
    svc.execute(VerifyPin(code="ck1", pin=PIN, record_sign_in=True), ANON)
    clock.advance(minutes=5)
    svc.execute(ResetStaffPin(code="ck1", pin=NEW_PIN), ADMIN)
    svc.execute(EditStaff(code="ck1", name="王大明"), ADMIN)
    svc.execute(DeactivateStaff(code="ck1", reason="left"), ADMIN)
    live = dump_read_tables(svc.engine)
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live
