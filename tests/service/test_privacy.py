"""Forgetting a client without breaking the chain (issue 12 item 6): personal fields sealed in
the log, the key destroyed, the read tables blanked, replay identical, the log still verifying,
and no byte of the SQLite files (db, -wal, -shm) holding the name or mobile afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN
from tests.helpers import client_row, dump_read_tables
from upgradecamp.domain.clock import business_date
from upgradecamp.domain.commands import (
    AddStaff,
    BuildInviteList,
    CheckIn,
    ForgetClient,
    ImportClients,
    ImportHoldings,
    OpenSession,
    PlanSessions,
    PurgeProspects,
    RecordInvitationOutcome,
    RegisterClients,
)
from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied, RuleRefused
from upgradecamp.domain.events import upcast
from upgradecamp.domain.privacy import FORGOTTEN_MOBILE, FORGOTTEN_NAME
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.queries.privacy import personal_data_held
from upgradecamp.service.privacy import scrub
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.keyfile import KeyFileError
from upgradecamp.store.tables import ClientRow
from upgradecamp.store.tables.holdings import HoldingRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.search import ClientSearchRow

ORG = Actor(code="org2", role="organizer", branch="B02", name="赵六")
DESK = Actor(code="ck2", role="checkin", branch="B02", name="钱七")
SESSION = "B02-20261120-1500"
PIN = "246810"
NAME, MOBILE = "欧阳遗忘", "13912345678"
FORGOTTEN = client_row(42)["client_id"]
NOTE = "客户说下周三下午方便"


@pytest.fixture
def svc(services, clock):
    """Clients (one to forget, with an invitation and a call note), a session, a walk-in;
    on SQLite and PostgreSQL alike."""
    s = services
    for code, name, role in [("org2", "赵六", "organizer"), ("ck2", "钱七", "checkin")]:
        s.execute(AddStaff(code=code, name=name, role=role, branch="B02", pin=PIN), ADMIN)
    s.execute(
        RegisterClients(
            clients=[client_row(n, aum="80000.00") for n in range(3)]
            + [client_row(42, name=NAME, mobile=MOBILE, aum="90000.00")]
        ),
        ADMIN,
    )
    s.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", capacity=6), ORG)
    clock.advance(days=-40)
    built = s.execute(BuildInviteList(session_id=SESSION), ORG)
    invitation = next(i for i in built["invitations"] if i["client_id"] == FORGOTTEN)
    s.execute(
        RecordInvitationOutcome(
            invitation=invitation["invitation_id"], channel="call", result="confirmed", note=NOTE
        ),
        ORG,
    )
    clock.advance(days=40)
    s.execute(OpenSession(session_id=SESSION), DESK)
    # A door terminal's retry key keeps the result, which names the client (command_results).
    s.execute(CheckIn(session_id=SESSION, client_id=FORGOTTEN), DESK, idempotency_key="door:1")
    return s


def _raw(svc, sql: str, *params: object) -> list[tuple]:
    """Rows as the database stores them, read past the store (no opening of sealed fields)."""
    if svc.engine.dialect.name != "sqlite":
        sql = sql.replace("?", "%s")
    with svc.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql, tuple(params)).all()]


def _files(svc) -> dict[str, bytes]:
    """The SQLite files' bytes; on PostgreSQL the stored text of the log, keys and cache."""
    if svc.engine.dialect.name != "sqlite":
        rows = _raw(svc, "SELECT payload FROM event_log")
        rows += _raw(svc, "SELECT result FROM command_results")
        keys = _raw(svc, "SELECT wrapped FROM client_keys WHERE wrapped IS NOT NULL")
        text = "\n".join(r[0] for r in rows).encode()
        return {" (tables)": text + b"".join(bytes(k[0]) for k in keys)}
    path = Path(svc.engine.url.database)
    return {
        suffix: Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    }


def _client(svc, client_id: str) -> dict:
    with read_transaction(svc.engine) as conn:
        return dict(
            conn.execute(select(ClientRow).where(ClientRow.client_id == client_id)).one()._mapping
        )


