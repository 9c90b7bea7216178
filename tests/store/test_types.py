"""Instants in the database: aware UTC out, the same stored text as before, zones compared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from upgradecamp.domain.clock import SHANGHAI, day_bounds_utc
from upgradecamp.store.db import read_transaction, write_transaction
from upgradecamp.store.eventlog import EventLog, NewEvent, StreamAppend
from upgradecamp.store.schema import create_schema
from upgradecamp.store.tables.sessions import CheckInRow

AT = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)  # 07:30 on 11-20 in Beijing


def _check_in(conn, checkin_id: str, at: datetime) -> None:
    conn.execute(
        CheckInRow.__table__.insert().values(
            checkin_id=checkin_id,
            session_id="S",
            client_id="C",
            walk_in=False,
            method="code",
            at=at,
            by="ck1",
            terminal="t",
        )
    )


def test_a_read_table_gives_back_aware_utc_and_keeps_its_text(engine):
    create_schema(engine)
    with write_transaction(engine) as conn:
        _check_in(conn, "K1", AT.astimezone(SHANGHAI))  # any zone in, UTC stored
    with read_transaction(engine) as conn:
        at = conn.execute(select(CheckInRow.at)).scalar_one()
        raw = conn.exec_driver_sql("SELECT at FROM checkins").scalar_one()
    assert at == AT and at.tzinfo is UTC
    if engine.dialect.name == "sqlite":
        assert raw == "2026-11-19 23:30:00.000000"  # DateTime's naive UTC text, as before


def test_a_beijing_day_bound_finds_an_early_morning_instant(engine):
    """Before the column type, SQLite compared the bound's wall clock with the stored UTC."""
    create_schema(engine)
    with write_transaction(engine) as conn:
        _check_in(conn, "K1", AT)
        _check_in(conn, "K2", AT - timedelta(hours=8))  # 15:30 the day before, in Beijing
    start = datetime(2026, 11, 20, tzinfo=SHANGHAI)
    with read_transaction(engine) as conn:
        found = (
            conn.execute(
                select(CheckInRow.checkin_id).where(
                    CheckInRow.at >= start, CheckInRow.at < start + timedelta(days=1)
                )
            )
            .scalars()
            .all()
        )
    assert found == ["K1"]
    assert day_bounds_utc(start.date()) == (
        datetime(2026, 11, 19, 16, tzinfo=UTC),
        datetime(2026, 11, 20, 16, tzinfo=UTC),
    )


def test_a_naive_instant_is_refused(engine):
    create_schema(engine)
    with pytest.raises(Exception, match="no time zone"):
        with write_transaction(engine) as conn:
            _check_in(conn, "K1", AT.replace(tzinfo=None))


def test_the_log_keeps_its_iso_text_and_reads_back_aware_utc(engine):
    create_schema(engine)
    log = EventLog(clock=lambda: AT.astimezone(SHANGHAI))
    with write_transaction(engine) as conn:
        [stored] = log.append(conn, [StreamAppend("s", 0, [NewEvent("Noted", 1, {})])], {})
    with read_transaction(engine) as conn:
        raw = conn.execute(text("SELECT recorded_at FROM event_log")).scalar_one()
        [read] = log.read_stream(conn, "s")
        [replayed] = list(log.read_all(conn))
        assert log.verify(conn).ok
    assert raw == "2026-11-19T23:30:00.000000+00:00"  # the text the hash covers
    assert stored.recorded_at == read.recorded_at == replayed.recorded_at == AT
    assert read.recorded_at.tzinfo is not None


def test_instants_read_once_per_distinct_value_stay_right_past_the_memo(engine, monkeypatch):
    from upgradecamp.store import types

    monkeypatch.setattr(types, "_MEMO_SIZE", 3)  # the memo empties itself every 3 values
    create_schema(engine)
    instants = [AT + timedelta(minutes=n % 5) for n in range(12)]
    with write_transaction(engine) as conn:
        for n, at in enumerate(instants):
            _check_in(conn, f"K{n:02d}", at)
    with read_transaction(engine) as conn:
        read = conn.execute(select(CheckInRow.at).order_by(CheckInRow.checkin_id)).scalars().all()
    assert read == instants
    assert all(at.tzinfo is UTC for at in read)
