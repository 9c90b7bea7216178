"""Client books through the handler and queries: assignment by name or by branch, segment
and unassigned (events, all or nothing), counts per RM, a marketer's own book searchable like
the door, who sees a client in full, and replay."""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN
from tests.helpers import client_row, dump_read_tables
from upgradecamp.domain.books import sees_full_details
from upgradecamp.domain.commands import (
    AddStaff,
    AssignClients,
    CheckIn,
    OpenSession,
    PlanSessions,
    RegisterClients,
)
from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied, RuleRefused
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.queries.books import book_counts, my_clients, works_with

PIN = "246809"
ORG = Actor(code="org2", role="organizer", branch="B02", name="赵六")
MK = Actor(code="mk2", role="marketer", branch="B02", name="王五")
MK3 = Actor(code="mk3", role="marketer", branch="B02", name="孙八")
DESK = Actor(code="ck2", role="checkin", branch="B02", name="钱七")


@pytest.fixture
def svc(services):
    for actor in (ORG, MK, MK3, DESK):
        services.execute(
            AddStaff(
                code=actor.code, name=actor.name, role=actor.role, branch=actor.branch, pin=PIN
            ),
            ADMIN,
        )
    services.execute(
        RegisterClients(
            clients=[
                client_row(1, name="张三", aum="120000.00", rm="mk2"),
                client_row(2, name="李四", aum="30000.00"),
                client_row(3, name="王小明", aum="80000.00", rm="gone9"),
                client_row(4, name="赵敏", aum="300000.00", risk_expires="2026-10-31"),
                client_row(5, name="钱多多", aum="90000.00", branch="B03"),
            ]
        ),
        ADMIN,
    )
    return services


def test_a_branch_s_unassigned_potential_clients_go_to_one_rm(svc):
    result = svc.execute(
        AssignClients(rm="mk3", branch="B02", segment="potential", unassigned=True), ORG
    )
    assert result == {"rm": "mk3", "assigned": 1, "already": 0, "clients": ["C000003"]}
    counts = {c.rm: (c.clients, c.potential) for c in book_counts(svc.engine, "B02")}
    assert counts == {"": (2, 0), "mk2": (1, 1), "mk3": (1, 1)}
    again = svc.execute(AssignClients(rm="mk3", client_ids=("C000003", "C000004")), ORG)
    assert (again["assigned"], again["already"], again["clients"]) == (1, 1, ["C000004"])


def test_assignment_refusals_change_nothing(svc):
    with pytest.raises(PermissionDenied):
        svc.execute(AssignClients(rm="mk3", client_ids=("C000001",)), MK)
    with pytest.raises(NotFound) as err:
        svc.execute(AssignClients(rm="mk3", client_ids=("C000001", "C999999")), ORG)
    assert err.value.code == "assign_unknown_clients" and "C999999" in str(err.value)
    with pytest.raises(RuleRefused) as err:
        svc.execute(AssignClients(rm="ck2", client_ids=("C000001",)), ORG)
    assert err.value.code == "assign_not_marketer"
    with pytest.raises(BadInput) as err:
        svc.execute(AssignClients(rm="mk3", client_ids=("C000001",), branch="B02"), ORG)
    assert err.value.code == "assign_selection"
    with pytest.raises(BadInput):
        svc.execute(AssignClients(rm="mk3", branch="B02", segment="vip"), ORG)
    assert [c.client_id for c in my_clients(svc.engine, "mk3", svc.clock())] == []


def test_my_clients_shows_what_a_call_needs_and_searches_like_the_door(svc):
    svc.execute(AssignClients(rm="mk2", client_ids=("C000003", "C000004")), ORG)
    book = {c.client_id: c for c in my_clients(svc.engine, "mk2", svc.clock())}
    assert list(book) == ["C000001", "C000003", "C000004"]
    zhao = book["C000004"]
    assert (zhao.tier, zhao.aum, zhao.mobile, zhao.risk_expired) == (
        "silver",
        "300000.00",
        "138****0004",
        True,
    )
    svc.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", host="mk2"), ORG)
    svc.execute(OpenSession(session_id="B02-20261120-1500"), DESK)
    svc.execute(CheckIn(session_id="B02-20261120-1500", client_id="C000001"), DESK)
    book = {c.client_id: c for c in my_clients(svc.engine, "mk2", svc.clock())}
    assert book["C000001"].last_contact == "2026-11-20" and book["C000003"].last_contact is None
    for text, found in (
        ("zs", ["C000001"]),
        ("王", ["C000003"]),
        ("0004", ["C000004"]),
        ("wangxm", ["C000003"]),
        ("C00000", ["C000001", "C000003", "C000004"]),
    ):
        assert [c.client_id for c in my_clients(svc.engine, "mk2", svc.clock(), text)] == found


def test_a_marketer_sees_own_clients_and_attendees_of_sessions_they_work_in_full(svc):
    assert sees_full_details(MK, "mk2", False) and not sees_full_details(MK3, "mk2", False)
    assert sees_full_details(ORG, None, False)
    svc.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", host="mk3"), ORG)
    svc.execute(OpenSession(session_id="B02-20261120-1500"), DESK)
    assert not works_with(svc.engine, "mk3", "C000001")
    svc.execute(CheckIn(session_id="B02-20261120-1500", client_id="C000001"), DESK)
    assert works_with(svc.engine, "mk3", "C000001") and not works_with(svc.engine, "mk2", "C000002")


def test_replay_rebuilds_the_books(svc):
    svc.execute(AssignClients(rm="mk3", branch="B02", unassigned=True), ORG)
    live = dump_read_tables(svc.engine)
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live
