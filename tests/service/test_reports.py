"""Reports checked against small hand-built sessions played through the handlers.

Session S1 (B02, 2026-11-20 15:00, capacity 4) — the invitations were issued 40 days before:
  C1 120,000 rm mk2  confirmed            attends   F01 mk2 worked example → approved (1,388)
  C2 180,000 rm mk2  confirmed            attends   F02 mk3 fund 20,000 → approved, silver (360)
                                                    F05 mk2 wealth_mgmt 10,000 → approved (120),
                                                        then cancelled (−120)
  C3 100,000 rm mk2  confirmed            checked in, annulled
  C4  90,000 rm mk3  declined
  C5  80,000 rm mk3  SMS sent, no answer  attends   F03 mk2 time_deposit 5,000 → rejected
  C6  70,000 rm mk3  SMS sent
  C9 300,000 rm mk3  (not invited)        walk-in   F04 mk3 appointment 11-25 → approved
Session S2 (B03, 2026-11-24 15:00):
  C7  60,000 no rm   confirmed            attends   G02 mk4 large_cd 50,000 → pending
  C9                                      walk-in   G01 mk4 time_deposit 100,000 → approved
                                                    (1,200), fulfils F04's appointment: +300
Session S3 (B02, 2026-11-26) is cancelled.

Every figure below is worked out by hand from this table.
"""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN
from tests.helpers import client_row
from upgradecamp.domain.commands import (
    AddStaff,
    ApproveForm,
    CancelForm,
    CheckIn,
    OpenSession,
    PlanSessions,
    RegisterClients,
    RejectForm,
    SubmitForm,
)
from upgradecamp.domain.commands.checkins import AnnulCheckIn
from upgradecamp.domain.commands.invitations import BuildInviteList, RecordInvitationOutcome
from upgradecamp.domain.commands.sessions import CancelSession
from upgradecamp.domain.errors import BadInput, NotFound
from upgradecamp.domain.staff import Actor
from upgradecamp.queries.reports import campaign_dates, campaign_report, session_report

PIN = "246809"
ORG = Actor(code="org2", role="organizer", branch="B02", name="赵六")
DESK = Actor(code="ck2", role="checkin", branch="B02", name="钱七")
MK2 = Actor(code="mk2", role="marketer", branch="B02", name="王五")
MK3 = Actor(code="mk3", role="marketer", branch="B02", name="孙八")
HEAD = Actor(code="bh2", role="branch_head", branch="B02", name="周行长")
DESK3 = Actor(code="ck3", role="checkin", branch="B03", name="李九")
MK4 = Actor(code="mk4", role="marketer", branch="B03", name="吴十")
HEAD3 = Actor(code="bh3", role="branch_head", branch="B03", name="郑行长")
STAFF = (ORG, DESK, MK2, MK3, HEAD, DESK3, MK4, HEAD3)
S1 = "B02-20261120-1500"
S2 = "B03-20261124-1500"
S3 = "B02-20261126-1500"
WORKED_EXAMPLE = (
    ("large_cd", "50000", "existing"),
    ("fund", "10000", "new"),
    ("insurance", "8000", "new"),
    ("credit_card", "1", "new"),
)


def form(session: str, n: int) -> str:
    return f"{session}-F{n:02d}"