def test_the_log_holds_personal_fields_sealed_and_reads_them_back_plain(svc):
    ((stored,),) = _raw(
        svc,
        "SELECT payload FROM event_log WHERE stream_id = ? AND event_type = 'ClientRegistered'",
        f"client-{FORGOTTEN}",
    )
    assert NAME not in stored and MOBILE not in stored and '"_sealed"' in stored
    assert '"aum":"90000.00"' in stored  # what reports count stays plain
    with read_transaction(svc.engine) as conn:
        event = svc.log.read_stream(conn, f"client-{FORGOTTEN}")[0].event
    assert (event.name, event.mobile) == (NAME, MOBILE)


def test_forgetting_leaves_no_byte_of_the_name_or_mobile_in_the_files(svc):
    ((wrapped,),) = _raw(svc, "SELECT wrapped FROM client_keys WHERE client_id = ?", FORGOTTEN)
    assert any(NAME.encode() in b for b in _files(svc).values())
    ((cached,),) = _raw(svc, "SELECT result FROM command_results")
    assert NAME in cached

    result = svc.execute(ForgetClient(client_id=FORGOTTEN, reason="书面申请"), ADMIN)
    assert result["client_id"] == FORGOTTEN and result["forgotten_by"] == ADMIN.code
    assert scrub(svc)

    files = _files(svc)
    assert files
    for suffix, data in files.items():
        for secret in (NAME.encode(), MOBILE.encode(), NOTE.encode(), bytes(wrapped)):
            assert secret not in data, f"{secret!r} still in the db{suffix} file"
    with read_transaction(svc.engine) as conn:
        assert svc.log.verify(conn).ok
    # A retry of the cached check-in answers as before, but about a forgotten client.
    again = svc.execute(
        CheckIn(session_id=SESSION, client_id=FORGOTTEN), DESK, idempotency_key="door:1"
    )
    assert (again["client_id"], again["name"]) == (FORGOTTEN, FORGOTTEN_NAME)


def test_a_forgotten_client_keeps_amounts_and_reads_as_forgotten_in_replay_too(svc):
    before = _client(svc, FORGOTTEN)
    svc.execute(ForgetClient(client_id=FORGOTTEN, reason="书面申请"), ADMIN)
    live = dump_read_tables(svc.engine)
    row = _client(svc, FORGOTTEN)
    assert (row["name"], row["mobile"], row["id_last4"]) == (FORGOTTEN_NAME, FORGOTTEN_MOBILE, "")
    assert row["aum_cents"] == before["aum_cents"] == 9_000_000
    assert row["segment"] == before["segment"] and row["branch"] == "B02"
    with read_transaction(svc.engine) as conn:
        assert (
            conn.execute(
                select(ClientSearchRow).where(ClientSearchRow.client_id == FORGOTTEN)
            ).first()
            is None
        )
        notes = conn.execute(
            select(InvitationRow.last_note).where(InvitationRow.client_id == FORGOTTEN)
        ).all()
        assert notes == [("",)]
        events = svc.log.read_stream(conn, f"client-{FORGOTTEN}")
    registered = events[0].event
    assert (registered.name, registered.mobile) == (FORGOTTEN_NAME, FORGOTTEN_MOBILE)
    assert str(registered.aum) == "90000.00"

    replayed = rebuild(svc.engine, svc.log)
    assert replayed.events > 0
    assert dump_read_tables(svc.engine) == live


def test_forget_is_refused_clearly(svc):
    with pytest.raises(NotFound, match="no client NOPE"):
        svc.execute(ForgetClient(client_id="NOPE", reason="x"), ADMIN)
    with pytest.raises(PermissionDenied, match="only an admin"):
        svc.execute(ForgetClient(client_id=FORGOTTEN, reason="x"), ORG)
    with pytest.raises(BadInput, match="say why"):
        svc.execute(ForgetClient(client_id=FORGOTTEN, reason=" "), ADMIN)
    svc.execute(ForgetClient(client_id=FORGOTTEN, reason="书面申请"), ADMIN)
    with pytest.raises(RuleRefused, match="already forgotten"):
        svc.execute(ForgetClient(client_id=FORGOTTEN, reason="again"), ADMIN)


def test_without_the_key_file_names_cannot_be_read_and_it_says_so(svc):
    keyless = EventLog(upcast=upcast)
    with read_transaction(svc.engine) as conn:
        with pytest.raises(KeyFileError, match="sealed with its key file.*restore it"):
            keyless.read_stream(conn, f"client-{FORGOTTEN}")
        # What holds no personal data still reads.
        assert keyless.read_stream(conn, f"session-{SESSION}")


