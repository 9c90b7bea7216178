"""The event log on SQLite and PostgreSQL: append, concurrency, reading, hash chain, upcasting."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from upgradecamp.domain.errors import ConcurrencyConflict
from upgradecamp.domain.events import upcast
from upgradecamp.store.db import read_transaction, write_transaction
from upgradecamp.store.eventlog import EventLog, NewEvent, StreamAppend
from upgradecamp.store.schema import create_schema


@pytest.fixture
def log(engine):
    create_schema(engine)
    return EventLog(upcast=upcast)


def _append(engine, log, stream, expected, *payloads, meta=None):
    with write_transaction(engine) as conn:
        return log.append(
            conn,
            [StreamAppend(stream, expected, [NewEvent("Noted", 1, p) for p in payloads])],
            meta or {"actor": "t"},
        )


def test_append_assigns_positions_and_versions(engine, log):
    first = _append(engine, log, "a", 0, {"n": 1}, {"n": 2})
    second = _append(engine, log, "b", 0, {"n": 3})
    assert [e.position for e in first + second] == [1, 2, 3]
    assert [e.stream_version for e in first] == [1, 2]
    with read_transaction(engine) as conn:
        assert [e.payload["n"] for e in log.read_stream(conn, "a")] == [1, 2]
        assert [e.position for e in log.read_all(conn, after=1)] == [2, 3]
        assert log.head(conn)[0] == 3
        assert log.stream_version(conn, "a") == 2


def test_stale_expected_version_is_a_conflict_and_writes_nothing(engine, log):
    _append(engine, log, "a", 0, {"n": 1})
    with pytest.raises(ConcurrencyConflict, match="try again"):
        _append(engine, log, "a", 0, {"n": 99})
    with read_transaction(engine) as conn:
        assert [e.payload["n"] for e in log.read_stream(conn, "a")] == [1]
        assert log.head(conn)[0] == 1
        assert log.verify(conn).ok


def test_multi_stream_append_is_all_or_nothing(engine, log):
    _append(engine, log, "b", 0, {"n": 1})
    with pytest.raises(ConcurrencyConflict), write_transaction(engine) as conn:
        log.append(
            conn,
            [
                StreamAppend("a", 0, [NewEvent("Noted", 1, {"n": 2})]),
                StreamAppend("b", 0, [NewEvent("Noted", 1, {"n": 3})]),
            ],
            {},
        )
    with read_transaction(engine) as conn:
        assert log.read_stream(conn, "a") == []


def test_read_all_batches_and_limit(engine, log):
    with write_transaction(engine) as conn:
        log.append(
            conn,
            [StreamAppend(f"s{i}", 0, [NewEvent("Noted", 1, {"i": i})]) for i in range(25)],
            {},
        )
    with read_transaction(engine) as conn:
        assert [e.payload["i"] for e in log.read_all(conn, batch=4)] == list(range(25))
        assert len(list(log.read_all(conn, after=20, batch=3))) == 5
        assert len(list(log.read_all(conn, limit=7, batch=3))) == 7
        assert [e.position for e in log.tail(conn, 3)] == [23, 24, 25]


def test_metadata_and_recorded_at_round_trip(engine, log):
    meta = {
        "actor": "mk1",
        "terminal": "desk-2",
        "correlation_id": "c1",
        "causation_id": None,
        "idempotency_key": "k1",
    }
    _append(engine, log, "a", 0, {"name": "张三"}, meta=meta)
    with read_transaction(engine) as conn:
        (ev,) = log.read_stream(conn, "a")
    assert ev.meta == meta and ev.payload == {"name": "张三"}
    assert ev.recorded_at.tzinfo is not None


def test_verify_detects_changed_payload(engine, log):
    for i in range(5):
        _append(engine, log, f"s{i}", 0, {"i": i})
    with write_transaction(engine) as conn:
        conn.execute(
            text("UPDATE event_log SET payload = :p WHERE position = 3"), {"p": '{"i":42}'}
        )
    with read_transaction(engine) as conn:
        report = log.verify(conn)
    assert not report.ok and report.first_bad_position == 3


def test_verify_detects_truncated_tail(engine, log):
    for i in range(4):
        _append(engine, log, f"s{i}", 0, {"i": i})
    with write_transaction(engine) as conn:
        conn.execute(text("DELETE FROM event_log WHERE position = 4"))
    with read_transaction(engine) as conn:
        report = log.verify(conn)
    assert not report.ok and report.first_bad_position == 4
    assert "truncated" in report.problem


def test_verify_detects_missing_middle_row(engine, log):
    for i in range(4):
        _append(engine, log, f"s{i}", 0, {"i": i})
    with write_transaction(engine) as conn:
        conn.execute(text("DELETE FROM event_log WHERE position = 2"))
    with read_transaction(engine) as conn:
        report = log.verify(conn)
    assert not report.ok and report.first_bad_position == 2


def test_old_schema_versions_are_upcast_when_read(engine, log):
    v1 = {
        "client_id": "C1",
        "name": "王五",
        "mobile": "13800000000",
        "id_last4": "1234",
        "branch": "B01",
        "aum": "1.00",
        "marketing_consent": True,
    }
    with write_transaction(engine) as conn:
        log.append(conn, [StreamAppend("client-C1", 0, [NewEvent("ClientRegistered", 1, v1)])], {})
    with read_transaction(engine) as conn:
        (ev,) = log.read_stream(conn, "client-C1")
        assert log.verify(conn).ok
    assert ev.schema_version == 3  # v1 → v2 (contact status) → v3 (birthday)
    assert ev.payload["contact_status"] == "ok" and ev.payload["birthday"] is None
