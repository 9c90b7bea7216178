"""Publishing a drafted rule set signed with a PIN (the TUI's rules screen), and replay."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN, ADMIN_PIN
from tests.helpers import RULES, dump_read_tables
from upgradecamp.domain.commands import PublishRuleSet
from upgradecamp.domain.errors import WrongPin
from upgradecamp.domain.rule_quarters import draft_next, edit_rule_set
from upgradecamp.domain.rules import load_rule_set
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import RuleSetRow


def _publish(services, pin: str):
    draft = draft_next(load_rule_set(RULES / "2026Q4.toml"), "2027Q1", ["2026Q4"])
    draft = edit_rule_set(draft, "products.fund.coefficient", "1.7")
    return services.execute(
        PublishRuleSet(
            version=draft.version,
            effective_from=draft.effective_from.isoformat(),
            effective_to=draft.effective_to.isoformat(),
            rules=draft.to_payload(),
            pin=pin,
        ),
        ADMIN,
    )


def _versions(services) -> list[str]:
    with read_transaction(services.engine) as conn:
        return [
            r.version
            for r in conn.execute(select(RuleSetRow.version).order_by(RuleSetRow.effective_from))
        ]


def test_a_wrong_pin_publishes_nothing_and_counts_as_a_failure(services):
    with pytest.raises(WrongPin, match="wrong PIN for admin1; 4 more"):
        _publish(services, "0000")
    assert _versions(services) == ["2026Q4"]
    with read_transaction(services.engine) as conn:
        assert services.log.tail(conn, 1)[-1].type == "StaffPinRejected"


def test_the_right_pin_publishes_and_replay_rebuilds_the_same_tables(services):
    assert _publish(services, ADMIN_PIN)["version"] == "2027Q1"
    assert _versions(services) == ["2026Q4", "2027Q1"]
    before = dump_read_tables(services.engine)
    rebuild(services.engine, services.log)
    assert dump_read_tables(services.engine) == before
