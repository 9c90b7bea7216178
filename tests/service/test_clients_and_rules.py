"""Registering clients in batches and publishing rule sets through the handlers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN
from tests.helpers import client_row
from upgradecamp.domain.commands import PublishRuleSet, RegisterClients
from upgradecamp.domain.errors import BadInput, PermissionDenied, RuleRefused
from upgradecamp.domain.staff import Actor
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientRow, RuleSetRow


def _clients(services):
    with read_transaction(services.engine) as conn:
        return {r.client_id: r for r in conn.execute(select(ClientRow)).all()}


def test_register_clients_projects_searchable_rows(services):
    rows = [
        client_row(1, name="张三", mobile="13812345678", aum="120000.50"),
        client_row(2, name="李四", aum="49999.99", contact_status="unreachable"),
    ]
    assert services.execute(RegisterClients(clients=rows), ADMIN) == {"registered": 2}
    got = _clients(services)
    assert got["C000001"].initials == "zs"
    assert got["C000001"].mobile_last4 == "5678"
    assert got["C000001"].aum_cents == 12_000_050
    assert got["C000001"].segment == "potential"
    assert got["C000002"].segment == "long_tail"
    assert got["C000002"].contact_status == "unreachable"


def test_bad_rows_are_all_reported_and_nothing_is_registered(services):
    services.execute(RegisterClients(clients=[client_row(5)]), ADMIN)
    rows = [
        client_row(1),
        client_row(2, mobile="123"),
        client_row(3, branch="B77"),
        client_row(1),
        client_row(5),
        client_row(6, aum="-5"),
    ]
    with pytest.raises(BadInput) as err:
        services.execute(RegisterClients(clients=rows), ADMIN)
    message = err.value.message
    assert message.startswith("5 problem(s); nothing was registered")
    for expected in (
        "row 2: mobile",
        "row 3: unknown branch 'B77'",
        "row 4: client C000001 appears twice",
        "client C000005 is already registered",
        "row 6: aum",
    ):
        assert expected in message
    assert set(_clients(services)) == {"C000005"}


def test_checkin_staff_may_not_import_clients(services):
    with pytest.raises(PermissionDenied):
        services.execute(
            RegisterClients(clients=[client_row(1)]), Actor(code="ck", role="checkin", branch="B01")
        )


def _rules(services, version):
    with read_transaction(services.engine) as conn:
        row = conn.execute(select(RuleSetRow.rules).where(RuleSetRow.version == version)).one()
    import json

    return json.loads(row.rules)


def test_published_rule_set_never_changes(services):
    rules = _rules(services, "2026Q4")
    with pytest.raises(RuleRefused, match="already published and never changes"):
        services.execute(
            PublishRuleSet(
                version="2026Q4",
                effective_from="2026-10-01",
                effective_to="2026-12-31",
                rules=rules,
            ),
            ADMIN,
        )


def test_overlapping_rule_set_is_refused_and_new_quarter_published(services):
    rules = {**_rules(services, "2026Q4"), "version": "2026Q4b"}
    with pytest.raises(RuleRefused, match="overlaps 2026Q4"):
        services.execute(
            PublishRuleSet(
                version="2026Q4b",
                effective_from="2026-12-01",
                effective_to="2027-02-28",
                rules=rules,
            ),
            ADMIN,
        )
    later = {
        **rules,
        "version": "2027Q2",
        "effective_from": "2027-04-01",
        "effective_to": "2027-06-30",
    }
    head = Actor(code="bh", role="branch_head", branch="B01")
    assert (
        services.execute(
            PublishRuleSet(
                version="2027Q2",
                effective_from="2027-04-01",
                effective_to="2027-06-30",
                rules=later,
            ),
            head,
        )["version"]
        == "2027Q2"
    )
    with pytest.raises(PermissionDenied):
        services.execute(
            PublishRuleSet(
                version="2027Q3",
                effective_from="2027-07-01",
                effective_to="2027-09-30",
                rules=later,
            ),
            Actor(code="mk", role="marketer", branch="B01"),
        )


def test_a_private_banking_client_worth_a_billion_fits_the_register(services):
    """AUM is kept in cents: 1e9 CNY is 1e11 cents, past a 32-bit integer on PostgreSQL."""
    services.execute(RegisterClients(clients=[client_row(1, aum="1000000000.00")]), ADMIN)
    with read_transaction(services.engine) as conn:
        cents = conn.execute(select(ClientRow.aum_cents)).scalar_one()
    assert cents == 100_000_000_000
