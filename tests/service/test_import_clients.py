"""The client import handler: all or nothing, good rows only, re-imports write only changes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN
from tests.helpers import dump_read_tables
from upgradecamp.domain.commands import AddStaff
from upgradecamp.domain.commands.clients import ImportClientFile, ImportClients
from upgradecamp.domain.errors import BadInput, PermissionDenied
from upgradecamp.domain.events.clients import ClientConsentWithdrawn, ClientMarkedUnreachable
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.db import read_transaction, write_transaction
from upgradecamp.store.tables import ClientRow

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "fixtures" / "imports" / "clients_sample.csv"
BAD = REPO / "fixtures" / "imports" / "clients_bad.csv"


@pytest.fixture
def bad_csv(tmp_path):
    """The shipped bad sample, copied: an import writes its report beside the file."""
    copy = tmp_path / BAD.name
    copy.write_bytes(BAD.read_bytes())
    return copy


BAD_LINES = [3, 5, 7, 8, 9, 10, 12]
HEADER = [
    "客户号",
    "姓名",
    "手机号",
    "证件号后四位",
    "所属网点",
    "客户经理",
    "金融资产",
    "风险等级",
    "风险评估到期日",
    "营销同意",
    "联系状态",
]
ORGANIZER = Actor(code="org1", role="organizer", branch="B01")


def import_client_file(services, actor, path, *, good_rows_only=False, dry_run=False) -> dict:
    """A CRM file as `upgradecamp clients import` imports it: one command through the bus."""
    return services.execute(
        ImportClientFile(path=str(path), good_rows_only=good_rows_only, dry_run=dry_run), actor
    )


def sample_rows() -> list[list[str]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))[1:]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def events(services, after: int = 0) -> list:
    with read_transaction(services.engine) as conn:
        return list(services.log.read_all(conn, after))


def head(services) -> int:
    with read_transaction(services.engine) as conn:
        return services.log.head(conn)[0]


def clients(services) -> dict[str, dict]:
    with read_transaction(services.engine) as conn:
        return {r.client_id: dict(r._mapping) for r in conn.execute(select(ClientRow))}


def record(services, event) -> None:
    """Append an event as another area's handler would (consent withdrawn, unreachable)."""
    with write_transaction(services.engine) as conn:
        uow = UnitOfWork(
            conn, services.log, ADMIN, {"actor": "admin1", "terminal": "t"}, services.clock
        )
        uow.stream_version(event.stream_id())
        uow.record(event)
        uow.commit()


def test_every_bad_row_is_reported_and_nothing_is_imported(bad_csv, services):
    before = head(services)
    with pytest.raises(BadInput) as err:
        import_client_file(services, ADMIN, bad_csv)
    assert err.value.code == "import_bad_rows"
    problems = err.value.params["problems"]
    assert sorted({p["line"] for p in problems}) == BAD_LINES
    assert err.value.params["count"] == len(BAD_LINES)
    assert [(p["line"], p["column"], p["code"]) for p in problems] == [
        (3, "mobile", "mobile_invalid"),
        (5, "aum", "aum_negative"),
        (7, "client_id", "duplicate"),
        (8, "branch", "unknown_branch"),
        (9, "marketing_consent", "missing_cell"),
        (9, "contact_status", "missing_cell"),
        (10, "name", "formula"),
        (12, "mobile", "mobile_invalid"),
    ]
    message = err.value.message
    for p in problems:
        assert f"line {p['line']}, {p['column']} '{p['value']}'" in message
    assert message.startswith("7 bad rows (8 problem(s)); nothing was imported:")
    assert message.rstrip().endswith("or import only the good rows with --good-rows-only.")
    assert head(services) == before and clients(services) == {}


def test_good_rows_only_imports_exactly_the_good_rows(bad_csv, services):
    result = import_client_file(services, ADMIN, bad_csv, good_rows_only=True)
    assert (result["registered"], result["updated"], result["unchanged"]) == (4, 0, 0)
    assert result["skipped"] == BAD_LINES
    stored = clients(services)
    assert sorted(stored) == ["6300000001", "6300000003", "6300000005", "6300000010"]
    wide = stored["6300000003"]  # the full-width row, normalised
    assert (
        wide["mobile"],
        wide["id_last4"],
        wide["branch"],
        wide["aum_cents"],
        wide["risk_grade"],
        wide["contact_status"],
    ) == ("13900000203", "087X", "B02", 8_650_000, "C4", "ok")
    assert stored["6300000001"]["name"] == "张伟"  # the first of the duplicated number
    audit = [e for e in events(services) if e.type == "ClientsImported"]
    assert len(audit) == 1
    assert audit[0].payload == {
        "source": "clients_bad.csv",
        "rows": 11,
        "registered": 4,
        "updated": 0,
        "unchanged": 0,
        "skipped_rows": BAD_LINES,
        "left_out_rows": [],
    }
    assert audit[0].meta["actor"] == "admin1"


