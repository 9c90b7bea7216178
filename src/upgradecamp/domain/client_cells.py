"""The cells of a client file, one at a time: normalising, masking and parsing each value.

Pure functions from the text a CRM export had to a value or a reason code (`mobile_invalid`,
`aum_commas`, …), with no notion of rows, columns present or duplicates. Apart from
`client_import.py`, which checks whole rows and reports their problems, because these parsers
are shared: holdings files (`domain/holdings.py`) and maintenance read amounts, dates and
names the same way.

Values are NFKC-normalised first: a CRM or a spreadsheet typed with a Chinese input method
gives full-width digits, letters, commas and spaces (１３８…, Ｃ３, ，, U+3000).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_LOOKS_LIKE_MOBILE = re.compile(r"1\d{10}", re.ASCII)
_MOBILE_NOISE = re.compile(r"[\s\-()]", re.ASCII)
_SCIENTIFIC = re.compile(r"\d(\.\d+)?e\+?\d+", re.IGNORECASE | re.ASCII)
_ID_LAST4 = re.compile(r"\d{3}[\dX]", re.ASCII)
_RESIDENT_ID = re.compile(r"\d{17}[\dX]|\d{15}", re.ASCII)
_PLAIN_AMOUNT = re.compile(r"\d+(\.\d+)?", re.ASCII)
_GROUPED_AMOUNT = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?", re.ASCII)
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?", re.ASCII)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_RISK_GRADE = re.compile(r"C[1-5]", re.ASCII)
_BIRTHDAY = re.compile(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_CENT = Decimal("0.01")
MAX_AUM = Decimal("100000000000")  # 100 billion CNY: more is a unit or column mix-up

CONSENT = {
    "y": True,
    "yes": True,
    "true": True,
    "1": True,
    "是": True,
    "同意": True,
    "n": False,
    "no": False,
    "false": False,
    "0": False,
    "否": False,
    "不同意": False,
}
CONTACT = {"ok": "ok", "正常": "ok", "unreachable": "unreachable", "失联": "unreachable"}


def normalise(value: str | None) -> str:
    """NFKC and stripped: full-width digits, letters and spaces become ASCII."""
    if not value:
        return ""
    if value.isascii():
        return value.strip()
    return unicodedata.normalize("NFKC", value).strip()


def mask_value(column: str, value: str) -> str:
    """A value as a problem report shows it: as typed, except personal numbers.

    A valid-looking mobile shows as 138****5678; an ID number never shows more than its
    last 4 characters (SPEC §5).
    """
    if not value:
        return ""
    digits = _mobile_digits(normalise(value))
    if column != "client_id" and _LOOKS_LIKE_MOBILE.fullmatch(digits):
        return f"{digits[:3]}****{digits[-4:]}"
    if column == "id_last4":
        plain = normalise(value).replace(" ", "")
        if len(plain) > 4:
            return "*" * min(len(plain) - 4, 14) + plain[-4:]
    return value


def _mobile_digits(text: str) -> str:
    plain = _MOBILE_NOISE.sub("", text)
    for prefix in ("+86", "0086"):
        if plain.startswith(prefix):
            return plain[len(prefix) :]
    if plain.startswith("86") and len(plain) == 13:
        return plain[2:]
    return plain


def parse_mobile(text: str) -> tuple[str | None, str | None]:
    """(mobile, None) or (None, reason code). Drops spaces, dashes and a +86/86/0086 prefix."""
    value = normalise(text)
    if not value:
        return None, "mobile_empty"
    if _SCIENTIFIC.fullmatch(value):
        return None, "mobile_scientific"
    digits = _mobile_digits(value)
    if _MOBILE.fullmatch(digits):
        return digits, None
    return None, "mobile_invalid"


def parse_aum(text: str) -> tuple[Decimal | None, str | None]:
    """(amount, None) or (None, reason code): a non-negative CNY amount, at most 2 decimals.

    Commas only between thousands (so `1,200.50` but not the European `1200,50`); an optional
    ¥ before or 元 after.
    """
    value = normalise(text).replace(" ", "")
    if not value:
        return None, "aum_empty"
    value = value.removeprefix("¥")
    sign = value[0] if value[:1] in ("-", "+") else ""
    digits = value[len(sign) :].removeprefix("¥").removesuffix("元")
    if _PLAIN_AMOUNT.fullmatch(digits):
        number = digits
    elif _GROUPED_AMOUNT.fullmatch(digits):
        number = digits.replace(",", "")
    else:
        return None, "aum_commas" if "," in digits else "aum_not_number"
    amount = Decimal(number)
    if sign == "-" and amount != 0:
        return None, "aum_negative"
    if "." in number and len(number) - number.index(".") > 3:
        return None, "aum_decimals"
    if amount > MAX_AUM:
        return None, "aum_too_large"
    return amount.quantize(_CENT), None


def parse_date(text: str) -> tuple[date | None, str | None]:
    """(date, None), (None, None) when empty, or (None, reason code)."""
    value = normalise(text)
    if not value:
        return None, None
    match = _DATE.fullmatch(value) or _COMPACT_DATE.fullmatch(value)
    if not match:
        return None, "date_invalid"
    try:
        return date(*(int(g) for g in match.groups())), None
    except ValueError:
        return None, "date_no_such_day"


def parse_risk_grade(text: str) -> tuple[str | None, str | None]:
    value = normalise(text).upper().replace(" ", "")
    if not value:
        return None, None
    if _RISK_GRADE.fullmatch(value):
        return value, None
    return None, "risk_grade_invalid"


def parse_consent(text: str) -> tuple[bool | None, str | None]:
    value = normalise(text).lower()
    if value in CONSENT:
        return CONSENT[value], None
    return None, "consent_invalid" if value else "consent_empty"


def parse_contact_status(text: str) -> tuple[str | None, str | None]:
    value = normalise(text).lower()
    if not value:
        return None, None
    if value in CONTACT:
        return CONTACT[value], None
    return None, "contact_invalid"


def parse_id_last4(text: str) -> tuple[str | None, str | None]:
    """The last 4 characters of the ID number; a full resident ID gives only its last 4."""
    value = normalise(text).replace(" ", "").upper()
    if not value:
        return None, "id_empty"
    if _ID_LAST4.fullmatch(value):
        return value, None
    if _RESIDENT_ID.fullmatch(value):
        return value[-4:], None
    return None, "id_invalid"


def parse_birthday(text: str) -> tuple[str | None, str | None]:
    """Month and day only (MM-DD): 03-15, 3/15, 3月15日, or a full date whose year is
    dropped (upgradecamp keeps no year of birth). Empty: none."""
    value = normalise(text)
    if not value:
        return None, None
    found = _BIRTHDAY.fullmatch(value) or _DATE.fullmatch(value)
    if found is None:
        return None, "birthday_invalid"
    month, day = (
        (int(found.group(2)), int(found.group(3)))
        if found.re is _DATE
        else (int(found.group(1)), int(found.group(2)))
    )
    try:
        date(2000, month, day)  # a leap year: 02-29 is a birthday
    except ValueError:
        return None, "birthday_invalid"
    return f"{month:02d}-{day:02d}", None
