"""Reading CRM exports: encodings, headers in English or Chinese, XLSX cells, line numbers."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from upgradecamp.domain.errors import BadInput
from upgradecamp.io.client_files import cell_text, read_client_file

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "fixtures" / "imports" / "clients_sample.csv"
ZH_HEADER = (
    "客户号,姓名,手机号,证件号后四位,所属网点,客户经理,金融资产,风险等级,风险评估到期日,"
    "营销同意,联系状态"
)
ROW = '6200000001,张伟,13800000101,0012,B01,,"128,000.00",C3,2027-06-30,是,正常'


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_the_sample_is_utf8_with_bom_and_chinese_headers():
    assert SAMPLE.read_bytes().startswith(b"\xef\xbb\xbf")
    file = read_client_file(SAMPLE)
    assert file.encoding == "utf-8-sig"
    assert file.columns == [
        "client_id",
        "name",
        "mobile",
        "id_last4",
        "branch",
        "rm",
        "aum",
        "risk_grade",
        "risk_expires",
        "marketing_consent",
        "contact_status",
    ]
    assert [r["line"] for r in file.rows] == list(range(2, 22))
    assert file.rows[0]["name"] == "张伟" and file.rows[0]["client_id"] == "6200000001"
    assert file.notes == [
        "columns not in the file, so existing clients keep what upgradecamp holds: birthday"
    ]  # the optional birthday (生日) column


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_utf8_with_or_without_bom_and_gb18030_read_the_same(tmp_path, encoding):
    file = read_client_file(write(tmp_path, f"{ZH_HEADER}\r\n{ROW}\r\n", encoding))
    assert file.rows == [
        {
            "client_id": "6200000001",
            "name": "张伟",
            "mobile": "13800000101",
            "id_last4": "0012",
            "branch": "B01",
            "rm": "",
            "aum": "128,000.00",
            "risk_grade": "C3",
            "risk_expires": "2027-06-30",
            "marketing_consent": "是",
            "contact_status": "正常",
            "line": 2,
        }
    ]
    assert file.encoding == encoding
    assert ("read as GB18030 (not UTF-8)" in file.notes) == (encoding == "gb18030")


def test_english_headers_in_any_case_spacing_or_width(tmp_path):
    header = "Client ID,ＮＡＭＥ, Mobile ,ID_Last4,BRANCH,aum,Marketing-Consent"
    file = read_client_file(
        write(tmp_path, f"{header}\n6200000001,张伟,13800000101,0012,B01,5000,Y\n")
    )
    assert file.columns == [
        "client_id",
        "name",
        "mobile",
        "id_last4",
        "branch",
        "aum",
        "marketing_consent",
    ]
    assert file.notes == [
        "columns not in the file, so existing clients keep what upgradecamp "
        "holds: rm, risk_grade, risk_expires, contact_status, birthday"
    ]


def test_a_missing_required_column_names_it_and_the_accepted_headers(tmp_path):
    header = "客户号,姓名,所属网点,金融资产,营销同意"
    with pytest.raises(BadInput) as err:
        read_client_file(write(tmp_path, f"{header}\n1,张伟,B01,5,Y\n"))
    assert err.value.code == "import_missing_columns"
    assert err.value.params["missing"] == "mobile, id_last4"
    assert "mobile (手机号)" in err.value.message and "id_last4 (证件号后四位)" in err.value.message
    assert "Accepted headers:" in err.value.message and "客户号" in err.value.message


def test_unknown_columns_are_ignored_and_named(tmp_path):
    file = read_client_file(write(tmp_path, f"开户日期,{ZH_HEADER},备注\n2001-01-01,{ROW},VIP\n"))
    assert file.ignored == ["开户日期", "备注"]
    assert file.rows[0]["client_id"] == "6200000001" and file.rows[0]["contact_status"] == "正常"
    assert "columns not used by upgradecamp, ignored: 开户日期, 备注" in file.notes


def test_two_headers_for_one_column_are_refused(tmp_path):
    with pytest.raises(BadInput) as err:
        read_client_file(write(tmp_path, f"{ZH_HEADER},client_id\n{ROW},x\n"))
    assert err.value.code == "import_duplicate_column"


def test_line_numbers_skip_blank_lines_and_follow_multiline_cells(tmp_path):
    text = (
        f"{ZH_HEADER}\n{ROW}\n\n,,,,,,,,,,\n"
        '6200000002,"王\n芳",13900000102,3419,B01,,86500,C2,,Y,\n'
        "6200000003,李娜,13700000103,087X,B01\n"
        f"{ROW},extra,13912345678\n"
    )
    rows = read_client_file(write(tmp_path, text)).rows
    assert [r["line"] for r in rows] == [2, 5, 7, 8]
    assert rows[1]["name"] == "王\n芳"
    assert rows[2]["rm"] is None and rows[2]["contact_status"] is None  # cells the row lacks
    assert rows[3]["_extra"] == ["extra", "13912345678"]


def test_tab_separated_text_is_read_too(tmp_path):
    text = ZH_HEADER.replace(",", "\t") + "\n" + ROW.replace(",", "\t").replace('"', "") + "\n"
    file = read_client_file(write(tmp_path, text, name="c.txt"))
    assert file.rows[0]["mobile"] == "13800000101"


def test_xlsx_numbers_and_dates_come_out_as_typed(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(ZH_HEADER.split(","))
    sheet.append(
        [
            6200000001,
            "张伟",
            13800000101,
            "0012",
            "B01",
            None,
            120000.5,
            "C3",
            datetime(2027, 6, 30),
            True,
            "正常",
        ]
    )
    sheet.append([])
    sheet.append(
        [
            "6200000002",
            "王芳",
            13900000102.0,
            3419,
            "B02",
            "mk1",
            86500,
            None,
            date(2027, 3, 15),
            "N",
            None,
        ]
    )
    path = tmp_path / "c.xlsx"
    book.save(path)
    file = read_client_file(path)
    assert file.encoding == "xlsx"
    first, second = file.rows
    assert (first["line"], second["line"]) == (2, 4)
    assert first["client_id"] == "6200000001" and first["mobile"] == "13800000101"
    assert first["aum"] == "120000.5" and first["risk_expires"] == "2027-06-30"
    assert first["marketing_consent"] == "true" and first["rm"] == ""
    assert second["mobile"] == "13900000102" and second["id_last4"] == "3419"
    assert second["aum"] == "86500" and second["risk_expires"] == "2027-03-15"


def test_xlsx_missing_column_is_a_file_problem(tmp_path):
    book = Workbook()
    book.active.append(["客户号", "姓名"])
    path = tmp_path / "c.xlsx"
    book.save(path)
    with pytest.raises(BadInput) as err:
        read_client_file(path)
    assert err.value.code == "import_missing_columns"


def test_cell_text():
    assert cell_text(13800138000) == "13800138000"
    assert cell_text(13800138000.0) == "13800138000"
    assert cell_text(0.1) == "0.1"
    assert cell_text(1234567.89) == "1234567.89"
    assert cell_text(datetime(2027, 1, 2, 9, 30)) == "2027-01-02 09:30:00"
    assert cell_text(None) == "" and cell_text(False) == "false"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0", "import_xls"),
        ("bad.xlsx", b"not a zip", "import_xlsx"),
        ("empty.csv", b"\n\n", "import_empty"),
        ("bytes.csv", b"\x81\x30\xff\xff\xfe", "import_encoding"),
    ],
)
def test_unreadable_files_say_what_to_do(tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BadInput) as err:
        read_client_file(path)
    assert err.value.code == code


def test_a_missing_file(tmp_path):
    with pytest.raises(BadInput) as err:
        read_client_file(tmp_path / "nope.csv")
    assert err.value.code == "import_unreadable" and "no such file" in err.value.message
