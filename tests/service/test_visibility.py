"""The marketer visibility rule (domain.books.client_view), applied in one place: a marketer
sees their own book and the attendees of sessions they host or present in full; any other
client by name and masked fields only, in `clients show` and in a client export alike."""

from __future__ import annotations

import json

from tests.conftest import ADMIN
from tests.helpers import client_row
from upgradecamp.domain.books import client_view
from upgradecamp.domain.commands import (
    AddStaff,
    CheckIn,
    ExportList,
    OpenSession,
    PlanSessions,
    RegisterClients,
)
from upgradecamp.domain.staff import Actor

MK = Actor(code="mk2", role="marketer", branch="B02", name="王五")
ORG = Actor(code="org2", role="organizer", branch="B02", name="赵六")
DESK = Actor(code="ck2", role="checkin", branch="B02", name="钱七")
RECORD = {
    "client_id": "C1",
    "name": "张三",
    "mobile": "13800000001",
    "branch": "B02",
    "rm": "mk9",
    "aum": "120000.00",
    "risk_grade": "C3",
}


def test_the_rule_masks_and_empties_what_a_marketer_may_not_see():
    shown, restricted = client_view(MK, RECORD, works_with=False)
    assert restricted and shown["mobile"] == "138****0001" and shown["name"] == "张三"
    assert shown["aum"] is None and shown["risk_grade"] is None and set(shown) == set(RECORD)
    assert client_view(MK, RECORD | {"rm": "mk2"}, works_with=False) == (
        RECORD | {"rm": "mk2"},
        False,
    )
    assert client_view(MK, RECORD, works_with=True) == (RECORD, False)
    assert client_view(ORG, RECORD, works_with=False) == (RECORD, False)


def test_a_marketer_s_client_export_is_full_only_for_their_book_and_their_sessions(
    services, tmp_path
):
    for actor in (MK, ORG, DESK):
        services.execute(
            AddStaff(code=actor.code, name=actor.name, role=actor.role, branch="B02", pin="246810"),
            ADMIN,
        )
    services.execute(
        RegisterClients(
            clients=[
                client_row(1, rm="mk2"),  # their book
                client_row(2),  # attends the session they present
                client_row(3),  # someone else's
            ]
        ),
        ADMIN,
    )
    services.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", presenter="mk2"), ORG)
    services.execute(OpenSession(session_id="B02-20261120-1500"), DESK)
    services.execute(CheckIn(session_id="B02-20261120-1500", client_id="C000002"), DESK)
    out = tmp_path / "clients.json"
    done = services.execute(ExportList(what="clients", out=str(out), format="json"), MK)
    assert done["rows"] == 3
    rows = {r["client_id"]: r for r in json.loads(out.read_text(encoding="utf-8"))}
    assert rows["C000001"]["aum"] is not None and rows["C000002"]["aum"] is not None
    other = rows["C000003"]
    assert other["aum"] is None and other["risk_grade"] is None and other["points"] is None
    assert other["mobile"] == "138****0003" and other["name"]
    full = services.execute(ExportList(what="clients", out=str(out), format="json"), ORG)
    assert full["rows"] == 3
    assert all(r["aum"] is not None for r in json.loads(out.read_text(encoding="utf-8")))


def _three_clients(services) -> None:
    """mk2's own C1, C2 at the session mk2 presents, and C3 (someone else's, never there)."""
    for actor in (MK, ORG, DESK):
        services.execute(
            AddStaff(code=actor.code, name=actor.name, role=actor.role, branch="B02", pin="246810"),
            ADMIN,
        )
    services.execute(
        RegisterClients(clients=[client_row(1, rm="mk2"), client_row(2), client_row(3)]), ADMIN
    )
    services.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", presenter="mk2"), ORG)
    services.execute(OpenSession(session_id="B02-20261120-1500"), DESK)
    services.execute(CheckIn(session_id="B02-20261120-1500", client_id="C000002"), DESK)