def first_session(svc, clock) -> None:
    """Staff, clients, S1 and S2 planned and invited 40 days ahead; S1 played out today."""
    for actor in STAFF:
        svc.execute(
            AddStaff(
                code=actor.code, name=actor.name, role=actor.role, branch=actor.branch, pin=PIN
            ),
            ADMIN,
        )
    svc.execute(
        RegisterClients(
            clients=[
                client_row(1, aum="120000.00", rm="mk2"),
                client_row(2, aum="180000.00", rm="mk2"),
                client_row(3, aum="100000.00", rm="mk2"),
                client_row(4, aum="90000.00", rm="mk3"),
                client_row(5, aum="80000.00", rm="mk3"),
                client_row(6, aum="70000.00", rm="mk3"),
                client_row(7, aum="60000.00", branch="B03"),
                client_row(9, aum="300000.00", rm="mk3"),
            ]
        ),
        ADMIN,
    )
    clock.advance(days=-40)
    svc.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", capacity=4), ORG)
    svc.execute(PlanSessions(branch="B03", start="2026-11-24 15:00", capacity=4), ORG)
    invited = {
        i["client_id"]: i["invitation_id"]
        for i in svc.execute(BuildInviteList(session_id=S1), ORG)["invitations"]
    }
    assert sorted(invited) == [f"C00000{n}" for n in range(1, 7)]
    second = svc.execute(BuildInviteList(session_id=S2), ORG)["invitations"]
    assert [i["client_id"] for i in second] == ["C000007"]  # the others are invited to S1
    invited["C000007"] = second[0]["invitation_id"]
    for client, channel, result in (
        ("C000001", "call", "confirmed"),
        ("C000002", "call", "confirmed"),
        ("C000003", "call", "confirmed"),
        ("C000004", "call", "declined"),
        ("C000005", "sms", "sent"),
        ("C000005", "call", "no_answer"),
        ("C000006", "sms", "sent"),
        ("C000007", "call", "confirmed"),
    ):
        svc.execute(
            RecordInvitationOutcome(invitation=invited[client], channel=channel, result=result), ORG
        )
    clock.advance(days=40)  # 2026-11-20 10:00 in Shanghai

    svc.execute(OpenSession(session_id=S1), DESK)
    for n in (1, 2, 3):
        svc.execute(CheckIn(session_id=S1, client_id=f"C00000{n}"), DESK)
    annul = [c for c in _checkins(svc, S1) if c["client_id"] == "C000003"][0]
    svc.execute(AnnulCheckIn(checkin_id=annul["checkin_id"], reason="wrong client"), DESK)
    svc.execute(CheckIn(session_id=S1, client_id="C000005"), DESK)
    walk_in = svc.execute(CheckIn(session_id=S1, client_id="C000009"), DESK)
    assert walk_in["walk_in"] is True

    submit(svc, S1, "C000001", WORKED_EXAMPLE, MK2, actions=("mobile_banking",))  # F01
    submit(svc, S1, "C000002", [("fund", "20000", "new")], MK3)  # F02
    submit(svc, S1, "C000005", [("time_deposit", "5000", "new")], MK2)  # F03
    submit(svc, S1, "C000009", [], MK3, appointment="2026-11-25")  # F04
    assert approve(svc, form(S1, 1))["points"] == 1388
    approved = approve(svc, form(S1, 2))
    assert (approved["points"], approved["tier_before"], approved["tier_after"]) == (
        360,
        "potential",
        "silver",
    )
    svc.execute(RejectForm(form_id=form(S1, 3), reason="wrong amount"), HEAD)
    assert approve(svc, form(S1, 4))["points"] == 0
    submit(svc, S1, "C000002", [("wealth_mgmt", "10000", "new")], MK2)  # F05
    assert approve(svc, form(S1, 5))["points"] == 120
    svc.execute(CancelForm(form_id=form(S1, 5), reason="client changed their mind"), HEAD)


def second_session(svc, clock) -> None:
    """S2 at B03 four days later: the walk-in's form fulfils S1's appointment; S3 cancelled."""
    clock.advance(days=4)  # 2026-11-24 10:00 in Shanghai
    svc.execute(OpenSession(session_id=S2), DESK3)
    svc.execute(CheckIn(session_id=S2, client_id="C000007"), DESK3)
    assert svc.execute(CheckIn(session_id=S2, client_id="C000009"), DESK3)["walk_in"] is True
    submit(svc, S2, "C000009", [("time_deposit", "100000", "new")], MK4)  # G01
    submit(svc, S2, "C000007", [("large_cd", "50000", "new")], MK4)  # G02, left pending
    result = approve(svc, form(S2, 1), HEAD3)
    assert result["points"] == 1200
    assert [(b["kind"], b["reference"], b["points"]) for b in result["bonuses"]] == [
        ("appointment_bonus", form(S1, 4), 300)
    ]
    svc.execute(PlanSessions(branch="B02", start="2026-11-26 15:00", capacity=4), ORG)
    svc.execute(CancelSession(session_id=S3, reason="room needed"), ORG)


