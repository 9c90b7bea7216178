"""A database written by an older version opens with this one: stale read tables are rebuilt."""

from __future__ import annotations

from sqlalchemy import text

from tests.conftest import ADMIN
from tests.helpers import client_row, dump_read_tables
from upgradecamp.domain.commands import RegisterClients
from upgradecamp.service.setup import bring_read_model_up_to_date
from upgradecamp.store.db import write_transaction
from upgradecamp.store.schema import stale_read_tables


def test_missing_tables_and_columns_are_recreated_from_the_log(services):
    services.execute(RegisterClients(clients=[client_row(n) for n in range(3)]), ADMIN)
    before = dump_read_tables(services.engine)
    assert bring_read_model_up_to_date(services) == []
    with write_transaction(services.engine) as conn:  # as an older version left them
        conn.execute(text("DROP TABLE client_search"))
        conn.execute(text("ALTER TABLE clients DROP COLUMN consent_withdrawn"))
    assert sorted(bring_read_model_up_to_date(services)) == ["client_search", "clients"]
    assert dump_read_tables(services.engine) == before
    assert bring_read_model_up_to_date(services) == []


def test_a_declared_index_a_table_lacks_is_created_without_a_replay(services, monkeypatch):
    from upgradecamp.projections import rebuild

    def no_replay(*_args: object) -> None:
        raise AssertionError("a missing index needs no replay")

    services.execute(RegisterClients(clients=[client_row(n) for n in range(3)]), ADMIN)
    before = dump_read_tables(services.engine)
    with write_transaction(services.engine) as conn:  # as a version before the index left it
        conn.execute(text("DROP INDEX ix_checkins_invitation_id"))
    assert [i.name for i in stale_read_tables(services.engine)[1]] == ["ix_checkins_invitation_id"]
    monkeypatch.setattr(rebuild, "rebuild", no_replay)
    assert bring_read_model_up_to_date(services) == []
    assert stale_read_tables(services.engine) == ([], [])
    assert dump_read_tables(services.engine) == before
