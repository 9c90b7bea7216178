"""`upgradecamp clients import|show`: exit codes, every bad row on stderr, --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from upgradecamp.cli import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
SAMPLE = str(REPO / "fixtures" / "imports" / "clients_sample.csv")
BAD = str(REPO / "fixtures" / "imports" / "clients_bad.csv")
BAD_LINES = [3, 5, 7, 8, 9, 10, 12]


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = str(tmp_path / "cli.db")
    monkeypatch.setenv("UPGRADECAMP_PIN", "1234")
    monkeypatch.setenv("UPGRADECAMP_AS", "admin1")
    result = runner.invoke(app, ["init", "--admin", "admin1", "--db", path])
    assert result.exit_code == 0, result.output
    return path


def clients_import(db: str, *args: str):
    return runner.invoke(app, ["clients", "import", *args, "--db", db])


def test_import_then_reimport(db):
    first = clients_import(db, SAMPLE)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "registered 20, updated 0, unchanged 0"
    again = clients_import(db, SAMPLE)
    assert again.exit_code == 0
    assert again.stdout.strip() == "registered 0, updated 0, unchanged 20"


def test_bad_rows_exit_2_list_every_one_and_import_nothing(db):
    result = clients_import(db, BAD)
    assert result.exit_code == 2
    assert result.stdout == ""
    err = result.stderr
    assert err.startswith("error: 7 bad rows (8 problem(s)); nothing was imported:")
    for line in BAD_LINES:
        assert f"line {line}, " in err
    assert "line 3, mobile '1380013800': not a mainland mobile number" in err
    assert "line 8, branch 'B09': unknown branch code" in err
    assert "--good-rows-only" in err
    shown = runner.invoke(app, ["clients", "show", "6300000001", "--db", db])
    assert shown.exit_code == 2 and "no client has the id" in shown.stderr


def test_good_rows_only_exits_0_and_names_the_skipped_lines(db):
    result = clients_import(db, BAD, "--good-rows-only")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "registered 4, updated 0, unchanged 0",
        "skipped 7 bad row(s): line(s) 3, 5, 7, 8, 9, 10, 12"]
    assert result.stderr.count("skipped: line ") == 8


def test_json_output(db):
    result = clients_import(db, BAD, "--good-rows-only", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["imported"] is True
    assert (data["registered"], data["updated"], data["unchanged"]) == (4, 0, 0)
    assert data["skipped"] == BAD_LINES
    assert {p["line"] for p in data["problems"]} == set(BAD_LINES)
    assert {"line", "column", "value", "reason", "code"} <= set(data["problems"][0])


def test_json_with_bad_rows_still_prints_the_problems_and_exits_2(db):
    result = clients_import(db, BAD, "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["imported"] is False and data["bad_rows"] == 7
    assert [p["line"] for p in data["problems"]] == [3, 5, 7, 8, 9, 9, 10, 12]


def test_dry_run_writes_nothing_and_exits_2_on_bad_rows(db):
    result = clients_import(db, BAD, "--dry-run")
    assert result.exit_code == 2
    assert result.stdout.strip() == "would register 4, update 0, leave 0 unchanged"
    assert "line 12, mobile" in result.stderr
    ok = clients_import(db, BAD, "--dry-run", "--good-rows-only", "--json")
    assert ok.exit_code == 0
    assert json.loads(ok.stdout)["imported"] is False
    assert clients_import(db, SAMPLE, "--dry-run").stdout.strip() == (
        "would register 20, update 0, leave 0 unchanged")
    assert clients_import(db, SAMPLE).stdout.strip() == "registered 20, updated 0, unchanged 0"


def test_file_problems_exit_2(db, tmp_path):
    missing = clients_import(db, str(tmp_path / "none.csv"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    no_mobile = tmp_path / "c.csv"
    no_mobile.write_text("客户号,姓名,证件号后四位,所属网点,金融资产,营销同意\n", encoding="utf-8")
    result = clients_import(db, str(no_mobile))
    assert result.exit_code == 2 and "has no column for mobile (手机号)" in result.stderr


def test_a_role_without_clients_import_is_refused(db, monkeypatch):
    monkeypatch.setenv("UPGRADECAMP_NEW_PIN", "5678")
    added = runner.invoke(app, ["staff", "add", "ck1", "--name", "王", "--role", "checkin",
                                "--branch", "B01", "--db", db])
    assert added.exit_code == 0, added.output
    monkeypatch.setenv("UPGRADECAMP_PIN", "5678")
    result = runner.invoke(app, ["clients", "import", SAMPLE, "--db", db, "--as", "ck1"])
    assert result.exit_code == 1 and "may not import clients" in result.stderr


def test_show_masks_the_mobile(db):
    clients_import(db, SAMPLE)
    result = runner.invoke(app, ["clients", "show", "6200000008", "--db", db])
    assert result.exit_code == 0, result.output
    assert "189****0108" in result.stdout and "18900000108" not in result.stdout
    assert "1,250,000.00  (mid_high)" in result.stdout
    data = json.loads(runner.invoke(app, ["clients", "show", "6200000008", "--db", db,
                                          "--json"]).stdout)
    assert data["mobile"] == "189****0108" and data["id_last4"] == "4437"
    assert (data["aum"], data["segment"], data["risk_grade"]) == ("1250000.00", "mid_high", "C5")
    assert data["marketing_consent"] is True and data["contact_status"] == "ok"
    assert data["registered_at"].endswith("+00:00")
