"""Checking CRM rows: normalisation (full-width, prefixes, commas) and every problem reported."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from upgradecamp.domain.client_cells import (
    mask_value,
    normalise,
    parse_aum,
    parse_birthday,
    parse_consent,
    parse_contact_status,
    parse_date,
    parse_id_last4,
    parse_mobile,
    parse_risk_grade,
)
from upgradecamp.domain.client_import import (
    COLUMNS,
    REASONS,
    KnownCodes,
    check_row,
    check_rows,
    problem_text,
)

FULL_WIDTH = str.maketrans("0123456789,.-+ ", "０１２３４５６７８９，．－＋\u3000")


def raw(line: int = 2, **cells: str | None) -> dict:
    row = {
        "line": line,
        "client_id": "6200000001",
        "name": "张伟",
        "mobile": "13800000101",
        "id_last4": "0012",
        "branch": "B01",
        "rm": "",
        "aum": "128000.00",
        "risk_grade": "C3",
        "risk_expires": "2027-06-30",
        "marketing_consent": "Y",
        "contact_status": "正常",
    }
    row.update(cells)
    return row


# -- normalisation -----------------------------------------------------------------------------


def test_full_width_digits_letters_and_spaces_become_ascii():
    assert normalise("\u3000６２０００Ｘ\u3000") == "62000X"
    assert normalise(None) == "" and normalise("  ") == ""


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "8613800138000",
        "0086-138-0013-8000",
        "１３８００１３８０００",
        "１３８\u3000００１３\u3000８０００",
    ],
)
def test_mobile_forms_that_mean_the_same_number(typed):
    assert parse_mobile(typed) == ("13800138000", None)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("1380013800", "mobile_invalid"),
        ("12800138000", "mobile_invalid"),
        ("23800138000", "mobile_invalid"),
        ("138001380001", "mobile_invalid"),
        ("1.38001E+10", "mobile_scientific"),
        ("", "mobile_empty"),
        ("电话", "mobile_invalid"),
    ],
)
def test_bad_mobiles_say_why(typed, code):
    assert parse_mobile(typed) == (None, code)


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@given(
    mobiles,
    st.sampled_from(["", "+86", "86", "+86 ", "0086"]),
    st.sampled_from(["", " ", "-"]),
    st.booleans(),
)
def test_any_mobile_survives_prefixes_separators_and_full_width(mobile, prefix, sep, wide):
    typed = prefix + sep.join([mobile[:3], mobile[3:7], mobile[7:]])
    if wide:
        typed = typed.translate(FULL_WIDTH)
    assert parse_mobile(typed) == (mobile, None)


@given(st.text(max_size=20))
def test_a_mobile_is_either_a_mainland_number_or_a_reason(text):
    value, code = parse_mobile(text)
    if value is None:
        assert code in REASONS
    else:
        assert re.fullmatch(r"1[3-9]\d{9}", value) and code is None


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("120000", "120000.00"),
        ("120,000.5", "120000.50"),
        ("1,250,000.00", "1250000.00"),
        ("¥86,500", "86500.00"),
        ("86500元", "86500.00"),
        ("８６，５００．００", "86500.00"),
        ("0", "0.00"),
        ("-0", "0.00"),
        (" 99.9 ", "99.90"),
    ],
)
def test_aum_forms(typed, amount):
    value, code = parse_aum(typed)
    assert code is None and value == Decimal(amount) and str(value) == amount


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("-5,000.00", "aum_negative"),
        ("-1", "aum_negative"),
        ("120000.555", "aum_decimals"),
        ("1200,50", "aum_commas"),
        ("12,00,000", "aum_commas"),
        ("abc", "aum_not_number"),
        ("1e5", "aum_not_number"),
        ("", "aum_empty"),
        ("--5", "aum_not_number"),
        ("200000000000", "aum_too_large"),
    ],
)
def test_bad_aum_say_why(typed, code):
    assert parse_aum(typed) == (None, code)


amounts = st.decimals(
    min_value=0,
    max_value=Decimal("99999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@given(
    amounts, st.sampled_from(["{:.2f}", "{:,.2f}", "¥{:,.2f}", "{:.2f}元", "{:,}"]), st.booleans()
)
def test_any_amount_reads_back_exactly_in_any_accepted_form(amount, form, wide):
    typed = form.format(amount)
    if wide:
        typed = typed.translate(FULL_WIDTH)
    assert parse_aum(typed) == (amount.quantize(Decimal("0.01")), None)


@given(amounts.filter(lambda d: d > 0))
def test_a_negative_amount_is_refused(amount):
    assert parse_aum(f"-{amount:,.2f}") == (None, "aum_negative")


@given(st.text(max_size=20))
def test_an_aum_is_a_non_negative_amount_in_fen_or_a_reason(text):
    value, code = parse_aum(text)
    if value is None:
        assert code in REASONS
    else:
        assert value >= 0 and value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2027-06-30", date(2027, 6, 30)),
        ("2027/6/30", date(2027, 6, 30)),
        ("20270630", date(2027, 6, 30)),
        ("２０２７－０６－３０", date(2027, 6, 30)),
        ("2027-06-30 00:00:00", date(2027, 6, 30)),
        ("", None),
    ],
)
def test_dates(typed, expected):
    assert parse_date(typed) == (expected, None)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("2027-02-30", "date_no_such_day"),
        ("30/06/2027", "date_invalid"),
        ("明年", "date_invalid"),
    ],
)
def test_bad_dates(typed, code):
    assert parse_date(typed) == (None, code)


def test_only_ascii_digits_count_after_normalisation():
    arabic_indic = "١٣٨٠٠١٣٨٠٠٠"  # digits NFKC leaves alone: not a number a CRM writes
    assert parse_mobile(arabic_indic) == (None, "mobile_invalid")
    assert parse_aum("١٢٠٠٠") == (None, "aum_not_number")
    assert parse_id_last4("١٢٣٤") == (None, "id_invalid")


def test_risk_grade_consent_and_contact_status():
    assert parse_risk_grade("c3") == ("C3", None)
    assert parse_risk_grade("Ｃ５") == ("C5", None)
    assert parse_risk_grade("") == (None, None)
    assert parse_risk_grade("C6") == (None, "risk_grade_invalid")
    assert parse_risk_grade("R3") == (None, "risk_grade_invalid")
    for yes in ("Y", "y", "yes", "TRUE", "1", "是", "Ｙ"):
        assert parse_consent(yes) == (True, None)
    for no in ("N", "no", "false", "0", "否"):
        assert parse_consent(no) == (False, None)
    assert parse_consent("") == (None, "consent_empty")
    assert parse_consent("maybe") == (None, "consent_invalid")
    assert parse_contact_status("正常") == ("ok", None)
    assert parse_contact_status("失联") == ("unreachable", None)
    assert parse_contact_status("OK") == ("ok", None)
    assert parse_contact_status("") == (None, None)
    assert parse_contact_status("busy") == (None, "contact_invalid")


def test_id_last4_keeps_only_the_last_four_of_a_full_id():
    assert parse_id_last4("087x") == ("087X", None)
    assert parse_id_last4("110101199003071234") == ("1234", None)
    assert parse_id_last4("11010119900307123X") == ("123X", None)
    assert parse_id_last4("110101900307123") == ("7123", None)
    assert parse_id_last4("12345") == (None, "id_invalid")
    assert parse_id_last4("") == (None, "id_empty")
    clean = check_row(raw(id_last4="110101199003071234")).clean
    assert clean["id_last4"] == "1234"
    assert "199003" not in repr(clean)


# -- whole rows --------------------------------------------------------------------------------


def test_a_good_row_comes_out_clean_and_normalised():
    check = check_row(
        raw(
            client_id="６２０００００００１",
            name=" 张\u3000伟 ",
            mobile="+86 138 0000 0101",
            aum="¥128,000",
            risk_grade="c3",
            branch="b01",
            rm=" mk1 ",
            marketing_consent="是",
            contact_status="",
        )
    )
    assert check.problems == []
    assert check.clean == {
        "line": 2,
        "client_id": "6200000001",
        "name": "张 伟",
        "mobile": "13800000101",
        "id_last4": "0012",
        "branch": "B01",
        "rm": "mk1",
        "aum": "128000.00",
        "risk_grade": "C3",
        "risk_expires": "2027-06-30",
        "marketing_consent": True,
        "contact_status": None,
    }


def test_every_problem_of_a_row_is_reported_not_just_the_first():
    check = check_row(
        raw(
            7,
            mobile="1380013800",
            aum="-5",
            risk_grade="C9",
            risk_expires="2027-13-01",
            marketing_consent="?",
        )
    )
    assert check.clean is None
    assert [(p["line"], p["column"], p["code"]) for p in check.problems] == [
        (7, "mobile", "mobile_invalid"),
        (7, "aum", "aum_negative"),
        (7, "marketing_consent", "consent_invalid"),
        (7, "risk_grade", "risk_grade_invalid"),
        (7, "risk_expires", "date_no_such_day"),
    ]
    assert problem_text(check.problems[0]) == (
        "line 7, mobile '1380013800': not a mainland mobile number (11 digits starting 13–19, "
        "e.g. 13800138000)"
    )


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "＝"])
@pytest.mark.parametrize("column", ["name", "client_id", "branch", "rm"])
def test_a_text_cell_that_could_run_as_a_formula_is_bad(start, column):
    check = check_row(raw(**{column: f"{start}SUM(A1:A9)"}))
    assert check.clean is None
    assert [(p["column"], p["code"]) for p in check.problems] == [(column, "formula")]
    assert check.problems[0]["value"] == f"{start}SUM(A1:A9)"


def test_missing_and_extra_cells():
    short = check_row(raw(marketing_consent=None, contact_status=None))
    assert [(p["column"], p["code"]) for p in short.problems] == [
        ("marketing_consent", "missing_cell"),
        ("contact_status", "missing_cell"),
    ]
    long = check_row({**raw(), "_extra": ["x", "13912345678"]})
    assert [p["code"] for p in long.problems] == ["extra_cells"]
    assert long.problems[0]["value"] == "x, 139****5678"


def test_an_optional_column_the_file_lacks_stays_out_of_the_clean_row():
    row = {k: v for k, v in raw().items() if k not in ("rm", "risk_grade", "contact_status")}
    clean = check_row(row).clean
    assert clean is not None
    assert {"rm", "risk_grade", "contact_status"}.isdisjoint(clean)
    lacking = check_row(
        {k: v for k, v in raw().items() if k != "mobile"},
        present=[c for c in COLUMNS if c not in ("mobile", "birthday")],
    )
    assert [(p["column"], p["code"]) for p in lacking.problems] == [("mobile", "missing_column")]


def test_a_duplicate_client_number_makes_the_later_line_bad():
    good, problems = check_rows(
        [raw(2), raw(3, client_id="6200000002"), raw(4, client_id=" 6200000001 ")]
    )
    assert [g["line"] for g in good] == [2, 3]
    assert [(p["line"], p["code"], p["other_line"]) for p in problems] == [(4, "duplicate", 2)]
    assert "also on line 2" in problems[0]["reason"]


def test_problem_values_mask_mobiles_and_id_numbers():
    assert mask_value("mobile", "12800138000") == "128****8000"
    assert mask_value("name", "+86 139 1234 5678") == "139****5678"
    assert mask_value("mobile", "1380013800") == "1380013800"  # not a number anyone has
    assert mask_value("id_last4", "1101011990030712") == "************0712"
    assert mask_value("client_id", "13800138000") == "13800138000"  # a client number, shown
    bad_id = check_row(raw(id_last4="11010119900307123")).problems[0]
    assert bad_id["value"].endswith("7123") and "1990" not in bad_id["value"]


def test_with_the_known_codes_an_unknown_branch_or_rm_is_found_with_the_rest():
    known = KnownCodes.of(["B01", "B02"], ["mk1", "B02-MK1"])
    check = check_row(raw(mobile="123", branch="b09", rm="nobody"), known=known)
    assert [(p["column"], p["code"], p["value"]) for p in check.problems] == [
        ("branch", "unknown_branch", "b09"),
        ("rm", "unknown_rm", "nobody"),
        ("mobile", "mobile_invalid", "123"),
    ]
    assert "this cluster has B01, B02" in check.problems[0]["reason"]
    clean = check_row(raw(branch="b02", rm="b02-mk1"), known=known).clean
    assert (clean["branch"], clean["rm"]) == ("B02", "B02-MK1")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("03-15", "03-15"),
        ("3/5", "03-05"),
        ("3月15日", "03-15"),
        ("1988-02-29", "02-29"),
        ("", None),
    ],
)
def test_a_birthday_is_month_and_day_only(text, expected):
    assert parse_birthday(text) == (expected, None)


@pytest.mark.parametrize("text", ["13-01", "02-30", "spring", "1988"])
def test_a_bad_birthday_is_named(text):
    assert parse_birthday(text) == (None, "birthday_invalid")
