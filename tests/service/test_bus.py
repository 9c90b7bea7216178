"""The bus: idempotency keys, retries on concurrency conflicts, policies after commit."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import ADMIN
from upgradecamp.domain.commands import AddStaff, Command
from upgradecamp.domain.errors import ConcurrencyConflict, RuleRefused
from upgradecamp.domain.events import BranchRegistered, StaffAdded, streams
from upgradecamp.store.db import read_transaction, write_transaction
from upgradecamp.store.eventlog import NewEvent, StreamAppend


def _head(services):
    with read_transaction(services.engine) as conn:
        return services.log.head(conn)[0]


def test_repeated_idempotency_key_returns_first_result_and_writes_nothing(services):
    cmd = AddStaff(code="ck1", name="赵六", role="checkin", branch="B03", pin="432190")
    first = services.execute(cmd, ADMIN, idempotency_key="req-1")
    head = _head(services)
    again = services.execute(cmd, ADMIN, idempotency_key="req-1")
    assert again == first
    assert _head(services) == head
    with read_transaction(services.engine) as conn:
        (ev,) = services.log.read_stream(conn, "staff-ck1")
    assert ev.meta["idempotency_key"] == "req-1"


@dataclass(frozen=True)
class Touch(Command):
    code: str


def test_conflict_is_retried_with_fresh_state(services):
    calls = []

    def touch(uow, cmd):
        version = uow.stream_version(streams.branch(cmd.code))
        calls.append(version)
        if len(calls) == 1:  # another terminal writes to the same stream meanwhile
            with write_transaction(services.engine) as other:
                services.log.append(
                    other,
                    [
                        StreamAppend(
                            f"branch-{cmd.code}",
                            version,
                            [
                                NewEvent(
                                    "BranchRegistered",
                                    1,
                                    {
                                        "code": cmd.code,
                                        "name": "x",
                                        "kind": "satellite",
                                        "theme": "t",
                                    },
                                )
                            ],
                        )
                    ],
                    {},
                )
        uow.record(BranchRegistered(code=cmd.code, name="y", kind="satellite", theme="t"))
        return {"version": version}

    services.handlers[Touch] = touch
    assert services.execute(Touch("B09"), ADMIN) == {"version": 1}
    assert calls == [0, 1]


def test_persistent_conflict_surfaces_as_a_clear_error(services):
    def stale(uow, cmd):
        uow.record(BranchRegistered(code="B01", name="x", kind="core", theme="t"))
        return {}

    services.handlers[Touch] = stale
    with pytest.raises(ConcurrencyConflict, match="nothing was saved"):
        services.execute(Touch("B01"), ADMIN)


def test_after_commit_work_runs_once_committed_and_is_undone_on_every_failed_attempt(services):
    seen = []

    def conflicted_once(uow, cmd):
        attempt = sum(1 for s in seen if s.startswith("try"))
        seen.append(f"try {attempt}")
        uow.after_commit(
            lambda: seen.append(f"publish {attempt}"),
            otherwise=lambda: seen.append(f"discard {attempt}"),
        )
        if attempt == 0:
            raise ConcurrencyConflict("another terminal wrote first")
        uow.record(BranchRegistered(code=cmd.code, name="y", kind="satellite", theme="t"))
        return {}

    services.handlers[Touch] = conflicted_once
    services.execute(Touch("B09"), ADMIN)
    assert seen == ["try 0", "discard 0", "try 1", "publish 1"]
    seen.clear()
    with pytest.raises(ConcurrencyConflict):  # B09 exists now: the append itself conflicts
        services.execute(Touch("B09"), ADMIN)
    assert seen == ["try 0", "discard 0", "try 1", "discard 1", "try 2", "discard 2"]


def test_policies_run_after_commit_and_their_errors_surface(services):
    seen = []
    services.policies[StaffAdded] = [lambda svc, event, ev: seen.append((ev.type, _head(svc)))]
    services.execute(
        AddStaff(code="o1", name="钱七", role="organizer", branch="B01", pin="111109"), ADMIN
    )
    assert seen == [("StaffAdded", _head(services))]

    def broken(svc, event, ev):
        raise RuntimeError("policy failed")

    services.policies[StaffAdded] = [broken]
    with pytest.raises(RuntimeError, match="policy failed"):
        services.execute(
            AddStaff(code="o2", name="孙八", role="organizer", branch="B01", pin="111109"), ADMIN
        )
    with read_transaction(services.engine) as conn:
        assert services.log.stream_version(conn, "staff-o2") == 1


def test_a_policy_refused_by_a_rule_leaves_the_command_done_and_says_so(services):
    def refused(svc, event, ev):
        raise RuleRefused("no rule set is in force on 2027-01-04", "no_rule_set")

    services.policies[StaffAdded] = [refused]
    result = services.execute(
        AddStaff(code="o3", name="周九", role="organizer", branch="B01", pin="111109"), ADMIN
    )
    assert result["code"] == "o3"
    assert [(r["event"], r["code"]) for r in result["follow_on_refused"]] == [
        ("StaffAdded", "no_rule_set")
    ]
