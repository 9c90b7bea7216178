"""The bad-row report: the first 50 problems and a count on screen, every problem in an
owner-only file beside the import, memory flat however many bad rows."""

from __future__ import annotations

import csv
import stat
import tracemalloc
from pathlib import Path

import pytest

from tests.conftest import ADMIN
from upgradecamp.domain.commands.clients import ImportClientFile
from upgradecamp.domain.errors import BadInput
from upgradecamp.io.import_spool import ImportSpool
from upgradecamp.io.problem_report import report_path, write_problem_report
from upgradecamp.service.clients import SHOWN_PROBLEMS

HEADER = ["客户号", "姓名", "手机号", "证件号后四位", "所属网点", "金融资产", "营销同意"]


def write_file(path: Path, bad: int, good: int = 3) -> Path:
    """`good` good rows, then `bad` rows with two problems each (mobile and ID digits)."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(good):
            writer.writerow([f"64{i:08d}", "张伟", f"138{i:08d}", "0012", "B01", "100.00", "Y"])
        for i in range(bad):
            writer.writerow([f"65{i:08d}", "王芳", "12345", "??", "B01", "100.00", "Y"])
    return path


def report_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_a_refused_import_shows_the_first_50_and_reports_all_in_an_owner_only_file(
    services, tmp_path
):
    source = write_file(tmp_path / "crm.csv", bad=40)
    with pytest.raises(BadInput) as err:
        services.execute(ImportClientFile(path=str(source)), ADMIN)
    params = err.value.params
    assert len(params["problems"]) == SHOWN_PROBLEMS
    assert params["problem_count"] == 80 and params["count"] == 40
    report = Path(params["report"])
    assert report == report_path(source) == tmp_path / "crm.problems.csv"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    rows = report_rows(report)
    assert rows[0] == ["line", "column", "value", "code", "reason"]
    assert len(rows) == 1 + 80
    assert [int(r[0]) for r in rows[1:]] == sorted(int(r[0]) for r in rows[1:])
    message = str(err.value)
    assert "… and 30 more problem(s)" in message and str(report) in message
    assert message.count("\nline ") == SHOWN_PROBLEMS


def test_a_dry_run_and_good_rows_only_give_the_count_and_the_report(services, tmp_path):
    source = write_file(tmp_path / "crm.csv", bad=30)
    plan = services.execute(ImportClientFile(path=str(source), dry_run=True), ADMIN)
    assert len(plan["problems"]) == SHOWN_PROBLEMS and plan["problem_count"] == 60
    assert len(plan["skipped"]) == 30
    assert len(report_rows(Path(plan["report"]))) == 61
    done = services.execute(ImportClientFile(path=str(source), good_rows_only=True), ADMIN)
    assert done["registered"] == 3 and done["problem_count"] == 60
    assert Path(done["report"]).exists()


def test_a_clean_file_writes_no_report(services, tmp_path):
    source = write_file(tmp_path / "crm.csv", bad=0)
    done = services.execute(ImportClientFile(path=str(source)), ADMIN)
    assert done["report"] is None and done["problem_count"] == 0
    assert not report_path(source).exists()


def test_an_unwritable_folder_sends_the_report_to_a_private_one(tmp_path, monkeypatch):
    import upgradecamp.io.problem_report as module

    calls = []
    real = module.write_csv

    def first_fails(path, header, rows):
        calls.append(path)
        if len(calls) == 1:
            raise PermissionError("read-only share")
        return real(path, header, rows)

    monkeypatch.setattr(module, "write_csv", first_fails)
    found = [{"line": 2, "column": "mobile", "value": "123", "code": "x", "reason": "bad"}]
    path = write_problem_report(tmp_path / "crm.csv", lambda: iter(found))
    assert path.parent != tmp_path and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert report_rows(path)[1] == ["2", "mobile", "123", "x", "bad"]


def _peak_of(problems: int) -> int:
    """Peak Python memory of spooling `problems` problems and writing their report."""
    spool = ImportSpool()
    try:
        tracemalloc.start()
        for line in range(2, problems + 2):
            spool.add_problems(
                [{"line": line, "column": "mobile", "value": "123", "code": "x", "reason": "bad"}]
            )
        spool.first_problems(SHOWN_PROBLEMS)
        write_problem_report(Path(spool._folder) / "f.csv", spool.problems)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        spool.close()


def test_memory_stays_flat_with_ten_times_the_bad_rows():
    small, large = _peak_of(20_000), _peak_of(200_000)
    assert large < 1.5 * small, (small, large)
