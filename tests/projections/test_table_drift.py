"""Read tables that cannot drift silently (issue 12): an edited points balance is named, table
and row, by `log verify --tables`, and flagged by every process that opens the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from upgradecamp.cli import app
from upgradecamp.domain.commands import CreditBonus
from upgradecamp.domain.staff import SYSTEM
from upgradecamp.projections.compare import compare_with_log, quick_check
from upgradecamp.service.bus import bootstrap
from upgradecamp.store.db import write_transaction

runner = CliRunner()


@pytest.fixture
def db(sqlite_services, tmp_path, monkeypatch) -> Path:
    """A database with one client holding points (a referral bonus credited by the system)."""
    from tests.helpers import client_row
    from upgradecamp.domain.commands import RegisterClients

    services = sqlite_services
    services.execute(RegisterClients(clients=[client_row(1), client_row(2)]), SYSTEM)
    services.execute(
        CreditBonus(
            client_id="C000001",
            kind="referral_checkin",
            reference="C000002",
            on="2026-11-20",
            referred_client="C000002",
        ),
        SYSTEM,
    )
    monkeypatch.setenv("UPGRADECAMP_PIN", "123409")
    return Path(services.engine.url.database)


def _forge_balance(db: Path) -> None:
    services = bootstrap(str(db))
    with write_transaction(services.engine) as conn:
        conn.execute(text("UPDATE client_points SET balance = balance + 100000"))
    services.engine.dispose()


def test_untouched_tables_agree_with_the_log(db):
    services = bootstrap(str(db))
    assert quick_check(services.engine) == []
    assert compare_with_log(services.engine, services.log) == []
    result = runner.invoke(app, ["log", "verify", "--tables", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "every read table is what the log rebuilds" in result.stdout


def test_an_edited_balance_is_named_by_table_and_row(db):
    _forge_balance(db)
    result = runner.invoke(app, ["log", "verify", "--tables", "--db", str(db), "--json"])
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert [d["table"] for d in body["tables"]] == ["client_points"]
    assert (
        "client_id=C000001: balance 100500 here, 500 from the log" in body["tables"][0]["rows"][0]
    )
    assert "client_points row client_id=C000001" in result.stderr


def test_an_edited_balance_is_flagged_by_any_process_opening_the_database(db):
    _forge_balance(db)
    result = runner.invoke(app, ["log", "verify", "--db", str(db)])
    assert result.exit_code == 0  # the chain itself is intact
    assert (
        "warning: the points balances (client_points) add up to 100500 but their ledger "
        "(points_ledger) to 500" in result.stderr
    )
    assert "log verify --tables" in result.stderr
    replay = runner.invoke(app, ["log", "replay", "--db", str(db), "--as", "admin1"])
    assert replay.exit_code == 0, replay.output
    again = runner.invoke(app, ["log", "verify", "--db", str(db)])
    assert "warning" not in again.stderr


def test_read_tables_behind_the_log_are_flagged(db):
    services = bootstrap(str(db))
    with write_transaction(services.engine) as conn:
        conn.execute(text("UPDATE projection_position SET position = position - 1"))
    problems = quick_check(services.engine)
    assert len(problems) == 1 and "the read tables are at position" in problems[0]


def test_a_row_deleted_behind_the_logs_back_is_flagged_on_opening(db):
    """The per-table counts digest: a deleted client row is named without a replay, and a
    replay puts the table and its count right again."""
    services = bootstrap(str(db))
    with write_transaction(services.engine) as conn:
        conn.execute(text("DELETE FROM clients WHERE client_id = 'C000002'"))
    assert quick_check(services.engine) == [
        "the table clients holds 1 rows, but the log's projections left 2"
    ]
    result = runner.invoke(app, ["log", "verify", "--db", str(db)])
    assert "warning: the table clients holds 1 rows" in result.stderr
    replay = runner.invoke(app, ["log", "replay", "--db", str(db), "--as", "admin1"])
    assert replay.exit_code == 0, replay.output
    assert quick_check(bootstrap(str(db)).engine) == []


def test_the_counts_follow_every_command_and_a_replay(db):
    """Recorded counts equal the tables after live commands and after a replay."""
    from upgradecamp.projections.rebuild import rebuild

    services = bootstrap(str(db))
    with write_transaction(services.engine) as conn:
        live = dict(conn.execute(text("SELECT name, rows FROM read_table_counts")).all())
        for name, rows in live.items():
            assert conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() == rows
    assert live["clients"] == 2 and live["points_ledger"] >= 1
    rebuild(services.engine, services.log)
    with write_transaction(services.engine) as conn:
        rebuilt = dict(conn.execute(text("SELECT name, rows FROM read_table_counts")).all())
    assert {k: rebuilt[k] for k in live} == live
