"""`upgradecamp report session|campaign`: text tables, JSON, XLSX read back, permission."""

from __future__ import annotations

import json

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from tests.conftest import ADMIN, ADMIN_PIN
from tests.service.test_reports import (
    MK2_FIGURES,
    PIN,
    S1,
    S1_FIGURES,
    S2,
    S2_FIGURES,
    figures_of,
    hand_built,
)
from upgradecamp.cli import app
from upgradecamp.service.bus import bootstrap
from upgradecamp.service.setup import initialise

runner = CliRunner()
CAMPAIGN = ["report", "campaign", "--from", "2026-11-01", "--to", "2026-11-30"]


@pytest.fixture
def db(tmp_path, clock, monkeypatch):
    path = str(tmp_path / "report.db")
    svc = bootstrap(path, clock=clock, terminal="test-terminal")
    initialise(svc, admin_code=ADMIN.code, admin_name=ADMIN.name, admin_pin=ADMIN_PIN)
    hand_built(svc, clock)
    svc.engine.dispose()
    monkeypatch.setenv("UPGRADECAMP_PIN", PIN)
    monkeypatch.setenv("UPGRADECAMP_DB", path)
    monkeypatch.setenv("UPGRADECAMP_AS", "org2")
    return path


def run(*args: str):
    return runner.invoke(app, list(args))