def test_points_explain_and_the_registration_desk_apply_the_rule(services):
    from upgradecamp.queries import points_explanation
    from upgradecamp.queries.forms import attendees

    _three_clients(services)
    mine = points_explanation(services.engine, "C000001", MK)
    assert mine is not None and not mine["restricted"] and mine["aum"] is not None
    other = points_explanation(services.engine, "C000003", MK)
    assert other is not None and other["restricted"]
    assert other["aum"] is None and other["balance"] is None and other["ledger"] == []
    assert other["mobile"] == "138****0003" and other["name"]
    assert not points_explanation(services.engine, "C000003", ORG)["restricted"]
    # The registration desk: mk2 presents this session, so every attendee is theirs to see.
    people = attendees(services.engine, "B02-20261120-1500", MK)
    assert [p["restricted"] for p in people] == [False]
    # Another marketer at the desk sees the attendees by name and masked mobile only.
    mk3 = Actor(code="mk3", role="marketer", branch="B02", name="孙八")
    people = attendees(services.engine, "B02-20261120-1500", mk3)
    assert all(p["restricted"] for p in people)
    assert all(p["aum"] is None and p["risk_grade"] is None for p in people)
    assert all(p["checked_in_at"] and "*" in p["mobile"] for p in people)


def test_my_clients_is_full_for_the_marketer_and_restricted_for_another(services):
    from datetime import UTC, datetime

    from upgradecamp.queries.books import my_clients

    _three_clients(services)
    now = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    [own] = my_clients(services.engine, "mk2", now, viewer=MK)
    assert not own.restricted and own.aum and own.tier
    mk3 = Actor(code="mk3", role="marketer", branch="B02", name="孙八")
    [seen] = my_clients(services.engine, "mk2", now, viewer=mk3)
    assert seen.restricted and seen.aum == "" and seen.tier == "" and not seen.risk_grade
    assert seen.name == own.name and seen.mobile == own.mobile


def test_a_marketer_s_follow_up_export_hides_what_the_desk_hides(services, tmp_path):
    """Follow-ups of clients outside the marketer's book and sessions keep their own fields
    (id, kind, due, who works it) with the client masked, the AUM and the notes emptied."""
    from upgradecamp.domain.commands.sessions import CloseSession

    _three_clients(services)
    other = Actor(code="mk3", role="marketer", branch="B02", name="孙八")
    services.execute(
        AddStaff(code="mk3", name="孙八", role="marketer", branch="B02", pin="246810"), ADMIN
    )
    services.execute(
        PlanSessions(branch="B02", start="2026-11-20 13:00", host="org2", presenter="mk3"), ORG
    )
    services.execute(OpenSession(session_id="B02-20261120-1300"), DESK)
    services.execute(CheckIn(session_id="B02-20261120-1300", client_id="C000003"), DESK)
    for session in ("B02-20261120-1300", "B02-20261120-1500"):
        services.execute(CloseSession(session_id=session), ORG)
    out = tmp_path / "followups.json"
    services.execute(ExportList(what="followups", out=str(out), format="json"), MK)
    rows = json.loads(out.read_text(encoding="utf-8"))
    mine = [r for r in rows if r["client_id"] == "C000002"]
    theirs = [r for r in rows if r["client_id"] == "C000003"]
    assert mine and theirs, rows
    assert all(r["aum"] is not None for r in mine)
    assert all(r["aum"] is None and r["note"] is None for r in theirs)
    assert all(r["followup_id"] and r["kind"] and r["due"] for r in theirs)
    assert all("*" in r["mobile"] for r in theirs)
    services.execute(ExportList(what="followups", out=str(out), format="json"), other)
    seen_by_mk3 = json.loads(out.read_text(encoding="utf-8"))
    assert all(r["aum"] is not None for r in seen_by_mk3 if r["client_id"] == "C000003")
