"""Check-in at the door through the handlers: once per client, walk-ins only into free seats,
annulled with a reason and never deleted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN
from tests.helpers import client_row
from upgradecamp.domain.commands import (
    AddStaff,
    AnnulCheckIn,
    BuildInviteList,
    CheckIn,
    OpenSession,
    PlanSessions,
    RegisterClients,
)
from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied, RuleRefused
from upgradecamp.domain.staff import Actor
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

DESK = Actor(code="ck2", role="checkin", branch="B02", name="钱七")
ORG = Actor(code="org2", role="organizer", branch="B02", name="赵六")
SESSION = "B02-20261120-1500"  # the FakeClock's day, 15:00 Shanghai


@pytest.fixture
def svc(services):
    for code, name, role in [("org2", "赵六", "organizer"), ("mk2", "王五", "marketer"),
                             ("ck2", "钱七", "checkin")]:
        services.execute(AddStaff(code=code, name=name, role=role, branch="B02", pin="2468"),
                         ADMIN)
    services.execute(RegisterClients(clients=[client_row(n, aum="80000.00") for n in range(6)]),
                     ADMIN)
    services.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", capacity=2), ORG)
    return services


def session(svc) -> dict:
    with read_transaction(svc.engine) as conn:
        return dict(conn.execute(select(SessionRow).where(SessionRow.session_id == SESSION))
                    .mappings().one())


def checkins(svc) -> list[dict]:
    with read_transaction(svc.engine) as conn:
        return [dict(r) for r in conn.execute(
            select(CheckInRow).order_by(CheckInRow.checkin_id)).mappings()]


def test_a_planned_session_is_not_open_for_check_in(svc):
    with pytest.raises(RuleRefused, match="open it first") as err:
        svc.execute(CheckIn(session_id=SESSION, client_id=client_row(0)["client_id"]), DESK)
    assert err.value.code == "session_not_open"


def test_check_in_once_then_refused_with_who_where_when(svc):
    svc.execute(OpenSession(session_id=SESSION), DESK)
    client = client_row(0)["client_id"]
    result = svc.execute(CheckIn(session_id=SESSION, client_id=client), DESK)
    assert result == {"checkin_id": f"{SESSION}-C001", "session_id": SESSION,
                      "client_id": client, "invitation_id": None, "walk_in": True}
    with pytest.raises(RuleRefused) as err:
        svc.execute(CheckIn(session_id=SESSION, client_id=client), DESK)
    assert err.value.code == "already_checked_in"
    assert err.value.params == {"client": client, "by": "ck2", "terminal": "test-terminal",
                                "at": "10:00"}
    assert session(svc)["attended"] == 1 and session(svc)["walk_ins"] == 1


def test_walk_ins_stop_at_capacity(svc):
    svc.execute(OpenSession(session_id=SESSION), DESK)
    for n in range(2):
        svc.execute(CheckIn(session_id=SESSION, client_id=client_row(n)["client_id"]), DESK)
    with pytest.raises(RuleRefused, match="full") as err:
        svc.execute(CheckIn(session_id=SESSION, client_id=client_row(2)["client_id"]), DESK)
    assert err.value.code == "session_full"
    assert len(checkins(svc)) == 2


def test_annul_keeps_the_row_frees_the_seat_and_allows_a_new_check_in(svc):
    svc.execute(OpenSession(session_id=SESSION), DESK)
    first = svc.execute(CheckIn(session_id=SESSION, client_id=client_row(0)["client_id"]), DESK)
    with pytest.raises(BadInput):
        svc.execute(AnnulCheckIn(checkin_id=first["checkin_id"], reason="  "), DESK)
    svc.execute(AnnulCheckIn(checkin_id=first["checkin_id"], reason="wrong client"), DESK)
    with pytest.raises(RuleRefused, match="already annulled"):
        svc.execute(AnnulCheckIn(checkin_id=first["checkin_id"], reason="again"), DESK)
    assert session(svc)["attended"] == 0 and session(svc)["walk_ins"] == 0
    again = svc.execute(CheckIn(session_id=SESSION, client_id=client_row(0)["client_id"]), DESK)
    assert again["checkin_id"] == f"{SESSION}-C002"
    rows = checkins(svc)
    assert [(r["annulled"], r["annul_reason"]) for r in rows] == [(True, "wrong client"),
                                                                  (False, None)]


def test_check_in_by_invitation_code_is_not_a_walk_in(svc, clock):
    clock.advance(days=-40)  # the list went out weeks ahead
    built = svc.execute(BuildInviteList(session_id=SESSION), ORG)
    clock.advance(days=40)
    svc.execute(OpenSession(session_id=SESSION), DESK)
    invitation = built["invitations"][0]
    result = svc.execute(CheckIn(session_id=SESSION, code=invitation["code"].lower()), DESK)
    assert result["walk_in"] is False and result["invitation_id"] == invitation["invitation_id"]
    with pytest.raises(NotFound, match="no invitation with code"):
        svc.execute(CheckIn(session_id=SESSION, code="ZZZZZZ"), DESK)


def test_unknown_ids_and_roles(svc):
    svc.execute(OpenSession(session_id=SESSION), DESK)
    with pytest.raises(NotFound):
        svc.execute(CheckIn(session_id="B02-20991231-1500", client_id="x"), DESK)
    with pytest.raises(NotFound):
        svc.execute(CheckIn(session_id=SESSION, client_id="no-such-client"), DESK)
    with pytest.raises(BadInput):
        svc.execute(CheckIn(session_id=SESSION), DESK)
    marketer = Actor(code="mk2", role="marketer", branch="B02")
    with pytest.raises(PermissionDenied):
        svc.execute(CheckIn(session_id=SESSION, client_id=client_row(0)["client_id"]), marketer)