def test_reimporting_the_same_file_writes_no_client_event(services):
    first = import_client_file(services, ADMIN, SAMPLE)
    assert (first["registered"], first["updated"], first["unchanged"]) == (20, 0, 0)
    position = head(services)
    again = import_client_file(services, ADMIN, SAMPLE)
    assert (again["registered"], again["updated"], again["unchanged"]) == (0, 0, 20)
    assert [e.type for e in events(services, position)] == ["ClientsImported"]


def test_a_changed_client_gets_one_event_with_only_the_changed_fields(services, tmp_path):
    import_client_file(services, ADMIN, SAMPLE)
    rows = sample_rows()
    rows[0][6] = "130,000.00"  # 6200000001: AUM
    rows[1][2] = "13911112222"  # 6200000002: mobile, grade and date cleared
    rows[1][7], rows[1][8] = "", ""
    rows[2][4], rows[2][9] = "B03", "N"  # 6200000003: branch and consent
    position = head(services)
    result = import_client_file(services, ADMIN, write_csv(tmp_path / "changed.csv", rows))
    assert (result["registered"], result["updated"], result["unchanged"]) == (0, 3, 17)
    changed = [e for e in events(services, position) if e.type == "ClientDetailsChanged"]
    set_fields = [
        (
            e.payload["client_id"],
            {k: v for k, v in e.payload.items() if v is not None and k != "client_id" and v != []},
            e.payload["cleared"],
        )
        for e in changed
    ]
    assert set_fields == [
        ("6200000001", {"aum": "130000.00"}, []),
        (
            "6200000002",
            {"mobile": "13911112222", "cleared": ["risk_grade", "risk_expires"]},
            ["risk_grade", "risk_expires"],
        ),
        ("6200000003", {"branch": "B03", "marketing_consent": False}, []),
    ]
    assert [e.stream_version for e in changed] == [2, 2, 2]
    stored = clients(services)
    assert stored["6200000001"]["aum_cents"] == 13_000_000
    assert stored["6200000002"]["mobile_last4"] == "2222"
    assert stored["6200000002"]["risk_grade"] is None
    assert stored["6200000002"]["risk_expires"] is None
    assert (stored["6200000003"]["branch"], stored["6200000003"]["marketing_consent"]) == (
        "B03",
        False,
    )


def test_a_consent_withdrawn_here_is_not_given_back_by_the_crm(services, tmp_path):
    import_client_file(services, ADMIN, SAMPLE)
    record(services, ClientConsentWithdrawn(client_id="6200000001", channel="sms"))
    position = head(services)
    result = import_client_file(services, ADMIN, SAMPLE)
    assert (result["updated"], result["unchanged"], result["kept_withdrawn"]) == (0, 20, 1)
    assert [e.type for e in events(services, position)] == ["ClientsImported"]
    assert any("withdrew marketing consent" in n for n in result["notes"])
    row = clients(services)["6200000001"]
    assert (row["marketing_consent"], row["consent_withdrawn"]) == (False, True)
    rows = sample_rows()
    rows[0][6] = "1.00"  # another change to the same client still leaves consent alone
    result = import_client_file(services, ADMIN, write_csv(tmp_path / "c.csv", rows))
    assert (result["updated"], result["kept_withdrawn"]) == (1, 1)
    changed = [e for e in events(services, position) if e.type == "ClientDetailsChanged"]
    assert changed[-1].payload["marketing_consent"] is None
    assert clients(services)["6200000001"]["marketing_consent"] is False


def test_an_empty_contact_status_keeps_the_current_one(services, tmp_path):
    import_client_file(services, ADMIN, SAMPLE)
    record(services, ClientMarkedUnreachable(client_id="6200000001", reason="wrong number"))
    rows = sample_rows()
    rows[0][10] = ""
    result = import_client_file(services, ADMIN, write_csv(tmp_path / "c.csv", rows))
    assert result["updated"] == 0
    assert clients(services)["6200000001"]["contact_status"] == "unreachable"
    rows[0][10] = "正常"
    result = import_client_file(services, ADMIN, write_csv(tmp_path / "c.csv", rows))
    assert result["updated"] == 1
    assert clients(services)["6200000001"]["contact_status"] == "ok"


def test_columns_the_file_lacks_keep_what_upgradecamp_holds(services, tmp_path):
    services.execute(
        AddStaff(code="mk1", name="张三", role="marketer", branch="B01", pin="234509"), ADMIN
    )
    rows = sample_rows()
    rows[0][5] = "MK1"  # a staff code in another case is that staff member
    import_client_file(services, ADMIN, write_csv(tmp_path / "a.csv", rows))
    assert clients(services)["6200000001"]["rm"] == "mk1"
    narrow = [[r[0], r[1], r[2], r[3], r[4], r[6], r[9]] for r in rows]
    result = import_client_file(
        services,
        ADMIN,
        write_csv(tmp_path / "b.csv", narrow, [HEADER[i] for i in (0, 1, 2, 3, 4, 6, 9)]),
    )
    assert (result["updated"], result["unchanged"]) == (0, 20)
    assert result["absent_columns"] == [
        "rm",
        "risk_grade",
        "risk_expires",
        "contact_status",
        "birthday",
    ]
    stored = clients(services)["6200000001"]
    assert (stored["rm"], stored["risk_grade"]) == ("mk1", "C3")


