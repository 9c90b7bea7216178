"""Exports read back with the csv module, openpyxl and json: BOM, Chinese headers, masked
mobiles, formula-looking text kept as text, numbers kept as numbers, filters, the export
recorded, and no half file when something fails."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import insert, select

from tests.conftest import ADMIN
from tests.helpers import client_row
from upgradecamp import i18n
from upgradecamp.domain.commands import AddStaff, RegisterClients
from upgradecamp.domain.commands.exports import ExportList
from upgradecamp.domain.commands.invitations import BuildInviteList
from upgradecamp.domain.commands.sessions import PlanSessions
from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied
from upgradecamp.domain.staff import Actor
from upgradecamp.io import exports
from upgradecamp.io.export_columns import (
    CLIENT_COLUMNS,
    FOLLOWUP_COLUMNS,
    INVITATION_COLUMNS,
    Column,
)
from upgradecamp.io.exports import (
    display_width,
    guard_text,
    write_whole,
)
from upgradecamp.queries.exports import count_rows, export_rows
from upgradecamp.store.db import read_transaction, write_transaction
from upgradecamp.store.tables.followups import FollowUpRow
from upgradecamp.store.tables.invitations import ExportRow

ORG = Actor(code="org1", role="organizer", branch="B01")
BH = Actor(code="bh1", role="branch_head", branch="B02")
MK = Actor(code="mk1", role="marketer", branch="B02")
CK = Actor(code="ck1", role="checkin", branch="B02")
FORMULA_NAME = '=HYPERLINK("x")'

COLUMNS = (
    Column("client_id", "客户号", "code"),
    Column("name", "姓名"),
    Column("mobile", "手机号", "code"),
    Column("aum", "金融资产", "money"),
    Column("cents", "积分金额", "cents"),
    Column("calls", "致电次数", "integer"),
    Column("due", "到期日", "date"),
    Column("at", "时间", "datetime"),
    Column("consent", "营销同意", "bool"),
)
ROWS = [
    {
        "client_id": "0012345678",
        "name": FORMULA_NAME,
        "mobile": "138****5678",
        "aum": Decimal("49000.00"),
        "cents": 123456,
        "calls": 3,
        "due": date(2026, 11, 23),
        "at": datetime(2026, 11, 20, 2, 30, tzinfo=UTC),
        "consent": True,
    },
    {
        "client_id": "C000002",
        "name": "欧阳娜娜",
        "mobile": "13912345678",
        "aum": "-5.10",
        "cents": None,
        "calls": None,
        "due": None,
        "at": None,
        "consent": False,
    },
]


def run_export(services, actor, what, fmt, out, *, filters=None, unmasked=False) -> dict:
    """An export as `upgradecamp export` runs it: one command through the bus."""
    return services.execute(
        ExportList(
            what=what,
            out=str(out),
            format=fmt,
            filters=tuple((filters or {}).items()),
            unmasked=unmasked,
        ),
        actor,
    )


def read_csv(path) -> list[list[str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


# --- the formula guard --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+86",
        "-2",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "\nx",
        "＝1+1",
        " =1+1",
        "\u3000@x",
        FORMULA_NAME,
    ],
)
def test_anything_a_spreadsheet_could_run_gets_an_apostrophe(text):
    assert guard_text(text) == "'" + text


@pytest.mark.parametrize("text", ["张三", "13812345678", "138****5678", "a=b", "", "'quoted"])
def test_plain_text_passes_unchanged(text):
    assert guard_text(text) == text


def test_display_width_counts_chinese_double():
    assert display_width("张三") == 4 and display_width("ab") == 2 and display_width("Ａ1") == 3


# --- writers ------------------------------------------------------------------------------


def test_csv_has_a_bom_chinese_headers_safe_text_and_plain_amounts(tmp_path, chinese):
    path = tmp_path / "out.csv"
    assert write_whole("csv", path, COLUMNS, iter(ROWS)) == 2
    table = read_csv(path)
    assert table[0] == [
        "客户号",
        "姓名",
        "手机号",
        "金融资产",
        "积分金额",
        "致电次数",
        "到期日",
        "时间",
        "营销同意",
    ]
    assert table[1] == [
        "0012345678",
        "'" + FORMULA_NAME,
        "138****5678",
        "49000.00",
        "1234.56",
        "3",
        "2026-11-23",
        "2026-11-20 10:30",
        "是",
    ]
    assert table[2] == ["C000002", "欧阳娜娜", "13912345678", "-5.10", "", "", "", "", "否"]
    assert not list(tmp_path.glob(".*part"))


def test_xlsx_header_is_bold_and_frozen_amounts_are_cny_numbers_mobiles_text(tmp_path, chinese):
    path = tmp_path / "out.xlsx"
    assert write_whole("xlsx", path, COLUMNS, iter(ROWS)) == 2
    ws = openpyxl.load_workbook(path).active
    header = [c for c in ws[1]]
    assert [c.value for c in header] == [c.header for c in COLUMNS]
    assert all(c.font.b for c in header)
    assert ws.freeze_panes == "A2"
    first = {c.header: cell for c, cell in zip(COLUMNS, ws[2], strict=True)}
    assert first["客户号"].data_type == "s" and first["客户号"].value == "0012345678"
    assert first["姓名"].data_type == "s" and first["姓名"].value == "'" + FORMULA_NAME
    assert first["手机号"].value == "138****5678" and first["手机号"].data_type == "s"
    assert first["金融资产"].data_type == "n" and first["金融资产"].value == 49000
    assert first["金融资产"].number_format == "¥#,##0.00"
    assert first["积分金额"].value == pytest.approx(1234.56)
    assert first["致电次数"].value == 3 and first["致电次数"].data_type == "n"
    assert first["到期日"].value == datetime(2026, 11, 23)
    assert first["到期日"].number_format == "yyyy-mm-dd"
    assert first["时间"].value == datetime(2026, 11, 20, 10, 30)  # Asia/Shanghai
    assert first["营销同意"].value == "是"
    second = [c.value for c in ws[3]]
    assert second[2] == "13912345678" and second[3] == pytest.approx(-5.1)
    assert second[4:8] == [None, None, None, None]
    # No formula anywhere: openpyxl reads a formula cell back as data type "f".
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert widths["B"] > widths["A"]  # the name column fits 欧阳娜娜 and the formula name
    assert all(8 <= w <= 62 for w in widths.values())


def test_json_is_one_array_with_money_as_strings_and_times_with_offset(tmp_path):
    path = tmp_path / "out.json"
    assert write_whole("json", path, COLUMNS, iter(ROWS)) == 2
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data[0] == {
        "client_id": "0012345678",
        "name": FORMULA_NAME,
        "mobile": "138****5678",
        "aum": "49000.00",
        "cents": "1234.56",
        "calls": 3,
        "due": "2026-11-23",
        "at": "2026-11-20T10:30:00+08:00",
        "consent": True,
    }
    assert data[1]["aum"] == "-5.10" and data[1]["due"] is None
    empty = tmp_path / "empty.json"
    assert write_whole("json", empty, COLUMNS, iter([])) == 0
    assert json.loads(empty.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_failed_export_leaves_no_file_and_keeps_an_older_one(tmp_path, fmt):
    path = tmp_path / "out.data"
    path.write_text("the earlier export", encoding="utf-8")

    def broken():
        yield ROWS[0]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        write_whole(fmt, path, COLUMNS, broken())
    assert path.read_text(encoding="utf-8") == "the earlier export"
    assert [p.name for p in tmp_path.iterdir()] == ["out.data"]


def test_progress_is_reported_in_steps_and_at_the_end(tmp_path):
    seen: list[int] = []
    rows = ({**ROWS[1], "client_id": f"C{n}"} for n in range(2500))
    assert write_whole("csv", tmp_path / "p.csv", COLUMNS, rows, progress=seen.append) == 2500
    assert seen == [1000, 2000, 2500]


def test_xlsx_refuses_more_rows_than_a_sheet_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)
    with pytest.raises(BadInput, match="use --format csv"):
        write_whole("xlsx", tmp_path / "big.xlsx", COLUMNS, iter(ROWS * 2))
    assert list(tmp_path.iterdir()) == []


def test_writing_into_a_missing_folder_is_bad_input(tmp_path):
    with pytest.raises(BadInput, match="does not exist"):
        write_whole("xlsx", tmp_path / "nope" / "x.xlsx", COLUMNS, iter(ROWS))


# --- from the database --------------------------------------------------------------------


@pytest.fixture
def chinese():
    """Exports in Chinese, headers and values (the tests' default language is English)."""
    i18n.set_language("zh_CN", load=False)


@pytest.fixture
def data(services, clock):
    for code, role, branch in (
        ("org1", "organizer", "B01"),
        ("bh1", "branch_head", "B02"),
        ("mk1", "marketer", "B02"),
        ("ck1", "checkin", "B02"),
        ("mk3", "marketer", "B03"),
        ("mk4", "marketer", "B03"),
    ):
        services.execute(
            AddStaff(code=code, name=f"员工{code}", role=role, branch=branch, pin="246809"), ADMIN
        )
    services.execute(
        RegisterClients(
            clients=[
                client_row(1, name=FORMULA_NAME, aum="150000.00", rm="mk1"),
                *[client_row(n, rm="mk1") for n in range(2, 5)],
                client_row(5, branch="B03", aum="60000.00"),
                client_row(6, contact_status="unreachable"),
            ]
        ),
        ADMIN,
    )
    b02 = services.execute(PlanSessions(branch="B02", start="2027-01-05 15:00", capacity=2), ORG)[
        "sessions"
    ][0]["session_id"]
    b03 = services.execute(PlanSessions(branch="B03", start="2027-01-06 15:00", capacity=2), ORG)[
        "sessions"
    ][0]["session_id"]
    services.execute(BuildInviteList(session_id=b02), ORG)
    services.execute(BuildInviteList(session_id=b03), ORG)
    _followups(services, b02, clock.now)
    return services, b02, b03


def _followups(services, session_id: str, now: datetime) -> None:
    """Follow-ups straight into the read table: the export reads nothing else."""
    rows = [
        dict(
            followup_id=f"F{n}",
            kind="intention_call",
            session_id=session_id,
            branch="B02",
            client_id=f"C{n:06d}",
            form_id=None,
            next_session_id=None,
            assignee="mk1" if n < 3 else "bh1",
            due=date(2026, 11, 18) + timedelta(days=n),
            status="open" if n != 2 else "done",
            outcome=None if n != 2 else "reached",
            note="" if n != 3 else "-call after 5pm",
            attempts=n % 2,
            created_at=now,
            done_at=None,
            done_by=None,
        )
        for n in range(1, 5)
    ]
    with write_transaction(services.engine) as conn:
        conn.execute(insert(FollowUpRow), rows)


@pytest.fixture
def outdir(tmp_path):
    """Exports get their own folder (the SQLite test database lives in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def recorded(services) -> list[dict]:
    with read_transaction(services.engine) as conn:
        return [
            dict(r) for r in conn.execute(select(ExportRow).order_by(ExportRow.position)).mappings()
        ]


def test_invitations_export_masks_mobiles_keeps_the_formula_name_text_and_is_recorded(
    data, tmp_path, chinese
):
    services, b02, _ = data
    path = tmp_path / "inv.xlsx"
    result = run_export(services, ORG, "invitations", "xlsx", path, filters={"session": b02})
    assert result == {
        "what": "invitations",
        "format": "xlsx",
        "file": str(path),
        "rows": 3,
        "masked": True,
        "unmasked": False,
        "filters": {"session": b02},
    }
    ws = openpyxl.load_workbook(path).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == [c.header for c in INVITATION_COLUMNS]
    by_name = {r[5]: r for r in rows[1:]}
    formula = by_name["'" + FORMULA_NAME]
    assert formula[6] == "138****0001" and formula[9] == 150000
    assert all(r[6].startswith("138****") for r in rows[1:])
    assert ws.cell(2, 10).number_format == "¥#,##0.00"
    [row] = recorded(services)
    assert (row["what"], row["format"], row["rows"], row["unmasked"], row["by"]) == (
        "invitations",
        "xlsx",
        3,
        False,
        "org1",
    )
    assert b02 in row["filters"] and row["file"] == str(path)


def test_clients_export_filters_by_branch_rm_status_and_session(data, tmp_path):
    services, b02, b03 = data
    engine = services.engine

    def ids(**filters):
        return [r["client_id"] for r in export_rows(engine, "clients", filters)]

    assert ids() == [f"C{n:06d}" for n in range(1, 7)]
    assert ids(branch="B03") == ["C000005"]
    assert ids(assignee="mk1") == ["C000001", "C000002", "C000003", "C000004"]
    assert ids(status="unreachable") == ["C000006"]
    invited = [r["client_id"] for r in export_rows(engine, "invitations", {"session": b03})]
    assert invited and ids(session=b03) == sorted(invited)
    assert count_rows(engine, "clients", {"branch": "B02"}) == 5
    one = next(export_rows(engine, "clients", {"branch": "B03"}))
    assert one["mobile"] == "138****0005" and one["id_last4"] == "0005"
    assert one["aum"] == Decimal("60000.00") and one["points"] == 0
    plain = next(export_rows(engine, "clients", {"branch": "B03"}, unmasked=True))
    assert plain["mobile"] == "13800000005"


def test_invitation_filters(data):
    services, b02, b03 = data
    engine = services.engine
    every = list(export_rows(engine, "invitations", {}))
    assert count_rows(engine, "invitations", {}) == len(every) > 3
    assert [r["session_id"] for r in every] == [b02] * 3 + [b03] * (len(every) - 3)
    assert {r["session_id"] for r in export_rows(engine, "invitations", {"branch": "B03"})} == {b03}
    assert count_rows(engine, "invitations", {"status": "invited", "session": b02}) == 3
    assert count_rows(engine, "invitations", {"status": "confirmed"}) == 0
    assert (
        count_rows(engine, "invitations", {"assignee": "mk1"})
        == sum(r["rm"] == "mk1" for r in every)
        > 0
    )


def test_followups_export_by_due_date_with_filters_and_overdue(data, tmp_path, chinese):
    services, b02, _ = data
    path = tmp_path / "f.csv"
    result = run_export(
        services,
        BH,
        "followups",
        "csv",
        path,
        filters={"status": "open", "due_from": "2026-11-19", "due_to": None},
    )
    assert result["rows"] == 3 and result["filters"] == {"status": "open", "due_from": "2026-11-19"}
    table = read_csv(path)
    assert table[0] == [c.header for c in FOLLOWUP_COLUMNS]
    head = table[0]
    got = [dict(zip(head, r, strict=True)) for r in table[1:]]
    assert [r["跟进编号"] for r in got] == ["F1", "F3", "F4"]
    assert [r["到期日"] for r in got] == ["2026-11-19", "2026-11-21", "2026-11-22"]
    # Today is 2026-11-20 in Shanghai: F1 is a day late.
    assert [(r["逾期"], r["逾期天数"]) for r in got] == [("是", "1"), ("否", "0"), ("否", "0")]
    assert got[0]["姓名"] == "'" + FORMULA_NAME and got[0]["手机号"] == "138****0001"
    assert got[0]["金融资产"] == "150000.00" and got[0]["负责人姓名"] == "员工mk1"
    assert got[1]["备注"] == "'-call after 5pm"
    engine = services.engine
    assert count_rows(engine, "followups", {"assignee": "mk1"}) == 2
    assert count_rows(engine, "followups", {"due_to": date(2026, 11, 20)}) == 2
    assert count_rows(engine, "followups", {"session": b02, "branch": "B02"}) == 4


def test_unmasked_is_refused_for_a_marketer_and_recorded_for_a_branch_head(data, tmp_path):
    services, _, _ = data
    refused = tmp_path / "mk.csv"
    with pytest.raises(PermissionDenied, match="organizer, a branch head or an admin") as err:
        run_export(services, MK, "clients", "csv", refused, unmasked=True)
    assert err.value.code == "export_unmask_refused"
    assert not refused.exists() and recorded(services) == []
    masked = run_export(services, MK, "clients", "json", tmp_path / "mk.json")
    assert masked["masked"] is True
    path = tmp_path / "bh.json"
    run_export(services, BH, "clients", "json", path, unmasked=True, filters={"branch": "B03"})
    [row] = json.loads(path.read_text(encoding="utf-8"))
    assert row["mobile"] == "13800000005" and row["aum"] == "60000.00"
    rec = recorded(services)
    assert [(r["by"], r["unmasked"], r["rows"]) for r in rec] == [
        ("mk1", False, 6),
        ("bh1", True, 1),
    ]


def test_a_role_without_exports_may_not_export(data, outdir):
    services, _, _ = data
    with pytest.raises(PermissionDenied):
        run_export(services, CK, "clients", "csv", outdir / "ck.csv")
    assert list(outdir.iterdir()) == []


def test_bad_filters_are_bad_input_and_write_nothing(data, outdir):
    services, _, _ = data
    out = outdir / "x.csv"
    for filters, code in (
        ({"status": "closed"}, "export_bad_status"),
        ({"due_from": "2026-13-01"}, "export_bad_date"),
        ({"due_from": "2026-12-02", "due_to": "2026-12-01"}, "export_bad_range"),
        ({"branch": "B99"}, "export_unknown_branch"),
        ({"assignee": "nobody"}, "export_unknown_staff"),
    ):
        with pytest.raises(BadInput) as err:
            run_export(services, ORG, "followups", "csv", out, filters=filters)
        assert err.value.code == code
    with pytest.raises(NotFound):
        run_export(services, ORG, "invitations", "csv", out, filters={"session": "B02-nope"})
    with pytest.raises(BadInput, match="does not apply to the clients export"):
        run_export(services, ORG, "clients", "csv", out, filters={"due_to": "2026-12-01"})
    with pytest.raises(BadInput, match="say which format"):
        run_export(services, ORG, "clients", None, outdir / "x.txt")
    assert list(outdir.iterdir()) == [] and recorded(services) == []


def test_the_format_can_come_from_the_file_name(data, tmp_path):
    services, _, _ = data
    result = run_export(services, ORG, "clients", None, tmp_path / "c.XLSX")
    assert result["format"] == "xlsx" and result["rows"] == 6


def test_if_recording_fails_no_file_appears_and_an_older_one_stays(data, outdir, monkeypatch):
    services, _, _ = data
    older = outdir / "older.csv"
    older.write_text("the earlier export", encoding="utf-8")

    def refuse(*args, **kwargs):
        raise RuntimeError("the log is read-only")

    monkeypatch.setattr(services.log, "append", refuse)
    with pytest.raises(RuntimeError):
        run_export(services, ORG, "clients", "csv", outdir / "c.csv")
    with pytest.raises(RuntimeError):
        run_export(services, ORG, "clients", "csv", older)
    assert [p.name for p in outdir.iterdir()] == ["older.csv"]
    assert older.read_text(encoding="utf-8") == "the earlier export"


def test_a_folder_given_as_the_file_is_bad_input_and_records_nothing(data, outdir):
    services, _, _ = data
    with pytest.raises(BadInput) as err:
        run_export(services, ORG, "clients", "csv", outdir)
    assert err.value.code == "export_cannot_write"
    assert list(outdir.iterdir()) == [] and recorded(services) == []


def test_an_export_file_is_for_its_owner_only(data, tmp_path):
    services, _, _ = data
    for fmt in ("csv", "xlsx", "json"):
        path = tmp_path / f"c.{fmt}"
        run_export(services, ORG, "clients", fmt, path)
        assert path.stat().st_mode & 0o777 == 0o600, fmt


def test_the_export_is_checked_read_written_and_recorded_in_one_command(data, tmp_path):
    services, _, _ = data
    with read_transaction(services.engine) as conn:
        before = services.log.head(conn)[0]
    run_export(services, BH, "followups", "csv", tmp_path / "f.csv")
    with read_transaction(services.engine) as conn:
        [event] = list(services.log.read_all(conn, before))
    assert event.type == "PersonalDataExported"
    assert event.meta["command"] == "ExportList"


def test_every_export_column_spec_matches_its_rows(data):
    services, _, _ = data
    for what, columns in (
        ("followups", FOLLOWUP_COLUMNS),
        ("invitations", INVITATION_COLUMNS),
        ("clients", CLIENT_COLUMNS),
    ):
        row = next(export_rows(services.engine, what, {}))
        missing = [c.key for c in columns if c.key not in row]
        assert missing == [], (what, missing)
