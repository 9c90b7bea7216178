"""Targets and results (EPE): targets set per marketer and month (the latest counts), the
review's results against them, conversion rates, follow-ups on time, the ranking, replay."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import ADMIN
from tests.helpers import client_row, dump_read_tables
from upgradecamp.domain.commands import (
    AddStaff,
    ApproveForm,
    CheckIn,
    CloseSession,
    OpenSession,
    PlanSessions,
    RecordFollowUpOutcome,
    RegisterClients,
    SetTarget,
    SubmitForm,
)
from upgradecamp.domain.errors import BadInput, PermissionDenied, RuleRefused
from upgradecamp.domain.staff import Actor
from upgradecamp.domain.targets import Result, ranked
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.queries.targets import marketer_review, review_json

PIN = "246809"
ORG = Actor(code="org2", role="organizer", branch="B02", name="赵六")
DESK = Actor(code="ck2", role="checkin", branch="B02", name="钱七")
MK = Actor(code="mk2", role="marketer", branch="B02", name="王五")
MK3 = Actor(code="mk3", role="marketer", branch="B02", name="孙八")
HEAD = Actor(code="bh2", role="branch_head", branch="B02", name="周行长")
SESSION = "B02-20261120-1500"


@pytest.fixture
def svc(services):
    for actor in (ORG, DESK, MK, MK3, HEAD):
        services.execute(
            AddStaff(
                code=actor.code, name=actor.name, role=actor.role, branch=actor.branch, pin=PIN
            ),
            ADMIN,
        )
    services.execute(RegisterClients(clients=[client_row(n, rm="mk2") for n in (1, 2, 3)]), ADMIN)
    services.execute(
        PlanSessions(branch="B02", start="2026-11-20 15:00", host="mk3", presenter="org2"), ORG
    )
    services.execute(OpenSession(session_id=SESSION), DESK)
    for n in (1, 2, 3):
        services.execute(CheckIn(session_id=SESSION, client_id=f"C{n:06d}"), DESK)
    for n in (1, 2):
        services.execute(
            SubmitForm(
                session_id=SESSION, client_id=f"C{n:06d}", lines=(("fund", "10000", "new"),)
            ),
            MK,
        )
    services.execute(ApproveForm(form_id=f"{SESSION}-F01", pin=PIN), HEAD)
    services.clock.advance(hours=6)
    services.execute(CloseSession(session_id=SESSION), ORG)  # FP C1 and IC C3, due 11-23
    return services


def test_targets_are_set_by_a_head_for_marketers_and_the_latest_counts(svc):
    with pytest.raises(PermissionDenied):
        svc.execute(SetTarget(staff="mk2", month="2026-11", forms=5), MK)
    with pytest.raises(RuleRefused):
        svc.execute(SetTarget(staff="ck2", month="2026-11", forms=5), HEAD)
    with pytest.raises(BadInput):
        svc.execute(SetTarget(staff="mk2", month="2026-13", forms=5), HEAD)
    with pytest.raises(BadInput):
        svc.execute(SetTarget(staff="mk2", month="2026-11"), HEAD)
    svc.execute(SetTarget(staff="mk2", month="2026-11", forms=5), HEAD)
    done = svc.execute(
        SetTarget(staff="mk2", month="2026-11", forms=4, upgrades=2, converted_aum="100000"), HEAD
    )
    assert done == {
        "staff": "mk2",
        "month": "2026-11",
        "forms": 4,
        "upgrades": 2,
        "converted_aum": "100000.00",
    }


def test_the_review_sets_results_beside_targets_and_ranks_by_conversion(svc):
    svc.execute(SetTarget(staff="mk2", month="2026-11", forms=4, converted_aum="50000"), HEAD)
    svc.execute(
        RecordFollowUpOutcome(followup_id=f"{SESSION}-FP-C000001-F01", outcome="reached"), MK
    )  # 11-20: on time
    svc.clock.advance(days=4)  # 11-24
    svc.execute(
        RecordFollowUpOutcome(followup_id=f"{SESSION}-IC-C000003", outcome="reached"), MK
    )  # a day late
    svc.clock.advance(days=1)  # the review on 11-25
    results = marketer_review(svc.engine, "2026-11", svc.clock(), "B02")
    assert [r.staff for r in results] == ["mk2", "mk3"]
    doc = review_json(results[0], 1)
    assert doc["targets"] == {"forms": 4, "upgrades": None, "converted_aum": "50000.00"}
    assert (doc["results"]["attended"], doc["results"]["forms"], doc["results"]["approved"]) == (
        3,
        2,
        1,
    )
    assert doc["rates"] == {
        "form": "0.6667",
        "approval": "0.5000",
        "conversion": "0.3333",
        "on_time": "0.5000",
    }
    assert doc["followups"] == {"due": 2, "on_time": 1}
    live = dump_read_tables(svc.engine)
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live


def test_ranking_is_by_conversion_then_follow_through_never_by_contacts():
    def result(code, attended, approved, due, on_time):
        return Result(
            code, "", None, None, None, attended, approved, approved, 0, Decimal(0), due, on_time
        )

    busy = result("busy", 30, 3, 40, 10)  # many contacts, 10% conversion
    sharp = result("sharp", 5, 2, 4, 4)  # few contacts, 40% conversion
    steady = result("steady", 5, 2, 4, 2)
    idle = result("idle", 0, 0, 0, 0)
    assert [r.staff for r in ranked([busy, idle, steady, sharp])] == [
        "sharp",
        "steady",
        "busy",
        "idle",
    ]
