"""PINs useless without the key (issue 12): a PIN hash copied from the database cannot be
checked offline, not even against the right PIN; hashes from before the pepper still sign in
and are peppered on the way."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select

from tests.conftest import ADMIN, ADMIN_PIN
from upgradecamp.domain.commands import AddStaff, ResetStaffPin, VerifyPin
from upgradecamp.domain.staff import Actor
from upgradecamp.service import staff_admin
from upgradecamp.service.auth import (
    PEPPERED,
    hash_pin,
    is_peppered,
    pin_matches,
    remembering_matches,
)
from upgradecamp.service.bus import bootstrap
from upgradecamp.store.db import read_transaction
from upgradecamp.store.keyfile import KeyFileError
from upgradecamp.store.tables import StaffRow

NEW_PIN = "246810"


def _staff_hash(services, code: str) -> str:
    with read_transaction(services.engine) as conn:
        return conn.execute(select(StaffRow.pin_hash).where(StaffRow.code == code)).scalar()


def _added_hash(services, code: str) -> str:
    with read_transaction(services.engine) as conn:
        events = services.log.read_stream(conn, f"staff-{code}")
    return next(e.payload["pin_hash"] for e in events if e.type == "StaffAdded")


def test_a_stolen_pin_hash_cannot_be_checked_without_the_key(sqlite_services):
    services = sqlite_services
    services.execute(
        AddStaff(code="ck1", name="王五", role="checkin", branch="B02", pin=NEW_PIN), ADMIN
    )
    stolen = _added_hash(services, "ck1")
    assert stolen.startswith(PEPPERED)
    # The attacker's offline check: argon2 against the right PIN itself fails.
    with pytest.raises(VerificationError):
        PasswordHasher().verify(stolen[len(PEPPERED) :], NEW_PIN)
    with pytest.raises(KeyFileError, match="key file"):
        pin_matches(stolen, NEW_PIN)
    assert pin_matches(stolen, NEW_PIN, services.log.key.pepper)
    assert not pin_matches(stolen, "135792", services.log.key.pepper)


def test_without_the_key_file_no_one_signs_in_and_no_failure_is_counted(sqlite_services):
    path = sqlite_services.engine.url.database
    Path(f"{path}.key").rename(f"{path}.key.away")
    keyless = bootstrap(path)
    with pytest.raises(KeyFileError, match="key file"):
        keyless.execute(VerifyPin(code=ADMIN.code, pin=ADMIN_PIN), Actor("?", "unverified"))
    with pytest.raises(KeyFileError):
        keyless.execute(VerifyPin(code=ADMIN.code, pin="135792"), Actor("?", "unverified"))
    with read_transaction(keyless.engine) as conn:
        assert keyless.log.stream_version(conn, f"staff-{ADMIN.code}") == 1


def test_an_unpeppered_hash_still_signs_in_and_is_peppered_on_the_way(sqlite_services, monkeypatch):
    services = sqlite_services
    services.execute(
        AddStaff(code="ck1", name="王五", role="checkin", branch="B02", pin=NEW_PIN), ADMIN
    )
    # As a database from before the pepper held it: the reset hashes without one.
    monkeypatch.setattr(staff_admin, "pepper", lambda _uow: None)
    services.execute(ResetStaffPin(code="ck1", pin="135792"), ADMIN)
    assert not is_peppered(_staff_hash(services, "ck1"))
    monkeypatch.undo()
    found = services.execute(VerifyPin(code="ck1", pin="135792"), Actor("?", "unverified"))
    assert found["code"] == "ck1"
    assert is_peppered(_staff_hash(services, "ck1"))
    with read_transaction(services.engine) as conn:
        last = services.log.read_stream(conn, "staff-ck1")[-1]
    assert last.type == "StaffPinPeppered"
    # Once peppered, the next sign-in records nothing more.
    services.execute(VerifyPin(code="ck1", pin="135792"), Actor("?", "unverified"))
    with read_transaction(services.engine) as conn:
        assert services.log.read_stream(conn, "staff-ck1")[-1].position == last.position


def test_remembered_pin_checks_are_keyed_by_the_pepper_too():
    """The demo's remembering cache answers as argon2 would: another pepper, another answer,
    and a missing pepper still refuses (KeyFileError) rather than reading a remembered yes."""
    pepper, other = b"p" * 32, b"q" * 32
    peppered = hash_pin(NEW_PIN, pepper=pepper)
    with remembering_matches():
        assert pin_matches(peppered, NEW_PIN, pepper)
        assert pin_matches(peppered, NEW_PIN, pepper)
        assert not pin_matches(peppered, NEW_PIN, other)
        assert not pin_matches(peppered, "135790", pepper)
        with pytest.raises(KeyFileError):
            pin_matches(peppered, NEW_PIN)
