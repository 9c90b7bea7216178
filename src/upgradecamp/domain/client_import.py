"""Checking the rows of a CRM client export (客户导入) before anything is imported.

Pure functions: a raw row (column → text as the file had it, with its line number) becomes a
clean row, or a list of problems each naming the line, the column, the value and the reason.
Every problem of every row is reported, so the person fixing the CRM export sees all of them
at once instead of one per attempt.

Each cell is normalised and parsed by `client_cells.py`; this module knows the columns and
their headers, and turns a row's cells into a clean row or its problems.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

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

# The columns of SPEC §4.1, in file order; each accepted under these headers (compared after
# NFKC, lower case, without spaces, `_` or `-`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "client_id": ("client_id", "客户号", "客户编号", "客户号码"),
    "name": ("name", "姓名", "客户姓名", "客户名称"),
    "mobile": ("mobile", "手机号", "手机号码", "手机", "移动电话"),
    "id_last4": (
        "id_last4",
        "证件号后四位",
        "证件号码后四位",
        "身份证后四位",
        "证件号",
        "证件号码",
        "身份证号",
    ),
    "branch": ("branch", "所属网点", "网点", "网点号", "网点代码"),
    "rm": ("rm", "客户经理", "客户经理号", "客户经理工号"),
    "aum": ("aum", "金融资产", "金融资产(元)", "金融资产季日均", "金融资产(季日均)"),
    "risk_grade": ("risk_grade", "风险等级", "风险承受能力", "客户风险等级"),
    "risk_expires": ("risk_expires", "风险评估到期日", "风评到期日", "风险评估有效期"),
    "marketing_consent": ("marketing_consent", "营销同意", "同意营销"),
    "contact_status": ("contact_status", "联系状态"),
    "birthday": ("birthday", "生日", "出生月日"),
}
REQUIRED = ("client_id", "name", "mobile", "id_last4", "branch", "aum", "marketing_consent")
# Absent from the file = keep what upgradecamp holds (a new client gets none / ok).
OPTIONAL = ("rm", "risk_grade", "risk_expires", "contact_status", "birthday")
# Free-text cells a spreadsheet could run as a formula if they start with = + - @.
TEXT_COLUMNS = ("client_id", "name", "branch", "rm")
FORMULA_STARTS = ("=", "+", "-", "@")

_CLIENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}", re.ASCII)
_STAFF_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}", re.ASCII)
MAX_NAME = 50


def header_key(text: str) -> str:
    """A header as compared: NFKC (full-width → ASCII), lower case, no spaces, `_` or `-`."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "").lower()
    return re.sub(r"[\s_\-]", "", text)


HEADER_FIELDS: dict[str, str] = {header_key(h): name for name, hs in COLUMNS.items() for h in hs}


def accepted_headers() -> str:
    """The headers each column may have, for a message: `client_id (客户号), …`."""
    return ", ".join(f"{name} ({'/'.join(h for h in hs[1:3])})" for name, hs in COLUMNS.items())


@dataclass
class RowCheck:
    """One row's outcome: `clean` when it passed, else its `problems` (all of them)."""

    line: int
    clean: dict[str, Any] | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)


