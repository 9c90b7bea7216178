"""Wave files: read back with the csv module (BOM, safe text cells), left-out invitees, masking,
and every file recorded as an export event."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN
from tests.helpers import client_row
from upgradecamp import i18n
from upgradecamp.domain.commands import AddStaff, RegisterClients
from upgradecamp.domain.commands.exports import ExportWaveFile
from upgradecamp.domain.commands.invitations import BuildInviteList, RecordInvitationOutcome
from upgradecamp.domain.commands.sessions import PlanSessions
from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied
from upgradecamp.domain.invitations import OPT_OUT_LINE
from upgradecamp.domain.staff import Actor
from upgradecamp.io.invite_files import CALLS_TITLES, SMS_HEADER
from upgradecamp.io.spreadsheet import safe_text, write_csv
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.tables.invitations import ExportRow

ORG = Actor(code="org1", role="organizer", branch="B01")
MK = Actor(code="mk1", role="marketer", branch="B02")
FORMULA_NAME = '=HYPERLINK("http://x")'


def export_wave(services, actor, session_id, kind, out, *, masked=False) -> dict:
    """A wave file as `upgradecamp invites export` writes it: one command through the bus."""
    return services.execute(
        ExportWaveFile(session_id=session_id, kind=kind, out=str(out), masked=masked), actor
    )


def read_back(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


# --- spreadsheet cells --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_get_an_apostrophe(text):
    assert safe_text(text) == "'" + text


def test_other_cells_pass_unchanged():
    assert safe_text("张三") == "张三"
    assert safe_text("13812345678") == "13812345678"
    assert safe_text(5) == 5 and safe_text(None) is None


def test_write_csv_returns_the_row_count_and_reads_back(tmp_path):
    path = tmp_path / "t.csv"
    n = write_csv(
        path,
        ["name", "note", "n", "flag"],
        [["张三", "=cmd|' /C calc'!A0", 3, True], ["李四", None, 4, False]],
    )
    assert n == 2
    assert read_back(path) == [
        ["name", "note", "n", "flag"],
        ["张三", "'=cmd|' /C calc'!A0", "3", "Y"],
        ["李四", "", "4", "N"],
    ]
    assert not list(tmp_path.glob("*.part"))


def test_write_csv_into_a_missing_folder_is_bad_input(tmp_path):
    with pytest.raises(BadInput):
        write_csv(tmp_path / "nope" / "t.csv", ["a"], [])


# --- wave exports -------------------------------------------------------------------------


@pytest.fixture
def wave(services):
    for code, role in (("org1", "organizer"), ("mk1", "marketer"), ("mk2", "marketer")):
        services.execute(
            AddStaff(
                code=code,
                name=f"员工{code}",
                role=role,
                branch="B01" if role == "organizer" else "B02",
                pin="246809",
            ),
            ADMIN,
        )
    services.execute(
        RegisterClients(
            clients=[
                client_row(1, name=FORMULA_NAME, aum="150000.00"),
                *[client_row(n) for n in range(2, 6)],
            ]
        ),
        ADMIN,
    )
    session = services.execute(
        PlanSessions(
            branch="B02", start="2027-01-05 15:00", capacity=2, venue="贵宾室", theme="小小银行家"
        ),
        ORG,
    )["sessions"][0]["session_id"]
    invitations = services.execute(BuildInviteList(session_id=session), ORG)["invitations"]
    return services, session, invitations


def exports(services) -> list[dict]:
    with read_transaction(services.engine) as conn:
        return [
            dict(r) for r in conn.execute(select(ExportRow).order_by(ExportRow.position)).mappings()
        ]


def test_sms_file_has_mobiles_and_texts_and_is_recorded(wave, tmp_path):
    services, session, invitations = wave
    path = tmp_path / "sms.csv"
    result = export_wave(services, ORG, session, "sms", path)
    assert result["rows"] == 3 and result["left_out"] == {}
    table = read_back(path)
    assert table[0] == list(SMS_HEADER)
    by_mobile = dict(table[1:])
    assert set(by_mobile) == {f"138{int(i['client_id'][1:]):08d}" for i in invitations}
    text = by_mobile["13800000001"]
    assert text.endswith(OPT_OUT_LINE) and "签到码" in text and "小小银行家" in text
    assert "1月5日（周二） 15:00" in text and "城东支行幸福路网点贵宾室" in text
    code = next(i["code"] for i in invitations if i["client_id"] == "C000001")
    assert code in text
    [row] = exports(services)
    assert (row["what"], row["format"], row["rows"], row["unmasked"], row["by"]) == (
        "invitations.sms",
        "csv",
        3,
        True,
        "org1",
    )
    assert row["file"] == str(path) and session in row["filters"]
    assert path.stat().st_mode & 0o777 == 0o600  # clients' mobiles: for its owner only


def test_call_list_keeps_a_formula_name_as_text_and_can_be_masked(wave, tmp_path):
    services, session, invitations = wave
    full = tmp_path / "calls.csv"
    export_wave(services, ORG, session, "calls", full)
    table = read_back(full)
    assert table[0] == list(CALLS_TITLES["en"])
    first = next(r for r in table[1:] if r[3] == "13800000001")
    assert first[2] == "'" + FORMULA_NAME  # stays text in any spreadsheet
    assert first[5] == "150000.00" and (first[4], first[6]) == ("Potential", "Invited")
    masked = tmp_path / "calls-print.csv"
    export_wave(services, ORG, session, "calls", masked, masked=True)
    mobiles = [r[3] for r in read_back(masked)[1:]]
    assert mobiles and all("****" in m for m in mobiles)
    assert [(e["what"], e["unmasked"]) for e in exports(services)] == [
        ("invitations.calls", True),
        ("invitations.calls", False),
    ]


def test_unreachable_opted_out_and_declined_invitees_are_left_out(wave, tmp_path):
    services, session, invitations = wave
    for inv, channel, result in zip(
        invitations, ("call", "sms", "call"), ("wrong_number", "opted_out", "declined"), strict=True
    ):
        services.execute(
            RecordInvitationOutcome(
                invitation=inv["invitation_id"], channel=channel, result=result
            ),
            MK,
        )
    result = export_wave(services, ORG, session, "sms", tmp_path / "sms.csv")
    assert result["rows"] == 0
    assert result["left_out"] == {"unreachable": 1, "no_consent": 1, "declined": 1}
    assert read_back(tmp_path / "sms.csv") == [list(SMS_HEADER)]
    assert exports(services)[-1]["rows"] == 0


def test_refusals_write_and_record_nothing(wave, tmp_path):
    services, session, _ = wave
    with read_transaction(services.engine) as conn:
        before = EventLog.head(conn)[0]
    with pytest.raises(PermissionDenied):  # marketers may export, but not the invite files
        export_wave(services, MK, session, "sms", tmp_path / "a.csv")
    with pytest.raises(BadInput):
        export_wave(services, ORG, session, "sms", tmp_path / "b.csv", masked=True)
    with pytest.raises(BadInput):
        export_wave(services, ORG, session, "emails", tmp_path / "c.csv")
    with pytest.raises(NotFound):
        export_wave(services, ORG, "B02-20990101-1500", "calls", tmp_path / "d.csv")
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob(".*.part"))
    with read_transaction(services.engine) as conn:
        assert EventLog.head(conn)[0] == before


def test_a_call_list_is_in_one_language(wave, tmp_path):
    services, session, _ = wave
    i18n.set_language("zh_CN", load=False)
    path = tmp_path / "calls.zh.csv"
    export_wave(services, ORG, session, "calls", path)
    header, *rows = read_back(path)
    assert header == list(CALLS_TITLES["zh_CN"])
    assert {r[6] for r in rows} == {"已邀约"}
    assert all(r[4] in ("潜力客户", "中高端客户", "长尾客户", "私银客户") for r in rows), rows