def test_an_rm_who_is_not_staff_is_a_bad_row(services, tmp_path):
    rows = sample_rows()
    rows[3][5] = "nobody"
    with pytest.raises(BadInput) as err:
        import_client_file(services, ADMIN, write_csv(tmp_path / "c.csv", rows))
    assert [(p["line"], p["column"], p["code"]) for p in err.value.params["problems"]] == [
        (5, "rm", "unknown_rm")
    ]


def test_a_dry_run_plans_and_writes_nothing(bad_csv, services):
    position = head(services)
    plan = import_client_file(services, ADMIN, bad_csv, dry_run=True)
    assert plan["dry_run"] is True
    assert (plan["registered"], plan["skipped"]) == (4, BAD_LINES)
    assert len(plan["problems"]) == 8
    assert head(services) == position
    import_client_file(services, ADMIN, SAMPLE)
    plan = import_client_file(services, ADMIN, SAMPLE, dry_run=True)
    assert (plan["registered"], plan["updated"], plan["unchanged"]) == (0, 0, 20)


def test_only_staff_allowed_to_import_may(services):
    with pytest.raises(PermissionDenied):
        import_client_file(services, Actor(code="ck1", role="checkin"), SAMPLE)
    with pytest.raises(PermissionDenied):
        services.execute(ImportClients(source="x", rows=[]), Actor(code="mk1", role="marketer"))
    assert import_client_file(services, ORGANIZER, SAMPLE)["registered"] == 20


def test_the_permission_is_checked_before_the_file_is_read(services, tmp_path):
    with pytest.raises(PermissionDenied):
        import_client_file(services, Actor(code="ck1", role="checkin"), tmp_path / "none.csv")


def test_rows_that_skipped_the_checks_are_still_refused(services):
    with pytest.raises(BadInput) as err:
        services.execute(
            ImportClients(
                source="script",
                rows=[
                    {
                        "line": 2,
                        "client_id": "X1",
                        "name": "张三",
                        "mobile": "12345",
                        "id_last4": "1",
                        "branch": "B01",
                        "aum": "-1.00",
                        "marketing_consent": True,
                    },
                    {"line": 3, "client_id": "X2", "name": "李四"},
                ],
            ),
            ADMIN,
        )
    lines = {(p["line"], p["column"]) for p in err.value.params["problems"]}
    assert {(2, "mobile"), (2, "id_last4"), (2, "aum"), (3, "mobile")} <= lines
    assert clients(services) == {}


def test_replay_rebuilds_the_imported_clients_row_for_row(services, tmp_path):
    import_client_file(services, ADMIN, SAMPLE)
    record(services, ClientConsentWithdrawn(client_id="6200000004", channel="call"))
    rows = sample_rows()
    rows[5][6], rows[6][7] = "1,000,000", ""
    import_client_file(services, ADMIN, write_csv(tmp_path / "c.csv", rows))
    live = dump_read_tables(services.engine)
    rebuild(services.engine, services.log)
    assert dump_read_tables(services.engine) == live


def test_script_rows_with_good_rows_only_list_each_problem_once(services):
    good = {
        "line": 2,
        "client_id": "X1",
        "name": "张三",
        "mobile": "13800000001",
        "id_last4": "0012",
        "branch": "B01",
        "aum": "1000.00",
        "marketing_consent": True,
    }
    result = services.execute(
        ImportClients(
            source="script",
            rows=[good, {**good, "line": 3, "client_id": "X2", "branch": "B99"}],
            good_rows_only=True,
        ),
        ADMIN,
    )
    assert (result["registered"], result["rows"], result["skipped"]) == (1, 2, [3])
    assert [(p["line"], p["code"]) for p in result["problems"]] == [(3, "unknown_branch")]
    assert set(clients(services)) == {"X1"}


def test_a_file_larger_than_a_chunk_is_applied_whole(services, tmp_path, monkeypatch):
    """Chunks of 7 rows: a repeated number 37 lines apart is still found, every good row is
    imported once, the log replays to the same tables and the spool folder is gone."""
    import tempfile

    from upgradecamp.service import clients as handler

    monkeypatch.setattr(handler, "CHUNK", 7)
    spools = tmp_path / "spools"
    spools.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spools))
    base = sample_rows()[0]
    rows = [[f"71000{i:05d}", base[1], f"1380000{i:04d}", *base[3:]] for i in range(40)]
    rows.append(list(rows[3]))  # line 42 repeats line 5's client number
    path = write_csv(tmp_path / "many.csv", rows)
    with pytest.raises(BadInput) as err:
        import_client_file(services, ADMIN, path)
    problems = err.value.params["problems"]
    assert [(p["line"], p["code"], p["other_line"]) for p in problems] == [(42, "duplicate", 5)]
    result = import_client_file(services, ADMIN, path, good_rows_only=True)
    assert (result["registered"], result["rows"], result["skipped"]) == (40, 41, [42])
    assert len(clients(services)) == 40
    assert list(spools.iterdir()) == []
    before = dump_read_tables(services.engine)
    rebuild(services.engine, services.log)
    assert dump_read_tables(services.engine) == before