# Why a cell is bad, by code: the problem's `reason` in English; screens show the text of
# their language under `client_import.reason.<code>` with the same fields.
REASONS: dict[str, str] = {
    "missing_column": "the file has no such column",
    "missing_cell": "the cell is missing: this row has fewer cells than the header "
    "(a lost separator or a cut line?)",
    "extra_cells": "{count} more cell(s) than the header has columns (a separator inside a value?)",
    "formula": "starts with = + - or @, which a spreadsheet could run as a formula; fix it in "
    "the CRM",
    "client_id_empty": "empty: every client needs a client number",
    "client_id_invalid": "not a client number: 1 to 40 letters, digits, '.', '_' or '-'",
    "duplicate": "client number also on line {other_line}; keep one row per client",
    "name_empty": "empty: every client needs a name",
    "name_long": "longer than {max} characters",
    "mobile_empty": "empty: every client needs a mobile number",
    "mobile_scientific": "the spreadsheet turned the number into scientific notation; format "
    "the column as text in the CRM export and export again",
    "mobile_invalid": "not a mainland mobile number (11 digits starting 13–19, e.g. 13800138000)",
    "id_empty": "empty: give the last 4 characters of the client's ID number",
    "id_invalid": "not the last 4 of an ID number: 4 digits, the last may be X",
    "branch_empty": "empty: give the client's branch code (e.g. B01)",
    "unknown_branch": "unknown branch code (this cluster has {known})",
    "rm_invalid": "not a staff code (letters, digits, '.', '_' or '-')",
    "unknown_rm": "no staff member has this code; add the relationship manager as staff "
    "first, or leave the cell empty",
    "aum_empty": "empty: give the client's financial assets in CNY (0 if none)",
    "aum_commas": "not an amount: commas may only separate thousands (1,200,000.50); use a "
    "point for decimals",
    "aum_not_number": "not an amount in CNY (e.g. 120000 or 120,000.50)",
    "aum_negative": "financial assets cannot be negative",
    "aum_decimals": "more than 2 decimals: give the amount to the fen (0.01)",
    "aum_too_large": "implausibly large (over 100 billion CNY): check the column and the unit",
    "risk_grade_invalid": "not a risk grade: use C1, C2, C3, C4 or C5 (or leave it empty)",
    "date_invalid": "not a date: write YYYY-MM-DD (also YYYY/MM/DD or YYYYMMDD)",
    "date_no_such_day": "no such day in the calendar",
    "consent_empty": "empty: say whether the client agreed to marketing (Y or N, 是 or 否)",
    "consent_invalid": "not a yes or no: use Y or N (also 是/否, yes/no, 1/0)",
    "contact_invalid": "unknown contact status: use ok or unreachable (正常 or 失联), or "
    "leave it empty",
    "birthday_invalid": "not a birthday: write the month and day, MM-DD (e.g. 03-15), or "
    "leave it empty",
}


def problem(line: int, column: str, value: str | None, code: str, **params: Any) -> dict[str, Any]:
    """A problem as reports carry it: line, column, value (masked), reason, code and fields."""
    return {
        "line": line,
        "column": column,
        "value": mask_value(column, value or ""),
        "reason": REASONS[code].format(**params),
        "code": code,
        **params,
    }


_PARSERS = (
    ("mobile", parse_mobile),
    ("id_last4", parse_id_last4),
    ("aum", parse_aum),
    ("marketing_consent", parse_consent),
    ("risk_grade", parse_risk_grade),
    ("risk_expires", parse_date),
    ("contact_status", parse_contact_status),
    ("birthday", parse_birthday),
)


@dataclass(frozen=True)
class KnownCodes:
    """Branch and staff codes the database has, so a row's every problem is found at once.

    `staff` maps lower-case codes to the codes as registered (a CRM may write MK1 for mk1).
    The import handler checks the rows that pass again, in its own transaction.
    """

    branches: frozenset[str]
    staff: dict[str, str]

    @classmethod
    def of(cls, branches: Iterable[str], staff: Iterable[str]) -> KnownCodes:
        return cls(frozenset(branches), {code.lower(): code for code in staff})


