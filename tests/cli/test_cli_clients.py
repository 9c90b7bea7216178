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


@pytest.fixture
def bad_csv(tmp_path):
    """The shipped bad sample, copied: an import writes its report beside the file."""
    copy = tmp_path / Path(BAD).name
    copy.write_bytes(Path(BAD).read_bytes())
    return str(copy)


BAD_LINES = [3, 5, 7, 8, 9, 10, 12]


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = str(tmp_path / "cli.db")
    monkeypatch.setenv("UPGRADECAMP_PIN", "123409")
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


def test_bad_rows_exit_2_list_every_one_and_import_nothing(bad_csv, db):
    result = clients_import(db, bad_csv)
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


def test_good_rows_only_exits_0_and_names_the_skipped_lines(bad_csv, db):
    result = clients_import(db, bad_csv, "--good-rows-only")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "registered 4, updated 0, unchanged 0",
        "skipped 7 bad row(s): line(s) 3, 5, 7, 8, 9, 10, 12",
    ]
    assert result.stderr.count("skipped: line ") == 8


def test_json_output(bad_csv, db):
    result = clients_import(db, bad_csv, "--good-rows-only", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["imported"] is True
    assert (data["registered"], data["updated"], data["unchanged"]) == (4, 0, 0)
    assert data["skipped"] == BAD_LINES
    assert {p["line"] for p in data["problems"]} == set(BAD_LINES)
    assert {"line", "column", "value", "reason", "code"} <= set(data["problems"][0])


def test_json_with_bad_rows_still_prints_the_problems_and_exits_2(bad_csv, db):
    result = clients_import(db, bad_csv, "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["imported"] is False and data["bad_rows"] == 7
    assert [p["line"] for p in data["problems"]] == [3, 5, 7, 8, 9, 9, 10, 12]


def test_dry_run_writes_nothing_and_exits_2_on_bad_rows(bad_csv, db):
    result = clients_import(db, bad_csv, "--dry-run")
    assert result.exit_code == 2
    assert result.stdout.strip() == "would register 4, update 0, leave 0 unchanged"
    assert "line 12, mobile" in result.stderr
    ok = clients_import(db, bad_csv, "--dry-run", "--good-rows-only", "--json")
    assert ok.exit_code == 0
    assert json.loads(ok.stdout)["imported"] is False
    assert clients_import(db, SAMPLE, "--dry-run").stdout.strip() == (
        "would register 20, update 0, leave 0 unchanged"
    )
    assert clients_import(db, SAMPLE).stdout.strip() == "registered 20, updated 0, unchanged 0"


def test_file_problems_exit_2(db, tmp_path):
    missing = clients_import(db, str(tmp_path / "none.csv"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    no_mobile = tmp_path / "c.csv"
    no_mobile.write_text("客户号,姓名,证件号后四位,所属网点,金融资产,营销同意\n", encoding="utf-8")
    result = clients_import(db, str(no_mobile))
    assert result.exit_code == 2 and "has no column for mobile (手机号)" in result.stderr


def test_a_role_without_clients_import_is_refused(db, monkeypatch):
    monkeypatch.setenv("UPGRADECAMP_NEW_PIN", "567809")
    added = runner.invoke(
        app,
        ["staff", "add", "ck1", "--name", "王", "--role", "checkin", "--branch", "B01", "--db", db],
    )
    assert added.exit_code == 0, added.output
    monkeypatch.setenv("UPGRADECAMP_PIN", "567809")
    result = runner.invoke(app, ["clients", "import", SAMPLE, "--db", db, "--as", "ck1"])
    assert result.exit_code == 1 and "may not import clients" in result.stderr


def test_show_masks_the_mobile(db):
    clients_import(db, SAMPLE)
    result = runner.invoke(app, ["clients", "show", "6200000008", "--db", db])
    assert result.exit_code == 0, result.output
    assert "189****0108" in result.stdout and "18900000108" not in result.stdout
    assert "1,250,000.00  (mid_high)" in result.stdout
    data = json.loads(
        runner.invoke(app, ["clients", "show", "6200000008", "--db", db, "--json"]).stdout
    )
    assert data["mobile"] == "189****0108" and data["id_last4"] == "4437"
    assert (data["aum"], data["segment"], data["risk_grade"]) == ("1250000.00", "mid_high", "C5")
    assert data["marketing_consent"] is True and data["contact_status"] == "ok"
    assert data["registered_at"].endswith("+00:00")


def test_assign_then_book_and_a_marketer_sees_others_clients_masked(db, monkeypatch):
    from upgradecamp.domain.commands import AddStaff
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import bootstrap

    clients_import(db, SAMPLE)
    for code in ("mk8", "mk9"):
        bootstrap(db).execute(
            AddStaff(code=code, name="经理", role="marketer", branch="B02", pin="123409"),
            Actor(code="admin1", role="admin"),
        )
    done = runner.invoke(
        app,
        [
            "clients",
            "assign",
            "--rm",
            "mk8",
            "--client",
            "6200000001",
            "--client",
            "6200000002",
            "--db",
            db,
            "--json",
        ],
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["assigned"] == 2
    unknown = runner.invoke(app, ["clients", "assign", "--rm", "mk8", "--client", "X1", "--db", db])
    assert unknown.exit_code == 2 and "X1" in unknown.stderr
    neither = runner.invoke(app, ["clients", "assign", "--rm", "mk8", "--db", db])
    assert neither.exit_code == 2
    monkeypatch.setenv("UPGRADECAMP_AS", "mk8")
    book = runner.invoke(app, ["clients", "book", "--db", db, "--json"])
    assert book.exit_code == 0, book.output
    assert [c["client_id"] for c in json.loads(book.stdout)] == ["6200000001", "6200000002"]
    mine = json.loads(
        runner.invoke(app, ["clients", "show", "6200000001", "--db", db, "--json"]).stdout
    )
    assert "aum" in mine and "restricted" not in mine
    monkeypatch.setenv("UPGRADECAMP_AS", "mk9")
    other = json.loads(
        runner.invoke(app, ["clients", "show", "6200000001", "--db", db, "--json"]).stdout
    )
    assert other["restricted"] and "aum" not in other and other["mobile"].count("*") == 4
    refused = runner.invoke(app, ["clients", "book", "--rm", "mk8", "--db", db])
    assert refused.exit_code == 1 and "own book" in refused.stderr


def test_holdings_import_and_maintenance_run_and_export(db, tmp_path):
    from upgradecamp.domain.commands import AddStaff
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import bootstrap

    clients_import(db, SAMPLE)
    bootstrap(db).execute(
        AddStaff(code="mk8", name="经理", role="marketer", branch="B01", pin="123409"),
        Actor(code="admin1", role="admin"),
    )
    runner.invoke(app, ["clients", "assign", "--rm", "mk8", "--client", "6200000001", "--db", db])
    good = tmp_path / "h.csv"
    good.write_text(
        "客户号,产品,金额,到期日\n6200000001,大额存单,50000,2099-01-05\n", encoding="utf-8"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("客户号,产品,金额,到期日\n6200000001,stocks,1,2099-01-05\n", encoding="utf-8")
    refused = runner.invoke(app, ["clients", "holdings", str(bad), "--db", db])
    assert refused.exit_code == 2 and "line 2, product" in refused.stderr
    done = runner.invoke(app, ["clients", "holdings", str(good), "--db", db, "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["imported"] == 1
    ran = runner.invoke(app, ["maintenance", "run", "--on", "2098-12-30", "--db", db, "--json"])
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["by_kind"] == {"maturity_call": 1, "dormant_call": 1}
    counts = json.loads(runner.invoke(app, ["report", "followups", "--db", db, "--json"]).stdout)
    assert counts["by_kind"]["maturity_call"] == {"open": 1, "done": 0}
    again = runner.invoke(app, ["maintenance", "run", "--on", "2098-12-30", "--db", db, "--json"])
    assert json.loads(again.stdout)["created"] == 0
    out = tmp_path / "potential.csv"
    exported = runner.invoke(
        app,
        [
            "maintenance",
            "export",
            "--tier",
            "potential",
            "--kind",
            "sms",
            "--out",
            str(out),
            "--on",
            "2098-10-01",
            "--db",
            db,
        ],
    )
    assert exported.exit_code == 0, exported.output
    assert "拒收请回复R" in out.read_text(encoding="utf-8-sig")
    assert "(Quarterly wealth news, quarterly, 2098Q4)" in exported.stdout
    assert "next is due on 2099-01-01" in exported.stdout
    wrong = runner.invoke(app, ["maintenance", "run", "--on", "someday", "--db", db])
    assert wrong.exit_code == 2


def test_a_quarterly_push_is_due_in_the_quarter_s_first_month_and_once(db, tmp_path):
    clients_import(db, SAMPLE)
    ran = runner.invoke(app, ["maintenance", "run", "--on", "2098-11-20", "--db", db])
    assert ran.exit_code == 0, ran.output
    assert (
        "potential Quarterly wealth news (quarterly): not due in 2098Q4; next 2099-01-01"
        in ran.stdout
    )
    assert (
        "silver Silver VIP monthly benefits (monthly): due for 2098-11; next 2098-12-01"
        in ran.stdout
    )
    pushes = json.loads(
        runner.invoke(
            app, ["maintenance", "run", "--on", "2099-01-03", "--db", db, "--json"]
        ).stdout
    )["pushes"]
    assert {p["tier"]: p["due"] for p in pushes}["potential"] is True

    def export(tier: str, on: str, *more: str):
        out = tmp_path / f"{tier}-{on}.csv"
        args = ["maintenance", "export", "--tier", tier, "--out", str(out), "--on", on]
        return runner.invoke(app, [*args, *more, "--db", db])

    early = export("potential", "2098-11-20")
    assert early.exit_code == 1
    assert "quarterly and not due in 2098Q4; the next is due on 2099-01-01" in early.stderr
    assert export("potential", "2099-01-03").exit_code == 0
    twice = export("potential", "2099-01-20")
    assert twice.exit_code == 1 and "written on" in twice.stderr and "--again" in twice.stderr
    assert export("potential", "2099-01-20", "--again").exit_code == 0
    assert export("silver", "2098-11-20").exit_code == 0
    assert export("silver", "2098-12-01").exit_code == 0  # monthly: December is a new period
    assert export("silver", "2098-12-02").exit_code == 1
    chinese = runner.invoke(
        app, ["--lang", "zh_CN", "maintenance", "run", "--on", "2098-11-20", "--db", db]
    )
    assert "silver 银卡贵宾月度权益 (monthly)" in chinese.stdout  # the theme as the file says it


def test_many_bad_rows_show_the_first_50_a_count_and_the_report(db, tmp_path):
    from tests.service.test_import_report import write_file

    source = str(write_file(tmp_path / "crm.csv", bad=40))
    result = clients_import(db, source, "--dry-run")
    assert result.exit_code == 2
    err = result.stderr
    assert err.count("\nline ") + err.startswith("line ") == 50
    assert "… and 30 more problem(s)" in err
    report = tmp_path / "crm.problems.csv"
    assert f"every problem is listed in {report}" in err
    refused = clients_import(db, source, "--json")
    assert refused.exit_code == 2
    body = json.loads(refused.stdout)
    assert body["problem_count"] == 80 and len(body["problems"]) == 50
    assert body["report"] == str(report)
