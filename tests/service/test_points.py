"""Points through the handlers: form credits with explanations, reversal, holding points,
experience periods, suitability, and replay of the ledger."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN
from tests.helpers import client_row, dump_read_tables, publish_next_quarter
from upgradecamp.domain.commands import (
    AccrueHoldingPoints,
    CloseExperiencePeriods,
    CreditBonus,
    CreditFormPoints,
    RegisterClients,
    ReverseFormPoints,
)
from upgradecamp.domain.errors import BadInput, PermissionDenied, RuleRefused, Unsuitable
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientPointsRow, LedgerEntryRow

HEAD = Actor(code="bh1", role="branch_head", branch="B02")
WORKED_EXAMPLE = [
    ("large_cd", "50000", "existing"),
    ("fund", "10000", "new"),
    ("insurance", "8000", "new"),
    ("credit_card", "1", "new"),
]


@pytest.fixture
def with_clients(services):
    services.execute(
        RegisterClients(
            clients=[
                client_row(1, aum="120000.00", risk_grade="C3", risk_expires="2027-06-30"),
                client_row(2, aum="180000.00", risk_grade="C3", risk_expires="2027-06-30"),
                client_row(5, aum="60000.00", risk_grade="C2", risk_expires="2027-06-30"),
                client_row(3, aum="30000.00", risk_grade="C4", risk_expires="2026-01-31"),
                client_row(4, aum="999.99", risk_grade=None, risk_expires=None),
            ]
        ),
        ADMIN,
    )
    return services


def _ledger(services, client_id):
    with read_transaction(services.engine) as conn:
        return conn.execute(
            select(LedgerEntryRow)
            .where(LedgerEntryRow.client_id == client_id)
            .order_by(LedgerEntryRow.position, LedgerEntryRow.line)
        ).all()


def _account(services, client_id):
    with read_transaction(services.engine) as conn:
        return conn.execute(
            select(ClientPointsRow).where(ClientPointsRow.client_id == client_id)
        ).first()


def _credit(
    services,
    client="C000001",
    ref="F1",
    lines=WORKED_EXAMPLE,
    actions=("mobile_banking",),
    at="2026-11-20T15:30:00+08:00",
    actor=HEAD,
):
    return services.execute(
        CreditFormPoints(
            client_id=client,
            reference=ref,
            lines=list(lines),
            actions=list(actions),
            on_site=True,
            submitted_at=at,
        ),
        actor,
    )


def test_worked_example_is_credited_line_by_line(with_clients):
    result = _credit(with_clients)
    assert result["points"] == 1388 and result["rule_set"] == "2026Q4"
    assert result["tier"] == "potential" and result["experience"] is None
    entries = _ledger(with_clients, "C000001")
    assert [(e.item, e.points) for e in entries] == [
        ("large_cd", 600),
        ("fund", 180),
        ("insurance", 288),
        ("credit_card", 120),
        ("mobile_banking", 200),
    ]
    fund = entries[1]
    assert (fund.rule_set, fund.coefficient, fund.multiplier) == ("2026Q4", "1.5", "1.2")
    assert fund.formula == "floor(10000.00 × 1.5 × 1.2 / 100) = 180"
    assert _account(with_clients, "C000001").balance == 1388


def test_a_form_is_credited_once(with_clients):
    _credit(with_clients)
    with pytest.raises(RuleRefused, match="already been credited"):
        _credit(with_clients)
    assert _account(with_clients, "C000001").balance == 1388


def test_reversal_restores_the_balance_exactly_and_ends_its_experience(with_clients):
    result = _credit(with_clients, client="C000002", lines=[("fund", "20000", "new")])
    assert result["experience"] == "silver"
    account = _account(with_clients, "C000002")
    assert (
        account.experience_tier,
        str(account.experience_starts),
        str(account.experience_ends),
    ) == ("silver", "2026-11-20", "2027-02-17")
    with_clients.execute(
        ReverseFormPoints(client_id="C000002", reference="F1", reason="client withdrew"), HEAD
    )
    account = _account(with_clients, "C000002")
    assert account.balance == 0 and account.experience_tier is None
    assert account.last_experience_outcome == "cancelled"
    assert sum(e.points for e in _ledger(with_clients, "C000002")) == 0
    with pytest.raises(RuleRefused, match="already reversed"):
        with_clients.execute(
            ReverseFormPoints(client_id="C000002", reference="F1", reason="again"), HEAD
        )


def test_quarter_boundary_picks_the_version_in_force_in_shanghai(with_clients):
    publish_next_quarter(with_clients, ADMIN)
    late = _credit(
        with_clients,
        ref="Q4",
        lines=[("fund", "1000", "new")],
        actions=(),
        at="2026-12-31T23:59:00+08:00",
    )
    early = _credit(
        with_clients,
        ref="Q1",
        lines=[("fund", "1000", "new")],
        actions=(),
        at="2027-01-01T00:01:00+08:00",
    )
    utc_evening = _credit(
        with_clients,
        ref="Q1b",
        lines=[("fund", "1000", "new")],
        actions=(),
        at="2026-12-31T16:30:00+00:00",
    )
    assert (late["rule_set"], early["rule_set"], utc_evening["rule_set"]) == (
        "2026Q4",
        "2027Q1",
        "2027Q1",
    )


def test_unsuitable_and_expired_assessments_are_refused(with_clients):
    with pytest.raises(Unsuitable, match="gold .*R3.* exceeds the client's risk grade C2"):
        _credit(with_clients, client="C000005", lines=[("gold", "1000", "new")])
    with pytest.raises(Unsuitable):
        _credit(with_clients, client="C000003", lines=[("fund", "1000", "new")])
    deposit = _credit(
        with_clients, client="C000004", lines=[("time_deposit", "5000", "new")], actions=()
    )
    assert deposit["points"] == 60


def test_only_the_branch_head_credits_and_bad_values_are_input_errors(with_clients):
    with pytest.raises(PermissionDenied):
        _credit(with_clients, actor=Actor(code="mk", role="marketer", branch="B02"))
    with pytest.raises(BadInput):
        _credit(with_clients, lines=[("fund", "abc", "new")])


def test_holding_points_accrue_once_per_finished_month(with_clients, clock):
    month = AccrueHoldingPoints(month="2026-10")
    result = with_clients.execute(month, ADMIN)
    assert result == {
        "month": "2026-10",
        "clients": 4,
        "points": 120 + 180 + 30 + 60,
        "already_credited": 0,
    }
    again = with_clients.execute(month, ADMIN)
    assert again["clients"] == 0 and again["already_credited"] == 4
    assert _account(with_clients, "C000001").balance == 120
    with pytest.raises(RuleRefused, match="not over yet"):
        with_clients.execute(AccrueHoldingPoints(month="2026-11"), ADMIN)
    with pytest.raises(BadInput, match="YYYY-MM"):
        with_clients.execute(AccrueHoldingPoints(month="Oct"), ADMIN)


def test_experience_lapses_after_its_last_day(with_clients):
    _credit(with_clients, client="C000002", lines=[("fund", "20000", "new")])
    kept = with_clients.execute(CloseExperiencePeriods(on="2027-02-17"), ADMIN)
    assert kept["lapsed"] == 0
    assert _account(with_clients, "C000002").experience_tier == "silver"
    ended = with_clients.execute(CloseExperiencePeriods(on="2027-02-18"), ADMIN)
    assert ended["lapsed"] == 1
    account = _account(with_clients, "C000002")
    assert account.experience_tier is None and account.last_experience_outcome == "lapsed"


def test_ledger_replays_to_identical_tables(with_clients):
    _credit(with_clients)
    _credit(with_clients, client="C000002", ref="F2", lines=[("fund", "20000", "new")])
    with_clients.execute(
        ReverseFormPoints(client_id="C000002", reference="F2", reason="mistake"), HEAD
    )
    with_clients.execute(AccrueHoldingPoints(month="2026-10"), ADMIN)
    live = dump_read_tables(with_clients.engine)
    rebuild(with_clients.engine, with_clients.log)
    assert dump_read_tables(with_clients.engine) == live


def test_appointment_bonus_only_within_the_window(with_clients):
    def bonus(ref, on):
        return with_clients.execute(
            CreditBonus(
                client_id="C000001",
                kind="appointment_bonus",
                reference=ref,
                on=on,
                session_day="2026-11-20",
            ),
            HEAD,
        )

    assert bonus("A1", "2026-12-04")["points"] == 300
    with pytest.raises(RuleRefused, match="15 days after"):
        bonus("A2", "2026-12-05")
    with pytest.raises(RuleRefused, match="already credited"):
        bonus("A1", "2026-12-01")


def test_referral_rewards_are_uncapped(with_clients):
    for n in range(1, 4):
        with_clients.execute(
            CreditBonus(
                client_id="C000001",
                kind="referral_checkin",
                reference=f"S{n}",
                on="2026-11-20",
                referred_client="C000002",
            ),
            HEAD,
        )
    with_clients.execute(
        CreditBonus(
            client_id="C000001",
            kind="referral_approval",
            reference="F9",
            on="2026-11-21",
            referred_client="C000002",
        ),
        HEAD,
    )
    assert _account(with_clients, "C000001").balance == 3 * 500 + 1000
    with pytest.raises(BadInput, match="unknown referral kind"):
        with_clients.execute(
            CreditBonus(
                client_id="C000001",
                kind="referral_party",
                reference="X",
                on="2026-11-21",
                referred_client="C000002",
            ),
            HEAD,
        )
