"""Feedback forms through the handler: attendees only, once each; a complaint gives the
branch head an urgent follow-up due the next working day; satisfaction per session, branch
and presenter with complaints open and closed; replay."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import ADMIN
from tests.helpers import client_row, dump_read_tables
from upgradecamp.domain.commands import (
    AddStaff,
    CheckIn,
    GiveFeedback,
    OpenSession,
    PlanSessions,
    RecordFollowUpOutcome,
    RegisterClients,
)
from upgradecamp.domain.errors import BadInput, PermissionDenied, RuleRefused
from upgradecamp.domain.feedback import next_working_day
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.queries.feedback import complaints, satisfaction

PIN = "246809"
ORG = Actor(code="org2", role="organizer", branch="B02", name="赵六")
DESK = Actor(code="ck2", role="checkin", branch="B02", name="钱七")
MK = Actor(code="mk2", role="marketer", branch="B02", name="王五")
HEAD = Actor(code="bh2", role="branch_head", branch="B02", name="周行长")
SESSION = "B02-20261120-1500"  # a Friday


@pytest.fixture
def svc(services):
    for actor in (ORG, DESK, MK, HEAD):
        services.execute(
            AddStaff(
                code=actor.code, name=actor.name, role=actor.role, branch=actor.branch, pin=PIN
            ),
            ADMIN,
        )
    services.execute(RegisterClients(clients=[client_row(n) for n in (1, 2, 3)]), ADMIN)
    services.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", presenter="mk2"), ORG)
    services.execute(OpenSession(session_id=SESSION), DESK)
    for n in (1, 2):
        services.execute(CheckIn(session_id=SESSION, client_id=f"C{n:06d}"), DESK)
    return services


def test_the_next_working_day_skips_the_weekend():
    assert next_working_day(date(2026, 11, 20)) == date(2026, 11, 23)  # Friday → Monday
    assert next_working_day(date(2026, 11, 23)) == date(2026, 11, 24)


def test_a_complaint_is_the_branch_head_s_urgent_follow_up(svc):
    done = svc.execute(
        GiveFeedback(
            session_id=SESSION,
            client_id="C000001",
            score=2,
            comment="太长",
            complaint="等候时间过长",
        ),
        MK,
    )
    assert done["followup"] == {
        "followup_id": f"{SESSION}-CP-C000001",
        "assignee": "bh2",
        "due": "2026-11-23",
    }
    svc.execute(GiveFeedback(session_id=SESSION, client_id="C000002", score=5), DESK)
    [line] = satisfaction(svc.engine, "session")
    assert (line.key, line.forms, line.average, line.complaints, line.complaints_open) == (
        SESSION,
        2,
        "3.50",
        1,
        1,
    )
    assert [x.key for x in satisfaction(svc.engine, "presenter")] == ["mk2"]
    assert [c.status for c in complaints(svc.engine)] == ["open"]
    svc.execute(
        RecordFollowUpOutcome(
            followup_id=f"{SESSION}-CP-C000001", outcome="reached", note="已致歉"
        ),
        HEAD,
    )
    [line] = satisfaction(svc.engine, "branch")
    assert (line.key, line.complaints_open, line.complaints_closed) == ("B02", 0, 1)
    live = dump_read_tables(svc.engine)
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live


def test_feedback_is_given_once_by_attendees_with_a_score_1_to_5(svc):
    with pytest.raises(RuleRefused) as err:
        svc.execute(GiveFeedback(session_id=SESSION, client_id="C000003", score=4), MK)
    assert err.value.code == "feedback_not_attended"
    with pytest.raises(BadInput):
        svc.execute(GiveFeedback(session_id=SESSION, client_id="C000001", score=6), MK)
    svc.execute(GiveFeedback(session_id=SESSION, client_id="C000001", score=4), MK)
    with pytest.raises(RuleRefused) as err:
        svc.execute(GiveFeedback(session_id=SESSION, client_id="C000001", score=1), MK)
    assert err.value.code == "feedback_already_given"
    with pytest.raises(PermissionDenied):
        svc.execute(
            GiveFeedback(session_id=SESSION, client_id="C000002", score=4),
            Actor(code="x", role="unverified"),
        )