def test_session_report_as_json(db):
    result = run("report", "session", S1, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {
        "scope",
        "cluster",
        "branches",
        "marketers",
        "products",
        "sessions",
        "weeks",
    }
    assert (doc["scope"]["kind"], doc["scope"]["session_id"]) == ("session", S1)
    # S2's form later paid the appointment bonus booked on S1's form F04: 300 more points.
    assert doc["cluster"] == {**S1_FIGURES, "points_credited": 1748 + 300}
    assert figures_of(doc["marketers"][0]) == MK2_FIGURES
    assert (
        json.loads(run("report", "session", S1, "--format", "json").stdout)["cluster"]["invited"]
        == 6
    )


def test_campaign_report_as_aligned_text(db):
    result = run(*CAMPAIGN)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Campaign 2026-11-01 → 2026-11-30  all branches  2 sessions")
    header = next(line for line in lines if line.strip().startswith("Cluster"))
    assert header.split() == ["Cluster", "B02", "B03"]
    row = {line[:20].strip(): line.split()[-3:] for line in lines[3:22]}
    assert row["Invited"] == ["7", "6", "1"]
    assert row["Attendance rate"] == ["57.14%", "50.00%", "100.00%"]
    assert lines[[i for i, x in enumerate(lines) if x.startswith("Subscribed (CNY)")][0]].split()[
        -3:
    ] == ["188,000.00", "88,000.00", "100,000.00"]
    # English report, English product names (the rule set's name_en)
    assert any(line.split() == ["credit_card", "Credit", "card", "1"] for line in lines)
    # Columns line up by cell width, whatever the names' characters.
    marketers = [line for line in lines if line.startswith(("mk2 ", "mk3 ", "mk4 "))]
    assert [m.split()[:3] for m in marketers] == [
        ["mk2", "王五", "B02"],
        ["mk3", "孙八", "B02"],
        ["mk4", "吴十", "B03"],
    ]
    assert len({cell_len(m) for m in marketers}) == 1
    sessions = [line for line in lines if line.startswith((S1, S2))]
    assert [s.split()[:4] for s in sessions] == [
        [S1, "2026-11-20", "15:00", "open"],
        [S2, "2026-11-24", "15:00", "open"],
    ]


def test_campaign_report_of_one_branch(db):
    doc = json.loads(run(*CAMPAIGN, "--branch", "B03", "--json").stdout)
    assert [s["session_id"] for s in doc["sessions"]] == [S2]
    assert figures_of(doc["cluster"]) == S2_FIGURES


def test_campaign_report_as_xlsx_read_back(db, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "report.xlsx"
    result = run(*CAMPAIGN, "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "wrote" in result.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["cluster", "branches", "marketers", "products", "sessions", "weeks"]
    for ws in book:
        assert ws.freeze_panes == "A2" and ws["A1"].font.b
    cluster = book["cluster"]
    header = [c.value for c in cluster[1]]
    values = dict(zip(header, [c.value for c in cluster[2]], strict=True))
    assert (values["Scope"], values["From"], values["To"], values["Branch"]) == (
        "campaign",
        "2026-11-01",
        "2026-11-30",
        "all",
    )
    assert (
        values["Invited"],
        values["Attended"],
        values["Walk-ins"],
        values["Approved"],
        values["Points credited"],
    ) == (7, 6, 2, 4, 3248)
    assert values["Subscribed (CNY)"] == 188000 and values["Converted AUM added"] == 179000
    assert values["Attendance rate"] == pytest.approx(0.5714)
    money = cluster.cell(row=2, column=header.index("Subscribed (CNY)") + 1)
    assert "#,##0.00" in money.number_format and "¥" in money.number_format
    rate = cluster.cell(row=2, column=header.index("Attendance rate") + 1)
    assert rate.number_format == "0.0%"
    branches = [[c.value for c in row] for row in book["branches"].iter_rows(min_row=2)]
    assert [(r[0], r[1]) for r in branches] == [
        ("B02", "城东支行幸福路网点"),
        ("B03", "城东支行文化路网点"),
    ]
    marketers = [[c.value for c in row] for row in book["marketers"].iter_rows(min_row=2)]
    assert [(r[0], r[1], r[2]) for r in marketers] == [
        ("mk2", "王五", "B02"),
        ("mk3", "孙八", "B02"),
        ("mk4", "吴十", "B03"),
    ]
    assert [c.value for c in book["products"][1]] == [
        "Product",
        "Name",
        "Kind",
        "Cluster",
        "B02",
        "B03",
    ]
    assert [r for r in book["products"].iter_rows(min_row=2, values_only=True)] == [
        ("time_deposit", "Time deposit", "amount", 100000, None, 100000),
        ("large_cd", "Large-sum CD", "amount", 50000, 50000, None),
        ("fund", "Fund", "amount", 30000, 30000, None),
        ("insurance", "Insurance", "amount", 8000, 8000, None),
        ("credit_card", "Credit card", "count", 1, 1, None),
    ]
    assert [r[0] for r in book["sessions"].iter_rows(min_row=2, values_only=True)] == [S1, S2]
    assert len(list(book["weeks"].iter_rows(min_row=2))) == 6


def test_only_roles_that_read_reports_may(db, monkeypatch):
    monkeypatch.setenv("UPGRADECAMP_AS", "mk2")
    refused = run("report", "session", S1)
    assert refused.exit_code == 1 and "may not read reports" in refused.stderr
    monkeypatch.setenv("UPGRADECAMP_AS", "bh2")
    assert run("report", "session", S1).exit_code == 0


def test_bad_usage_exits_2_and_says_what_to_do(db, tmp_path):
    backwards = run("report", "campaign", "--from", "2026-11-30", "--to", "2026-11-01")
    assert backwards.exit_code == 2 and "give the earlier date first" in backwards.stderr
    assert run("report", "campaign", "--from", "30/11/2026").exit_code == 2
    no_out = run("report", "campaign", "--format", "xlsx")
    assert no_out.exit_code == 2 and "--out" in no_out.stderr
    assert run("report", "campaign", "--format", "pdf").exit_code == 2
    unknown = run("report", "session", "B02-20990101-1500")
    assert unknown.exit_code == 2 and "sessions list" in unknown.stderr
    branch = run("report", "campaign", "--branch", "B99")
    assert branch.exit_code == 2 and "B01, B02" in branch.stderr
    folder = run(*CAMPAIGN, "--format", "xlsx", "--out", str(tmp_path / "no" / "r.xlsx"))
    assert folder.exit_code == 2 and "does not exist" in folder.stderr
