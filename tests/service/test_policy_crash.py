"""Policies that survive a crash (issue 12): a process killed between a command's commit and
its policy (os._exit, as kill -9) leaves the follow-up work owed; the next process to open the
database does it, once; a refused follow-on is said on the CLI's stderr."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import ADMIN, FakeClock
from tests.helpers import client_row
from upgradecamp.cli import app
from upgradecamp.domain.commands import (
    AddStaff,
    BuildInviteList,
    CheckIn,
    OpenSession,
    PlanSessions,
    RegisterClients,
)
from upgradecamp.domain.errors import RuleRefused
from upgradecamp.domain.events import StaffAdded
from upgradecamp.domain.staff import Actor
from upgradecamp.service import policies
from upgradecamp.service.bus import bootstrap
from upgradecamp.service.policy_tracking import catch_up
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.policy_positions import tracked_position
from upgradecamp.store.tables.followups import FollowUpRow

runner = CliRunner()
SESSION = "B02-20261120-1500"
ORG = Actor("org2", "organizer", "B02")

KILLED_BETWEEN_COMMIT_AND_POLICY = textwrap.dedent("""
    import os, sys
    from datetime import UTC, datetime
    from upgradecamp.domain.commands import CloseSession
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services, bootstrap

    # The fault: the process dies the moment the close is committed, before any policy.
    Services._run_policies = lambda self, stored, meta: os._exit(137)
    services = bootstrap(sys.argv[1], clock=lambda: datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
    services.execute(CloseSession(session_id=sys.argv[2]), Actor("org2", "organizer", "B02"))
    print("policies ran")
""")


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    path = str(tmp_path / "crash.db")
    monkeypatch.delenv("UPGRADECAMP_KEY_FILE", raising=False)
    result = runner.invoke(
        app, ["init", "--admin", "admin1", "--db", path], env={"UPGRADECAMP_PIN": "123409"}
    )
    assert result.exit_code == 0, result.output
    clock = FakeClock()
    services = bootstrap(path, clock=clock, terminal="setup")
    for code, role in (("org2", "organizer"), ("ck2", "checkin")):
        services.execute(
            AddStaff(code=code, name=f"员工{code}", role=role, branch="B02", pin="246810"), ADMIN
        )
    services.execute(RegisterClients(clients=[client_row(n) for n in (1, 2, 3)]), ADMIN)
    clock.advance(days=-40)
    services.execute(PlanSessions(branch="B02", start="2026-11-20 15:00"), ORG)
    services.execute(BuildInviteList(session_id=SESSION), ORG)
    clock.advance(days=40)
    desk = Actor("ck2", "checkin", "B02")
    services.execute(OpenSession(session_id=SESSION), desk)
    services.execute(CheckIn(session_id=SESSION, client_id="C000001"), desk)
    services.engine.dispose()
    return path


def _followups(path: str) -> int:
    services = bootstrap(path)
    with read_transaction(services.engine) as conn:
        return conn.execute(select(func.count()).select_from(FollowUpRow)).scalar()


def test_a_kill_between_commit_and_policy_is_caught_up_by_the_next_process(db):
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BETWEEN_COMMIT_AND_POLICY, db, SESSION],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 137, killed.stderr
    assert "policies ran" not in killed.stdout
    assert _followups(db) == 0  # closed, and its follow-ups owed
    opened = runner.invoke(app, ["log", "verify", "--db", db])  # any process that opens it
    assert opened.exit_code == 0, opened.output
    made = _followups(db)
    assert made >= 2  # the checked-in client's call and the invitees who stayed away
    services = bootstrap(db)
    with read_transaction(services.engine) as conn:
        head = EventLog.head(conn)[0]
        assert 0 < tracked_position(conn) <= head  # where it read up to, before acting
    # A second catch-up, from an old position, acts on nothing twice.
    from sqlalchemy import text

    from upgradecamp.store.db import write_transaction

    with write_transaction(services.engine) as conn:
        conn.execute(text("UPDATE policy_positions SET position = 0"))
    assert catch_up(services) == []
    assert _followups(db) == made
    with read_transaction(services.engine) as conn:
        assert EventLog.head(conn)[0] == head


def test_a_refused_follow_on_is_said_on_stderr_not_only_in_json(db, monkeypatch):
    def refused(_services, _event, _stored):
        raise RuleRefused("no rule set is in force on 2027-01-04; publish 2027Q1")

    monkeypatch.setitem(policies.POLICIES, StaffAdded, [refused])
    result = runner.invoke(
        app,
        [
            "staff",
            "add",
            "mk9",
            "--name",
            "赵六",
            "--role",
            "marketer",
            "--branch",
            "B02",
            "--db",
            db,
            "--as",
            "admin1",
        ],
        env={"UPGRADECAMP_PIN": "123409", "UPGRADECAMP_NEW_PIN": "135792"},
    )
    assert result.exit_code == 0, result.output
    assert "added" in result.stdout or "mk9" in result.stdout
    lines = [line for line in result.stderr.splitlines() if "follow-on for StaffAdded" in line]
    assert lines and "no rule set is in force" in lines[-1]
