"""Report arithmetic on plain records: the definitions, per group, and the terminal bars."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from upgradecamp.domain.reports import (
    AttendanceRecord,
    FormRecord,
    InvitationRecord,
    ProductInfo,
    SessionRecord,
    bar,
    build_report,
    column,
    figures,
    rate,
)

PRODUCTS = {
    "large_cd": ProductInfo("large_cd", "大额存单", "amount"),
    "fund": ProductInfo("fund", "基金", "amount"),
    "credit_card": ProductInfo("credit_card", "信用卡", "count"),
}
RANKS = {"standard": 0, "valid": 1, "potential": 2, "silver": 3, "gold": 4}


def approved(form_id, client, marketer="mk1", session="S1", lines=(), **kw):
    return FormRecord(
        form_id,
        session,
        client,
        marketer,
        "approved",
        tuple((p, Decimal(v)) for p, v in lines),
        **kw,
    )


def test_the_funnel_rates_and_walk_ins():
    f = figures(
        sessions=["S1"],
        invitations=[
            InvitationRecord("S1", f"C{n}", state)
            for n, state in enumerate(["confirmed", "confirmed", "declined", "no_answer"])
        ],
        attendances=[
            AttendanceRecord("S1", "C0", False, segment="potential"),
            AttendanceRecord("S1", "C3", False, segment="mid_high"),
            AttendanceRecord("S1", "W1", True, segment="potential"),
        ],
        forms=[],
        products=PRODUCTS,
        tier_ranks=RANKS,
    )
    assert (f.invited, f.confirmed, f.attended, f.attended_invitees, f.walk_ins) == (4, 2, 3, 2, 1)
    assert f.attendance_rate == Decimal("0.5000")  # walk-ins left out: 2 of 4
    assert f.potential_share == Decimal("0.6667")
    assert f.funnel() == [
        ("invited", 4),
        ("confirmed", 2),
        ("attended", 3),
        ("forms", 0),
        ("approved", 0),
    ]
    empty = figures(
        sessions=[], invitations=[], attendances=[], forms=[], products=PRODUCTS, tier_ranks=RANKS
    )
    assert empty.attendance_rate is None and empty.to_json()["attendance_rate"] is None
    assert empty.to_json()["amount_subscribed"] == "0.00"


def test_forms_by_status_amounts_counts_upgrades_and_points():
    forms = [
        approved(
            "F1",
            "C1",
            lines=[("large_cd", "50000"), ("credit_card", "2")],
            converted_delta=Decimal("50000.00"),
            tier_before="potential",
            tier_after="silver",
            points=900,
        ),
        # The same client upgraded twice counts once; an unknown tier is no upgrade.
        approved(
            "F2",
            "C1",
            lines=[("fund", "10000.50")],
            converted_delta=Decimal("15000.75"),
            tier_before="silver",
            tier_after="gold",
            points=180,
        ),
        approved(
            "F3",
            "C2",
            appointment=date(2026, 11, 25),
            tier_before="retired_tier",
            tier_after="gold",
        ),
        approved("F4", "C3", lines=[("bitcoin", "7")], converted_delta=Decimal("1.00")),
        FormRecord(
            "F5",
            "S1",
            "C4",
            "mk1",
            "cancelled",
            (("fund", Decimal("999")),),
            converted_delta=Decimal("999.00"),
            tier_before="standard",
            tier_after="gold",
            points=300,
        ),  # approved, 300 bonus, reversal not shown
        FormRecord("F6", "S1", "C5", "mk1", "submitted", (("fund", Decimal("1")),)),
        FormRecord("F7", "S1", "C6", "mk1", "returned"),
        FormRecord("F8", "S1", "C7", "mk1", "rejected", (("fund", Decimal("1")),)),
    ]
    f = figures(
        sessions=["S1", "S1"],
        invitations=[],
        attendances=[],
        forms=forms,
        products=PRODUCTS,
        tier_ranks=RANKS,
    )
    assert (f.sessions, f.forms, f.approved, f.pending, f.rejected, f.cancelled) == (
        1,
        8,
        4,
        2,
        1,
        1,
    )
    assert f.appointments == 1
    assert f.amounts == {
        "large_cd": Decimal("50000"),
        "fund": Decimal("10000.50"),
        "bitcoin": Decimal("7"),
    }  # rule-set order, unknown products last
    assert f.counts == {"credit_card": 2}
    assert f.amount_subscribed == Decimal("60007.50")
    assert f.converted_added == Decimal("65001.75")
    assert f.tier_upgrades == 1
    assert f.points == 900 + 180 + 300
    shown = f.to_json()
    assert shown["amounts"] == {"large_cd": "50000.00", "fund": "10000.50", "bitcoin": "7.00"}
    assert (shown["amount_subscribed"], shown["converted_aum_added"]) == ("60007.50", "65001.75")


def test_groups_branches_marketers_and_weeks():
    sessions = [
        SessionRecord("S1", "B02", date(2026, 11, 20)),
        SessionRecord("S2", "B03", date(2026, 11, 24)),
        SessionRecord("S3", "B02", date(2026, 11, 26)),
    ]
    invitations = [
        InvitationRecord("S1", "C1", "confirmed", rm="mk1"),
        InvitationRecord("S2", "C2", "sent", rm="mk2"),
        InvitationRecord("S3", "C3", "invited", rm=None),
        InvitationRecord("OUT", "C4", "confirmed", rm="mk1"),
    ]
    attendances = [
        AttendanceRecord("S1", "C1", False, rm="mk1"),
        AttendanceRecord("S2", "C9", True, rm="mk1"),
        AttendanceRecord("OUT", "C4", False, rm="mk1"),
    ]
    forms = [
        approved("F1", "C1", marketer="mk2", session="S1", lines=[("fund", "100")]),
        approved("F9", "C4", marketer="mk2", session="OUT", lines=[("fund", "100")]),
    ]
    report = build_report(
        sessions=sessions,
        invitations=invitations,
        attendances=attendances,
        forms=forms,
        products=PRODUCTS,
        tier_ranks=RANKS,
        first=date(2026, 11, 15),
        last=date(2026, 11, 30),
    )
    assert (
        report.cluster.sessions,
        report.cluster.invited,
        report.cluster.attended,
        report.cluster.approved,
    ) == (3, 3, 2, 1)  # the OUT session's records ignored
    assert [(b, f.sessions, f.invited, f.attended, f.approved) for b, f in report.branches] == [
        ("B02", 2, 2, 1, 1),
        ("B03", 1, 1, 1, 0),
    ]
    assert [(s.session_id, f.invited) for s, f in report.sessions] == [
        ("S1", 1),
        ("S2", 1),
        ("S3", 1),
    ]
    by_code = dict(report.marketers)
    assert list(by_code) == ["mk1", "mk2"]
    assert (
        by_code["mk1"].sessions,
        by_code["mk1"].invited,
        by_code["mk1"].attended,
        by_code["mk1"].walk_ins,
        by_code["mk1"].forms,
    ) == (2, 1, 2, 1, 0)
    assert (by_code["mk2"].invited, by_code["mk2"].forms, by_code["mk2"].amount_subscribed) == (
        1,
        1,
        Decimal("100"),
    )
    assert [(w.monday, w.sessions, w.attended) for w in report.weeks] == [
        (date(2026, 11, 9), 0, 0),
        (date(2026, 11, 16), 1, 1),
        (date(2026, 11, 23), 2, 1),
        (date(2026, 11, 30), 0, 0),
    ]


def test_rate_rounds_half_up_to_four_places():
    assert rate(2, 3) == Decimal("0.6667")
    assert rate(1, 8) == Decimal("0.1250")
    assert rate(1, 0) is None


def test_bars_in_eighths_and_a_small_value_still_shows():
    assert bar(10, 10, 5) == "█████"
    assert bar(5, 10, 5) == "██▌"
    assert bar(1, 1000, 5) == "▏"
    assert bar(0, 10, 5) == "" and bar(3, 0, 5) == "" and bar(3, 10, 0) == ""
    assert bar(Decimal("1840000"), Decimal("1840000"), 3) == "███"
    assert column(8, 8, 2) == ["█", "█"]
    assert column(4, 8, 2) == [" ", "█"]
    assert column(3, 8, 2) == [" ", "▆"]
    assert column(0, 8, 2) == [" ", " "]