def hand_built(svc, clock, *, both: bool = True) -> None:
    first_session(svc, clock)
    if both:
        second_session(svc, clock)


def submit(svc, session, client, lines, actor, actions=(), appointment=None):
    return svc.execute(
        SubmitForm(
            session_id=session,
            client_id=client,
            lines=tuple(lines),
            actions=tuple(actions),
            appointment=appointment,
        ),
        actor,
    )


def approve(svc, form_id, actor=HEAD):
    return svc.execute(ApproveForm(form_id=form_id, pin=PIN), actor)


def _checkins(svc, session):
    from sqlalchemy import select

    from upgradecamp.store.db import read_transaction
    from upgradecamp.store.tables.sessions import CheckInRow

    with read_transaction(svc.engine) as conn:
        return [
            dict(r)
            for r in conn.execute(
                select(CheckInRow).where(CheckInRow.session_id == session)
            ).mappings()
        ]


# -- the expected figures, worked out by hand --------------------------------------------------
S1_FIGURES = {
    "sessions": 1,
    "invited": 6,
    "confirmed": 3,
    "attended": 4,
    "attended_invitees": 3,
    "walk_ins": 1,
    "attendance_rate": "0.5000",
    "attended_potential": 3,
    "potential_share": "0.7500",
    "forms": 5,
    "approved": 3,
    "pending": 0,
    "rejected": 1,
    "cancelled": 1,
    "appointments": 1,
    "amount_subscribed": "88000.00",
    "amounts": {"large_cd": "50000.00", "fund": "30000.00", "insurance": "8000.00"},
    "counts": {"credit_card": 1},
    "converted_aum_added": "79000.00",
    "tier_upgrades": 1,
    "points_credited": 1748,
}
S2_FIGURES = {
    "sessions": 1,
    "invited": 1,
    "confirmed": 1,
    "attended": 2,
    "attended_invitees": 1,
    "walk_ins": 1,
    "attendance_rate": "1.0000",
    "attended_potential": 1,
    "potential_share": "0.5000",
    "forms": 2,
    "approved": 1,
    "pending": 1,
    "rejected": 0,
    "cancelled": 0,
    "appointments": 0,
    "amount_subscribed": "100000.00",
    "amounts": {"time_deposit": "100000.00"},
    "counts": {},
    "converted_aum_added": "100000.00",
    "tier_upgrades": 0,
    "points_credited": 1200,
}
MK2_FIGURES = {
    "sessions": 1,
    "invited": 3,
    "confirmed": 3,
    "attended": 2,
    "attended_invitees": 2,
    "walk_ins": 0,
    "attendance_rate": "0.6667",
    "attended_potential": 2,
    "potential_share": "1.0000",
    "forms": 3,
    "approved": 1,
    "pending": 0,
    "rejected": 1,
    "cancelled": 1,
    "appointments": 0,
    "amount_subscribed": "68000.00",
    "amounts": {"large_cd": "50000.00", "fund": "10000.00", "insurance": "8000.00"},
    "counts": {"credit_card": 1},
    "converted_aum_added": "49000.00",
    "tier_upgrades": 0,
    "points_credited": 1388,
}
MK3_S1_FIGURES = {
    "sessions": 1,
    "invited": 3,
    "confirmed": 0,
    "attended": 2,
    "attended_invitees": 1,
    "walk_ins": 1,
    "attendance_rate": "0.3333",
    "attended_potential": 1,
    "potential_share": "0.5000",
    "forms": 2,
    "approved": 2,
    "pending": 0,
    "rejected": 0,
    "cancelled": 0,
    "appointments": 1,
    "amount_subscribed": "20000.00",
    "amounts": {"fund": "20000.00"},
    "counts": {},
    "converted_aum_added": "30000.00",
    "tier_upgrades": 1,
    "points_credited": 360,
}


def figures_of(entry: dict) -> dict:
    return {k: entry[k] for k in S1_FIGURES}