def check_row(
    raw: dict[str, Any], present: Iterable[str] | None = None, known: KnownCodes | None = None
) -> RowCheck:
    """Normalise and check one raw row; report every problem the row has.

    `raw` maps column names to the cell text (None for a cell the row lacks) and has `line`;
    `present` names the columns the file has (default: the row's keys). An optional column
    the file lacks is left out of the clean row, so an import keeps what upgradecamp holds.
    With `known`, an unknown branch or relationship manager is a problem too.
    """
    line = int(raw["line"])
    columns = present if present is not None else [k for k in raw if k in COLUMNS]
    check = RowCheck(line)
    problems = check.problems
    text: dict[str, str] = {}
    for column in COLUMNS:
        if column not in columns:
            if column in REQUIRED:
                problems.append(problem(line, column, "", "missing_column"))
            continue
        value = raw.get(column)
        if value is None:
            problems.append(problem(line, column, "", "missing_cell"))
        else:
            text[column] = normalise(value)
    extra = raw.get("_extra")
    if extra:
        shown = ", ".join(mask_value("", str(v)) for v in extra)[:80]
        problems.append(problem(line, "", shown, "extra_cells", count=len(extra)))
    for column in TEXT_COLUMNS:
        value = text.get(column)
        if value and value.startswith(FORMULA_STARTS):
            problems.append(problem(line, column, raw[column], "formula"))
            del text[column]

    clean: dict[str, Any] = {"line": line}
    client_id = text.get("client_id")
    if client_id is not None:
        if not client_id:
            problems.append(problem(line, "client_id", "", "client_id_empty"))
        elif not _CLIENT_ID.fullmatch(client_id):
            problems.append(problem(line, "client_id", raw["client_id"], "client_id_invalid"))
        else:
            clean["client_id"] = client_id
    name = text.get("name")
    if name is not None:
        name = " ".join(name.split())
        if not name:
            problems.append(problem(line, "name", "", "name_empty"))
        elif len(name) > MAX_NAME:
            problems.append(problem(line, "name", raw["name"], "name_long", max=MAX_NAME))
        else:
            clean["name"] = name
    branch = text.get("branch")
    if branch is not None:
        if not branch:
            problems.append(problem(line, "branch", "", "branch_empty"))
        elif known is not None and branch.upper() not in known.branches:
            problems.append(
                problem(
                    line,
                    "branch",
                    raw["branch"],
                    "unknown_branch",
                    known=", ".join(sorted(known.branches)),
                )
            )
        else:
            clean["branch"] = branch.upper()
    rm = text.get("rm")
    if rm is not None:
        if rm and not _STAFF_CODE.fullmatch(rm):
            problems.append(problem(line, "rm", raw["rm"], "rm_invalid"))
        elif rm and known is not None and rm.lower() not in known.staff:
            problems.append(problem(line, "rm", raw["rm"], "unknown_rm"))
        else:
            clean["rm"] = (known.staff[rm.lower()] if known is not None else rm) if rm else None
    for column, parse in _PARSERS:
        value = text.get(column)
        if value is None:
            continue
        parsed, code = parse(value)
        if code:
            problems.append(problem(line, column, raw[column], code))
        else:
            clean[column] = parsed

    if problems:
        return check
    clean["aum"] = f"{clean['aum']:.2f}"
    if "risk_expires" in clean:
        expires = clean["risk_expires"]
        clean["risk_expires"] = expires.isoformat() if expires else None
    check.clean = clean
    return check


def check_rows(
    rows: Iterable[dict[str, Any]],
    present: Iterable[str] | None = None,
    known: KnownCodes | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Clean rows and the problems of the others, in line order.

    A client number seen on an earlier line makes the later line bad ("also on line N"),
    whether or not the earlier line is good: which one the CRM meant is for a person to say.
    """
    columns = set(present) if present is not None else None
    good: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    for raw in rows:
        check = check_row(raw, columns, known)
        client_id = normalise(raw.get("client_id"))
        if client_id:
            earlier = first_line.setdefault(client_id, check.line)
            if earlier != check.line:
                check.problems.append(
                    problem(
                        check.line,
                        "client_id",
                        raw.get("client_id"),
                        "duplicate",
                        other_line=earlier,
                    )
                )
                check.clean = None
        if check.clean is not None and not check.problems:
            good.append(check.clean)
        else:
            problems.extend(check.problems)
    return good, problems


def problem_text(p: dict[str, Any]) -> str:
    """One problem as a line of a message: `line 7, mobile '1380013800': not a mainland …`."""
    where = f"line {p['line']}, {p['column']}" if p.get("column") else f"line {p['line']}"
    return f"{where} '{p.get('value', '')}': {p['reason']}"
