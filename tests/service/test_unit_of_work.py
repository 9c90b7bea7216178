"""The unit of work takes each event's stream from the event, and its expected version from
what it read of that very stream: a stale read is caught, never silently appended."""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN
from upgradecamp.domain.errors import ConcurrencyConflict
from upgradecamp.domain.events import BranchRegistered, streams
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.db import read_transaction, write_transaction
from upgradecamp.store.eventlog import NewEvent, StreamAppend

META = {"actor": "admin1", "terminal": "t"}


def _branch(code: str, name: str) -> BranchRegistered:
    return BranchRegistered(code=code, name=name, kind="satellite", theme="t")


def _moved_meanwhile(services, conn, code: str, version: int) -> None:
    """Another writer's event on the stream after this unit of work read it (the same
    transaction stands in for another terminal: SQLite allows no interleaving)."""
    services.log.append(
        conn,
        [
            StreamAppend(
                streams.branch(code),
                version,
                [NewEvent("BranchRegistered", 1, _branch(code, "other").payload())],
            )
        ],
        {},
    )


def _versions(services, code: str) -> list[int]:
    with read_transaction(services.engine) as conn:
        return [e.stream_version for e in services.log.read_stream(conn, streams.branch(code))]


def test_a_stale_version_on_the_events_stream_is_caught(services):
    with pytest.raises(ConcurrencyConflict):
        with write_transaction(services.engine) as conn:
            uow = UnitOfWork(conn, services.log, ADMIN, META, services.clock)
            version = uow.stream_version(streams.branch("B01"))
            assert version == 1
            _moved_meanwhile(services, conn, "B01", version)
            uow.record(_branch("B01", "late"))
            uow.commit()
    assert _versions(services, "B01") == [1]


def test_the_first_read_stays_the_expectation(services):
    """A second read after the stream moved does not move the expectation forward."""
    with pytest.raises(ConcurrencyConflict):
        with write_transaction(services.engine) as conn:
            uow = UnitOfWork(conn, services.log, ADMIN, META, services.clock)
            uow.read_stream(streams.branch("B01"))
            _moved_meanwhile(services, conn, "B01", 1)
            assert uow.stream_version(streams.branch("B01")) == 2
            uow.record(_branch("B01", "late"))
            uow.commit()


def test_a_version_read_of_another_stream_does_not_carry_over(services):
    """Reading B02's version says nothing of B01's: B01 is expected new and conflicts."""
    with pytest.raises(ConcurrencyConflict):
        with write_transaction(services.engine) as conn:
            uow = UnitOfWork(conn, services.log, ADMIN, META, services.clock)
            assert uow.stream_version(streams.branch("B02")) == 1
            uow.record(_branch("B01", "wrong stream"))
            uow.commit()


def test_a_fresh_read_appends_at_the_next_version(services):
    with write_transaction(services.engine) as conn:
        uow = UnitOfWork(conn, services.log, ADMIN, META, services.clock)
        uow.expect({streams.branch("B01"): 1})
        uow.record(_branch("B01", "renamed"), _branch("B01", "again"))
        stored = uow.commit()
    assert [(e.stream_id, e.stream_version) for e in stored] == [
        ("branch-B01", 2),
        ("branch-B01", 3),
    ]
    assert _versions(services, "B01") == [1, 2, 3]


def test_an_explicit_version_is_refused(services):
    with write_transaction(services.engine) as conn:
        uow = UnitOfWork(conn, services.log, ADMIN, META, services.clock)
        with pytest.raises(TypeError, match="events only"):
            uow.record(0, _branch("B09", "x"))  # type: ignore[arg-type]