def test_a_session_report_gives_every_figure_worked_out_by_hand(services, clock):
    hand_built(services, clock, both=False)
    doc = session_report(services.engine, S1, clock())
    assert doc["scope"] == {
        "kind": "session",
        "from": "2026-11-20",
        "to": "2026-11-20",
        "branch": "B02",
        "branch_name": "城东支行幸福路网点",
        "session_id": S1,
        "as_of": "2026-11-20T10:00:00+08:00",
    }
    assert doc["cluster"] == S1_FIGURES
    assert [(b["branch"], figures_of(b)) for b in doc["branches"]] == [("B02", S1_FIGURES)]
    assert [(s["session_id"], s["date"], s["time"], s["status"]) for s in doc["sessions"]] == [
        (S1, "2026-11-20", "15:00", "open")
    ]
    assert figures_of(doc["sessions"][0]) == S1_FIGURES
    assert doc["products"] == [
        {
            "product": "large_cd",
            "name_zh": "大额存单",
            "name_en": "Large-sum CD",
            "kind": "amount",
            "amount": "50000.00",
            "count": None,
        },
        {
            "product": "fund",
            "name_zh": "基金",
            "name_en": "Fund",
            "kind": "amount",
            "amount": "30000.00",
            "count": None,
        },
        {
            "product": "insurance",
            "name_zh": "保险",
            "name_en": "Insurance",
            "kind": "amount",
            "amount": "8000.00",
            "count": None,
        },
        {
            "product": "credit_card",
            "name_zh": "信用卡",
            "name_en": "Credit card",
            "kind": "count",
            "amount": None,
            "count": 1,
        },
    ]
    assert doc["weeks"] == [{"week_of": "2026-11-16", "sessions": 1, "attended": 4}]


def test_per_marketer_rm_attendance_beside_the_forms_they_submitted(services, clock):
    hand_built(services, clock, both=False)
    doc = session_report(services.engine, S1, clock())
    marketers = {m["marketer"]: m for m in doc["marketers"]}
    assert list(marketers) == ["mk2", "mk3"]
    assert (marketers["mk2"]["name"], marketers["mk2"]["branch"]) == ("王五", "B02")
    assert figures_of(marketers["mk2"]) == MK2_FIGURES
    assert figures_of(marketers["mk3"]) == MK3_S1_FIGURES


def test_a_campaign_over_two_sessions_of_two_branches(services, clock):
    hand_built(services, clock)
    doc = campaign_report(
        services.engine,
        today=clock().date(),
        start=_d("2026-11-01"),
        end=_d("2026-11-30"),
        now=clock(),
    )
    assert doc["scope"]["kind"] == "campaign"
    assert (doc["scope"]["from"], doc["scope"]["to"], doc["scope"]["branch"]) == (
        "2026-11-01",
        "2026-11-30",
        None,
    )
    # S1's points now include the appointment bonus its form F04 earned when S2's form
    # fulfilled it; the cancelled S3 is left out.
    s1 = {**S1_FIGURES, "points_credited": 1748 + 300}
    assert [(s["session_id"], figures_of(s)) for s in doc["sessions"]] == [
        (S1, s1),
        (S2, S2_FIGURES),
    ]
    assert [(b["branch"], b["name"], figures_of(b)) for b in doc["branches"]] == [
        ("B02", "城东支行幸福路网点", s1),
        ("B03", "城东支行文化路网点", S2_FIGURES),
    ]
    assert doc["cluster"] == {
        "sessions": 2,
        "invited": 7,
        "confirmed": 4,
        "attended": 6,
        "attended_invitees": 4,
        "walk_ins": 2,
        "attendance_rate": "0.5714",
        "attended_potential": 4,
        "potential_share": "0.6667",
        "forms": 7,
        "approved": 4,
        "pending": 1,
        "rejected": 1,
        "cancelled": 1,
        "appointments": 1,
        "amount_subscribed": "188000.00",
        "amounts": {
            "time_deposit": "100000.00",
            "large_cd": "50000.00",
            "fund": "30000.00",
            "insurance": "8000.00",
        },
        "counts": {"credit_card": 1},
        "converted_aum_added": "179000.00",
        "tier_upgrades": 1,
        "points_credited": 3248,
    }
    marketers = {m["marketer"]: figures_of(m) for m in doc["marketers"]}
    assert marketers["mk2"] == MK2_FIGURES
    # C9 (their client) came to both sessions; F04's appointment bonus counts with F04.
    assert marketers["mk3"] == {
        **MK3_S1_FIGURES,
        "sessions": 2,
        "attended": 3,
        "walk_ins": 2,
        "potential_share": "0.3333",
        "points_credited": 660,
    }
    # mk4 is nobody's RM here (C7 has none): only the forms they submitted count.
    assert marketers["mk4"] == {
        "sessions": 1,
        "invited": 0,
        "confirmed": 0,
        "attended": 0,
        "attended_invitees": 0,
        "walk_ins": 0,
        "attendance_rate": None,
        "attended_potential": 0,
        "potential_share": None,
        "forms": 2,
        "approved": 1,
        "pending": 1,
        "rejected": 0,
        "cancelled": 0,
        "appointments": 0,
        "amount_subscribed": "100000.00",
        "amounts": {"time_deposit": "100000.00"},
        "counts": {},
        "converted_aum_added": "100000.00",
        "tier_upgrades": 0,
        "points_credited": 1200,
    }
    assert doc["weeks"] == [
        {"week_of": "2026-10-26", "sessions": 0, "attended": 0},
        {"week_of": "2026-11-02", "sessions": 0, "attended": 0},
        {"week_of": "2026-11-09", "sessions": 0, "attended": 0},
        {"week_of": "2026-11-16", "sessions": 1, "attended": 4},
        {"week_of": "2026-11-23", "sessions": 1, "attended": 2},
        {"week_of": "2026-11-30", "sessions": 0, "attended": 0},
    ]


