"""Shared fixtures: a fresh initialised database per test, on SQLite and PostgreSQL.

PostgreSQL tests need UPGRADECAMP_TEST_PG (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test);
each test gets its own schema so tests never see each other's rows.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, text

from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import Services, bootstrap
from upgradecamp.service.setup import initialise
from upgradecamp.store.db import make_engine

# Property tests check values, not speed: no deadline anywhere (a loaded machine would fail
# them). CI also drops the too-slow health check (data generation on a busy 2-core runner) and
# runs the same examples every time; a failure prints the blob that reproduces it.
settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

PG_URL = os.environ.get("UPGRADECAMP_TEST_PG")
PG_SKIP_REASON = "PostgreSQL tests need UPGRADECAMP_TEST_PG set to a server URL (.ci/run sets it)"

ADMIN = Actor(code="admin1", role="admin", branch="B01", name="管理员")
ADMIN_PIN = "123409"


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch):
    """Texts are English in every test unless it asks for a language: a developer's LANG
    (zh_CN.UTF-8) must not change what the CLI and the exports print under test."""
    from upgradecamp import i18n

    monkeypatch.setenv("UPGRADECAMP_LANG", "en")
    yield
    i18n.set_language("en", load=False)


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


def copy_database(source: Path | str, target: Path | str) -> None:
    """A consistent copy of a SQLite database (its WAL included), through SQLite's backup, with
    its key file: the copy's log is signed and its PINs peppered with the same key."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    key = Path(f"{source}.key")
    if key.exists():
        Path(f"{target}.key").write_bytes(key.read_bytes())
        Path(f"{target}.key").chmod(0o600)


class DatabaseTemplates:
    """SQLite databases built once per session (per xdist worker) and copied into each test.

    Initialising a database creates the schema and hashes the admin's PIN (argon2), and every
    staff member added hashes another: built once under a key naming what was built (and the
    clock and terminal it was built with), each test gets its own copy in its own folder.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built: dict[Hashable, Path] = {}
        self.ends: dict[Hashable, datetime] = {}

    def copy(self, key: Hashable, target: Path | str, build: Callable[[str], None]) -> str:
        source = self.built.get(key)
        if source is None:
            source = self.folder / f"template-{len(self.built)}.db"
            build(str(source))
            self.built[key] = source
        copy_database(source, target)
        return str(target)

    def services(
        self,
        key: Hashable,
        target: Path | str,
        build: Callable[[Services], object],
        *,
        clock: Callable[[], datetime],
        terminal: str,
    ) -> Services:
        """Services on a copy of what `build(services)` writes to a new database.

        The template is built on a clock of its own starting where `clock` stands; a FakeClock
        the build moved (invitations weeks ahead, then back) is left where the build left it.
        """
        start = clock()
        ends: dict[str, datetime] = {}

        def make(path: str) -> None:
            own = FakeClock(start)
            svc = bootstrap(path, clock=own, terminal=terminal)
            build(svc)
            svc.engine.dispose()
            ends[path] = own.now

        full_key = (key, start, terminal)
        self.copy(full_key, target, make)
        if full_key not in self.ends:
            self.ends[full_key] = next(iter(ends.values()))
        if isinstance(clock, FakeClock):
            clock.now = self.ends[full_key]
        return bootstrap(str(target), clock=clock, terminal=terminal)


@pytest.fixture(scope="session")
def db_templates(tmp_path_factory: pytest.TempPathFactory) -> DatabaseTemplates:
    return DatabaseTemplates(tmp_path_factory.mktemp("templates"))


def initialised_copy(
    templates: DatabaseTemplates, target: Path | str, clock: Callable[[], datetime], terminal: str
) -> str:
    """A copy of a database initialised (admin ADMIN, PIN ADMIN_PIN) at `clock()` by `terminal`."""
    now = clock()

    def build(path: str) -> None:
        svc = bootstrap(path, clock=lambda: now, terminal=terminal)
        initialise(svc, admin_code=ADMIN.code, admin_name=ADMIN.name, admin_pin=ADMIN_PIN)
        svc.engine.dispose()

    return templates.copy(("initialised", now, terminal), target, build)


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
        # The key of a PostgreSQL database lives on the application host: one per test.
        request.getfixturevalue("monkeypatch").setenv(
            "UPGRADECAMP_KEY_FILE", str(tmp_path / "pg.key")
        )
        yield from _pg_engine()


@pytest.fixture
def services(engine, clock, db_templates) -> Services:
    if engine.dialect.name == "sqlite":  # a copy of the initialised database
        engine.dispose()
        initialised_copy(db_templates, engine.url.database, clock, "test-terminal")
        return bootstrap(engine=engine, clock=clock, terminal="test-terminal")
    svc = bootstrap(engine=engine, clock=clock, terminal="test-terminal")
    initialise(svc, admin_code=ADMIN.code, admin_name=ADMIN.name, admin_pin=ADMIN_PIN)
    return svc


@pytest.fixture
def sqlite_services(tmp_path, clock, db_templates) -> Services:
    path = initialised_copy(db_templates, tmp_path / "one.db", clock, "test-terminal")
    return bootstrap(path, clock=clock, terminal="test-terminal")