def test_purge_forgets_old_unmatched_walk_ins_and_the_report_counts_what_is_held(svc, clock):
    walk_in = svc.execute(
        CheckIn(session_id=SESSION, prospect_name="司马新客", prospect_mobile="13987654321"),
        DESK,
        idempotency_key="door:walk-in",
    )
    prospect = walk_in["client_id"]
    kinds = {(x.kind, x.branch) for x in personal_data_held(svc.engine, clock())}
    assert {("client", "B02"), ("prospect", "B02"), ("invitation_note", "B02")} <= kinds

    young = svc.execute(PurgeProspects(older_than_days=30), ADMIN)
    assert young["forgotten"] == 0
    clock.advance(days=31)
    dry = svc.execute(PurgeProspects(older_than_days=30, dry_run=True), ADMIN)
    assert dry["clients"] == [prospect] and _client(svc, prospect)["name"] == "司马新客"
    with pytest.raises(PermissionDenied):
        svc.execute(PurgeProspects(older_than_days=30), ORG)
    done = svc.execute(PurgeProspects(older_than_days=30), ADMIN)
    assert done["clients"] == [prospect]
    assert _client(svc, prospect)["name"] == FORGOTTEN_NAME
    assert _client(svc, client_row(0)["client_id"])["name"] != FORGOTTEN_NAME
    held = personal_data_held(svc.engine, clock())
    assert not any(x.kind == "prospect" for x in held)
    cached = [r for (r,) in _raw(svc, "SELECT result FROM command_results")]
    assert cached and not any("司马新客" in r or "13987654321" in r for r in cached)
    assert svc.execute(PurgeProspects(older_than_days=30), ADMIN)["forgotten"] == 0


def test_a_crm_re_import_leaves_a_forgotten_client_out_by_line_and_imports_the_rest(svc, clock):
    """The bank's CRM still lists the person: the monthly re-import goes through without them."""
    svc.execute(ForgetClient(client_id=FORGOTTEN, reason="书面申请"), ADMIN)
    on = business_date(clock())
    rows = [
        {"line": 2, **client_row(0, aum="95000.00")},
        {"line": 3, **client_row(42, name=NAME, mobile=MOBILE, aum="99000.00")},
        {"line": 4, **client_row(7)},
    ]
    dry = svc.execute(ImportClients(source="crm.csv", rows=rows, dry_run=True), ADMIN)
    assert [x["line"] for x in dry["left_out"]] == [3]
    result = svc.execute(ImportClients(source="crm.csv", rows=rows), ADMIN)
    assert (result["registered"], result["updated"], result["skipped"]) == (1, 1, [])
    assert result["left_out"] == [
        {
            "line": 3,
            "client_id": FORGOTTEN,
            "forgotten_on": on.isoformat(),
            "text": f"line 3: client {FORGOTTEN} was forgotten on {on} (PIPL); left out",
        }
    ]
    row = _client(svc, FORGOTTEN)
    assert (row["name"], row["aum_cents"]) == (FORGOTTEN_NAME, 9_000_000)
    assert _client(svc, client_row(0)["client_id"])["aum_cents"] == 9_500_000
    with read_transaction(svc.engine) as conn:
        audit = svc.log.read_stream(conn, "client-imports")[-1].event
    assert audit.left_out_rows == [3] and audit.skipped_rows == []


def test_a_holdings_file_leaves_a_forgotten_clients_rows_out(svc, clock, tmp_path):
    svc.execute(ForgetClient(client_id=FORGOTTEN, reason="书面申请"), ADMIN)
    file = tmp_path / "holdings.csv"
    file.write_text(
        "client_id,product,amount,maturity\n"
        f"{client_row(0)['client_id']},large_cd,50000,2027-01-15\n"
        f"{FORGOTTEN},time_deposit,80000,2027-01-20\n",
        encoding="utf-8",
    )
    result = svc.execute(ImportHoldings(path=str(file)), ADMIN)
    assert (result["imported"], result["problems"]) == (1, [])
    on = business_date(clock())
    assert [x["text"] for x in result["left_out"]] == [
        f"line 3: client {FORGOTTEN} was forgotten on {on} (PIPL); left out"
    ]
    with read_transaction(svc.engine) as conn:
        held = conn.execute(select(HoldingRow.client_id)).scalars().all()
    assert FORGOTTEN not in held and client_row(0)["client_id"] in held