def test_campaign_scope_by_branch_and_default_dates(services, clock):
    hand_built(services, clock)
    today = _d("2026-11-24")
    only_b03 = campaign_report(services.engine, today=today, branch="B03", now=clock())
    assert (only_b03["scope"]["from"], only_b03["scope"]["to"]) == ("2026-10-26", "2026-11-24")
    assert only_b03["scope"]["branch_name"] == "城东支行文化路网点"
    assert [s["session_id"] for s in only_b03["sessions"]] == [S2]
    assert figures_of(only_b03["cluster"]) == S2_FIGURES
    assert [m["marketer"] for m in only_b03["marketers"]] == ["mk3", "mk4"]
    everything = campaign_report(services.engine, today=today, now=clock())
    assert [s["session_id"] for s in everything["sessions"]] == [S1, S2]
    before = campaign_report(services.engine, today=today, end=_d("2026-11-19"), now=clock())
    assert before["sessions"] == [] and before["cluster"]["invited"] == 0
    assert before["cluster"]["attendance_rate"] is None and before["products"] == []
    # The session report of a cancelled session still works.
    assert session_report(services.engine, S3, clock())["cluster"]["sessions"] == 1


def test_bad_scopes_are_refused_with_what_to_do(services, clock):
    with pytest.raises(BadInput) as err:
        campaign_report(
            services.engine,
            today=_d("2026-11-20"),
            start=_d("2026-11-21"),
            end=_d("2026-11-01"),
            now=clock(),
        )
    assert err.value.code == "report_bad_range"
    with pytest.raises(BadInput) as err:
        campaign_report(services.engine, today=_d("2026-11-20"), branch="B99", now=clock())
    assert err.value.code == "report_unknown_branch" and "B01" in err.value.message
    with pytest.raises(NotFound) as err:
        session_report(services.engine, "B02-20990101-1500", clock())
    assert err.value.code == "session_not_found"


def test_campaign_dates():
    today = _d("2026-11-20")
    assert campaign_dates(today) == (_d("2026-10-22"), today)
    assert campaign_dates(today, start=_d("2026-11-01")) == (_d("2026-11-01"), today)
    assert campaign_dates(today, start=_d("2026-12-01")) == (_d("2026-12-01"), _d("2026-12-30"))
    assert campaign_dates(today, end=_d("2026-10-31")) == (_d("2026-10-02"), _d("2026-10-31"))


def _d(text: str):
    from datetime import date

    return date.fromisoformat(text)
