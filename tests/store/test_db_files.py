"""Files that hold clients' data are their owner's alone (0600): a new database, its -wal and
-shm, and every export; and a PostgreSQL server that does not answer ends the wait."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from tests.cli.pg_servers import closed_port
from upgradecamp.cli import app
from upgradecamp.store.db import PG_CONNECT_TIMEOUT_S, make_engine
from upgradecamp.store.schema import create_schema

runner = CliRunner()
OWNER_ONLY = 0o600


@pytest.fixture(autouse=True)
def everyone_may_read_by_default() -> Iterator[None]:
    """The usual umask, under which a plainly created file is readable by all (0644)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_wal_and_shm_are_owner_only(tmp_path):
    path = tmp_path / "branch.db"
    engine = make_engine(str(path))
    create_schema(engine)
    with engine.connect():  # an open connection keeps the -wal and -shm in place
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(f.exists() for f in files), sorted(p.name for p in tmp_path.iterdir())
        assert {f.name: oct(_mode(f)) for f in files} == {f.name: oct(OWNER_ONLY) for f in files}
    engine.dispose()


def test_an_existing_database_keeps_the_mode_its_owner_gave_it(tmp_path):
    path = tmp_path / "shared-with-backup-group.db"
    create_schema(make_engine(str(path)))
    path.chmod(0o640)
    engine = make_engine(str(path))
    with engine.connect():
        assert _mode(path) == 0o640
    engine.dispose()


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("UPGRADECAMP_PIN", "123409")
    monkeypatch.delenv("UPGRADECAMP_AS", raising=False)
    path = tmp_path / "cli.db"
    result = runner.invoke(app, ["init", "--admin", "admin1", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert _mode(path) == OWNER_ONLY
    return str(path)


def test_export_files_are_owner_only(db, tmp_path):
    written = []
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / f"clients.{fmt}"
        result = runner.invoke(
            app,
            ["export", "clients", "--format", fmt, "--out", str(out), "--db", db, "--as", "admin1"],
        )
        assert result.exit_code == 0, result.output
        written.append(out)
    report = tmp_path / "campaign.xlsx"
    result = runner.invoke(
        app,
        [
            "report",
            "campaign",
            "--format",
            "xlsx",
            "--out",
            str(report),
            "--db",
            db,
            "--as",
            "admin1",
        ],
    )
    assert result.exit_code == 0, result.output
    written.append(report)
    assert {p.name: oct(_mode(p)) for p in written} == {p.name: oct(OWNER_ONLY) for p in written}


def test_call_and_sms_lists_are_owner_only(tmp_path):
    from upgradecamp.io.spreadsheet import write_csv

    out = tmp_path / "calls.csv"
    assert write_csv(out, ["name", "mobile"], [["张三", "138****5678"]]) == 1
    assert _mode(out) == OWNER_ONLY


def test_the_driver_is_told_to_stop_waiting_for_postgresql():
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test")
    given: dict[str, object] = {}

    @event.listens_for(engine, "do_connect")
    def _seen(_dialect, _record, _cargs, cparams) -> None:
        given.update(cparams)

    with pytest.raises(OperationalError):
        engine.connect()
    assert given.get("connect_timeout") == PG_CONNECT_TIMEOUT_S < 5
