"""Shared fixtures: a fresh initialised database per test, on SQLite and PostgreSQL.

PostgreSQL tests need UPGRADECAMP_TEST_PG (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test);
each test gets its own schema so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, create_engine, text

from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import Services, bootstrap
from upgradecamp.service.setup import initialise
from upgradecamp.store.db import make_engine

PG_URL = os.environ.get("UPGRADECAMP_TEST_PG")
PG_SKIP_REASON = "PostgreSQL tests need UPGRADECAMP_TEST_PG set to a server URL (.ci/run sets it)"

ADMIN = Actor(code="admin1", role="admin", branch="B01", name="管理员")
ADMIN_PIN = "1234"


class FakeClock:
    """A clock tests can move: lockouts and business dates without sleeping."""

    def __init__(self, start: datetime | None = None):
        self.now = start or datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _pg_engine() -> Iterator[Engine]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def engine(request, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(str(tmp_path / "test.db"))
        yield eng
        eng.dispose()
    else:
        if not PG_URL:
            pytest.skip(PG_SKIP_REASON)
        yield from _pg_engine()


@pytest.fixture
def services(engine, clock) -> Services:
    svc = bootstrap(engine=engine, clock=clock, terminal="test-terminal")
    initialise(svc, admin_code=ADMIN.code, admin_name=ADMIN.name, admin_pin=ADMIN_PIN)
    return svc


@pytest.fixture
def sqlite_services(tmp_path, clock) -> Services:
    svc = bootstrap(str(tmp_path / "one.db"), clock=clock, terminal="test-terminal")
    initialise(svc, admin_code=ADMIN.code, admin_name=ADMIN.name, admin_pin=ADMIN_PIN)
    return svc
