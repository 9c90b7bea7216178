"""Property tests through the handlers: any sequence of credits and reversals leaves a balance
equal to the points of the credits still standing, and replaying the log rebuilds the same
tables."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import ADMIN
from tests.helpers import client_row, dump_read_tables
from upgradecamp.domain.commands import CreditFormPoints, RegisterClients, ReverseFormPoints
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.service.bus import bootstrap
from upgradecamp.service.setup import initialise
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientPointsRow

HEAD = Actor(code="bh1", role="branch_head", branch="B02")
PRODUCTS = ["time_deposit", "fund", "insurance", "gold", "wealth_mgmt", "credit_card"]
CLOCK = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)

line = st.tuples(
    st.sampled_from(PRODUCTS),
    st.integers(min_value=1, max_value=5_000_000),
    st.sampled_from(["existing", "new", "other_bank"]),
).map(lambda t: (t[0], str(t[1] % 9 + 1) if t[0] == "credit_card" else f"{t[1] / 100:.2f}", t[2]))
step = st.one_of(
    st.tuples(
        st.just("credit"),
        st.sampled_from(["C000001", "C000002"]),
        st.lists(line, min_size=1, max_size=4),
        st.booleans(),
    ),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=20)),
)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    services = bootstrap(str(path), clock=lambda: CLOCK)
    initialise(services, admin_code="admin1", admin_name="管理员", admin_pin="123409")
    services.execute(
        RegisterClients(
            clients=[
                client_row(1, aum="120000.00", risk_grade="C5", risk_expires="2027-12-31"),
                client_row(2, aum="4999999.99", risk_grade="C4", risk_expires="2027-12-31"),
            ]
        ),
        ADMIN,
    )
    services.engine.dispose()
    return path


@settings(max_examples=25)
@given(steps=st.lists(step, min_size=1, max_size=8))
def test_balances_follow_credits_and_reversals_and_replay_equals_live(
    template, tmp_path_factory, steps
):
    path = tmp_path_factory.mktemp("example") / "points.db"  # a fresh file per example
    shutil.copyfile(template, path)
    shutil.copyfile(f"{template}.key", f"{path}.key")  # the copy is signed with the same key
    services = bootstrap(str(path), clock=lambda: CLOCK)
    standing: dict[str, tuple[str, int]] = {}
    for n, action in enumerate(steps):
        if action[0] == "credit":
            _kind, client, lines, on_site = action
            result = services.execute(
                CreditFormPoints(
                    client_id=client,
                    reference=f"F{n}",
                    lines=lines,
                    actions=[],
                    on_site=on_site,
                    submitted_at=CLOCK.isoformat(),
                ),
                HEAD,
            )
            assert result["points"] >= 0
            standing[f"F{n}"] = (client, result["points"])
        elif standing:
            ref = sorted(standing)[action[1] % len(standing)]
            client, _points = standing.pop(ref)
            services.execute(
                ReverseFormPoints(client_id=client, reference=ref, reason="property test"), HEAD
            )
    with read_transaction(services.engine) as conn:
        balances = dict(
            conn.execute(select(ClientPointsRow.client_id, ClientPointsRow.balance)).all()
        )
    for client in ("C000001", "C000002"):
        expected = sum(p for c, p in standing.values() if c == client)
        assert balances.get(client, 0) == expected
    live = dump_read_tables(services.engine)
    rebuild(services.engine, services.log)
    assert dump_read_tables(services.engine) == live
    services.engine.dispose()
