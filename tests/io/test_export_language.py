"""An export is in one language, headers and coded values alike (issue 13, item 7): no Chinese
header over English codes (`fulfil_photo,done,reached`), no English header over Chinese words."""

from __future__ import annotations

import re

import openpyxl
import pytest

from tests.io.test_exports import BH, data, outdir, read_csv, run_export  # noqa: F401
from upgradecamp import i18n
from upgradecamp.io.export_columns import COLUMNS

CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"[a-z]+(_[a-z]+)*\Z")  # an English code: fulfil_photo, open, reached


def worded(what: str) -> list[str]:
    """Headers of the columns whose cells a language words: coded and yes/no columns."""
    return [c.key for c in COLUMNS[what] if c.labels or c.kind == "bool"]


def check_one_language(what: str, lang: str, header: list[str], rows: list[list]) -> None:
    keys = [c.key for c in COLUMNS[what]]
    cells = [
        str(row[keys.index(key)]) for row in rows for key in worded(what) if row[keys.index(key)]
    ]
    assert cells, f"{what}: no coded cell to check"
    if lang == "zh_CN":
        assert all(CJK.search(h) for h in header), header
        assert [c for c in cells if CODE.match(c)] == []
    else:
        assert [h for h in header if CJK.search(h)] == []
        assert [c for c in cells if CJK.search(c)] == []


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("what", ["followups", "invitations", "clients"])
def test_a_csv_export_is_in_one_language(data, outdir, what, lang):  # noqa: F811
    services, _, _ = data
    i18n.set_language(lang, load=False)
    path = outdir / f"{what}.{lang}.csv"
    run_export(services, BH, what, "csv", path)
    header, *rows = read_csv(path)
    check_one_language(what, lang, header, rows)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_an_xlsx_export_is_in_one_language(data, outdir, lang):  # noqa: F811
    services, _, _ = data
    i18n.set_language(lang, load=False)
    path = outdir / f"followups.{lang}.xlsx"
    run_export(services, BH, "followups", "xlsx", path)
    header, *rows = [[c.value for c in r] for r in openpyxl.load_workbook(path).active.iter_rows()]
    check_one_language("followups", lang, header, rows)


def test_the_complaint_reads_in_each_language(data, outdir):  # noqa: F811
    """Kind, status and outcome of a done follow-up, as the complaint quoted them."""
    services, _, _ = data
    said = {}
    for lang in ("en", "zh_CN"):
        i18n.set_language(lang, load=False)
        path = outdir / f"f.{lang}.csv"
        run_export(services, BH, "followups", "csv", path)
        header, *rows = read_csv(path)
        done = next(r for r in rows if r[0] == "F2")
        said[lang] = (header[1], done[1], done[2], done[header.index(header[16])])
    assert said["en"] == ("Kind", "Intention call", "Done", "Reached")
    assert said["zh_CN"] == ("跟进类型", "意向回访", "已完成", "已联系上")


def test_json_keeps_the_codes_in_every_language(data, outdir):  # noqa: F811
    import json

    services, _, _ = data
    i18n.set_language("zh_CN", load=False)
    path = outdir / "f.json"
    run_export(services, BH, "followups", "json", path)
    done = next(r for r in json.loads(path.read_text()) if r["followup_id"] == "F2")
    assert (done["kind"], done["status"], done["outcome"]) == ("intention_call", "done", "reached")
