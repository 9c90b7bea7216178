"""`upgradecamp clients forget` and `privacy purge|report`: admin with PIN, exit codes, --json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from upgradecamp.cli import app

runner = CliRunner()
SAMPLE = str(Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "clients_sample.csv")


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = str(tmp_path / "cli.db")
    monkeypatch.setenv("UPGRADECAMP_PIN", "246810")
    monkeypatch.setenv("UPGRADECAMP_AS", "admin1")
    assert runner.invoke(app, ["init", "--admin", "admin1", "--db", path]).exit_code == 0
    assert runner.invoke(app, ["clients", "import", SAMPLE, "--db", path]).exit_code == 0
    return path


def test_forget_then_refuse_again_and_unknown(db):
    done = runner.invoke(
        app, ["clients", "forget", "6200000001", "--reason", "书面申请", "--db", db, "--json"]
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["client_id"] == "6200000001"
    again = runner.invoke(app, ["clients", "forget", "6200000001", "--reason", "x", "--db", db])
    assert again.exit_code == 1 and "already forgotten" in again.stderr
    assert "Traceback" not in again.output
    unknown = runner.invoke(app, ["clients", "forget", "NOPE", "--reason", "x", "--db", db])
    assert unknown.exit_code == 2 and "no client NOPE" in unknown.stderr
    shown = runner.invoke(app, ["clients", "show", "6200000001", "--db", db])
    assert "已遗忘客户" in shown.stdout and "13800000101" not in shown.stdout
    for name in ("", "-wal", "-shm"):
        file = Path(f"{db}{name}")
        if file.exists():
            assert "张伟".encode() not in file.read_bytes()
    verified = runner.invoke(app, ["log", "verify", "--tables", "--db", db])
    assert verified.exit_code == 0, verified.output


def test_report_and_purge(db):
    report = runner.invoke(app, ["privacy", "report", "--db", db, "--json"])
    assert report.exit_code == 0, report.output
    lines = json.loads(report.stdout)
    assert {x["kind"] for x in lines} == {"client"}
    assert sum(x["clients"] for x in lines) == 20
    assert {x["age"] for x in lines} == {"0-30d"}
    table = runner.invoke(app, ["privacy", "report", "--db", db])
    assert table.stdout.splitlines()[0].split() == ["kind", "branch", "age", "clients", "items"]
    purge = runner.invoke(app, ["privacy", "purge", "--prospects-older-than", "30", "--db", db])
    assert purge.exit_code == 0, purge.output
    assert "forgot 0 walk-in prospect(s)" in purge.stdout
    bad = runner.invoke(app, ["privacy", "purge", "--prospects-older-than", "0", "--db", db])
    assert bad.exit_code == 2 and "at least 1" in bad.stderr


def test_a_monthly_re_import_and_a_holdings_file_leave_the_forgotten_client_out(db, tmp_path):
    forgot = ["clients", "forget", "6200000001", "--reason", "书面申请", "--db", db]
    assert runner.invoke(app, forgot).exit_code == 0
    again = runner.invoke(app, ["clients", "import", SAMPLE, "--db", db])
    assert again.exit_code == 0, again.output
    assert "left out 1 forgotten client(s)" in again.stdout
    assert re.search(
        r"line 2: client 6200000001 was forgotten on \d{4}-\d\d-\d\d \(PIPL\); left out",
        again.stderr,
    )
    as_json = runner.invoke(app, ["clients", "import", SAMPLE, "--db", db, "--json"])
    assert as_json.exit_code == 0, as_json.output
    done = json.loads(as_json.stdout)
    assert done["imported"] and [x["line"] for x in done["left_out"]] == [2]
    assert done["unchanged"] == 19
    shown = runner.invoke(app, ["clients", "show", "6200000001", "--db", db])
    assert "已遗忘客户" in shown.stdout and "张伟" not in shown.stdout

    holdings = tmp_path / "holdings.csv"
    holdings.write_text(
        "客户号,产品,金额,到期日\n6200000002,大额存单,50000,2027-01-15\n"
        "6200000001,定期存款,80000,2027-01-20\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["clients", "holdings", str(holdings), "--db", db])
    assert result.exit_code == 0, result.output
    assert "imported 1 of 2 holding(s)" in result.stdout
    assert "line 3: client 6200000001 was forgotten on" in result.stderr
