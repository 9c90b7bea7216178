"""Crossing the quarter on the command line: draft → edit → publish → calc, and the warning."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from upgradecamp.cli import app, rules_cmd
from upgradecamp.cli.common import open_services

runner = CliRunner()
FUND_LINE = ["--aum", "120000", "--line", "fund:10000", "--json"]


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path, monkeypatch):
    """In an empty folder with no UPGRADECAMP_DB: no ./upgradecamp.db is found by accident."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("UPGRADECAMP_DB", raising=False)


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = str(tmp_path / "q.db")
    monkeypatch.setenv("UPGRADECAMP_PIN", "123409")
    assert runner.invoke(app, ["init", "--admin", "admin1", "--db", path]).exit_code == 0
    return path


def set_fund_coefficient(text: str, value: str) -> str:
    """Edit the file as a person would: the fund table's coefficient line."""
    edited, count = re.subn(
        r'(code = "fund"\n(?:.*\n)*?coefficient = )"[^"]*"', rf'\1"{value}"', text
    )
    assert count == 1
    return edited


def test_draft_edit_publish_then_calc_prices_with_the_new_coefficient(db, tmp_path):
    out = tmp_path / "f.toml"
    drafted = runner.invoke(
        app, ["rules", "draft", "2027Q1", "--from", "2026Q4", "--out", str(out), "--db", db]
    )
    assert drafted.exit_code == 0, drafted.output
    assert f"upgradecamp rules publish {out}" in drafted.stdout
    text = out.read_text(encoding="utf-8")
    assert 'version = "2027Q1"' in text and "effective_from = 2027-01-01" in text
    assert "effective_to = 2027-03-31" in text
    out.write_text(set_fund_coefficient(text, "1.8"), encoding="utf-8")

    published = runner.invoke(app, ["rules", "publish", str(out), "--db", db, "--as", "admin1"])
    assert published.exit_code == 0, published.output
    assert "published 2027Q1 (2027-01-01 → 2027-03-31)" in published.stdout

    priced = runner.invoke(app, ["calc", "--rules", "2027Q1", "--db", db, *FUND_LINE])
    assert priced.exit_code == 0, priced.output
    doc = json.loads(priced.stdout)
    assert doc["rule_set"] == "2027Q1"
    assert (doc["lines"][0]["coefficient"], doc["lines"][0]["points"]) == ("1.8", 180)
    assert doc["converted_delta"] == "18000.00"
    before = json.loads(
        runner.invoke(app, ["calc", "--rules", "2026Q4", "--db", db, *FUND_LINE]).stdout
    )
    assert before["lines"][0]["coefficient"] == "1.5"


def test_calc_without_a_database_uses_the_fixtures_and_creates_no_file(tmp_path):
    missing = tmp_path / "none" / "missing.db"
    for args in (["--db", str(missing)], ["--db", f"sqlite:///{tmp_path / 'gone.db'}"], []):
        result = runner.invoke(app, ["calc", "--rules", "2026Q4", *args, *FUND_LINE])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["lines"][0]["coefficient"] == "1.5"
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    unknown = runner.invoke(app, ["calc", "--rules", "2027Q1", *FUND_LINE])
    assert unknown.exit_code == 2 and "no rule set '2027Q1'" in unknown.stderr


def test_calc_names_the_database_when_a_version_is_not_published_there(db):
    result = runner.invoke(app, ["calc", "--rules", "2027Q1", "--db", db, *FUND_LINE])
    assert result.exit_code == 2
    assert f"no rule set '2027Q1' in the database sqlite:///{db}; known: 2026Q4" in result.stderr


def test_draft_refusals_say_what_to_do(db, tmp_path):
    out = str(tmp_path / "d.toml")
    wrong = runner.invoke(
        app, ["rules", "draft", "2027Q2", "--from", "2026Q4", "--out", out, "--db", db]
    )
    assert wrong.exit_code == 2
    assert "2027Q2 does not follow 2026Q4: the quarter after 2026Q4 is 2027Q1" in wrong.stderr
    unknown = runner.invoke(
        app, ["rules", "draft", "2027Q1", "--from", "2026Q3", "--out", out, "--db", db]
    )
    assert unknown.exit_code == 2 and "no rule set '2026Q3'" in unknown.stderr
    assert (
        runner.invoke(
            app, ["rules", "draft", "2027Q1", "--from", "2026Q4", "--out", out, "--db", db]
        ).exit_code
        == 0
    )
    again = runner.invoke(
        app, ["rules", "draft", "2027Q1", "--from", "2026Q4", "--out", out, "--db", db]
    )
    assert again.exit_code == 2 and "already exists; choose another --out" in again.stderr
    assert (
        runner.invoke(app, ["rules", "publish", out, "--db", db, "--as", "admin1"]).exit_code == 0
    )
    taken = runner.invoke(
        app, ["rules", "draft", "2027Q1", "--from", "2026Q4", "--out", out, "--force", "--db", db]
    )
    assert taken.exit_code == 1
    assert "2027Q1 already exists" in taken.stderr and "draft 2027Q2 --from 2027Q1" in taken.stderr


def test_draft_from_the_fixtures_where_no_database_exists(tmp_path):
    out = tmp_path / "n.toml"
    result = runner.invoke(
        app,
        [
            "rules",
            "draft",
            "2027Q1",
            "--from",
            "2026Q4",
            "--out",
            str(out),
            "--db",
            str(tmp_path / "no.db"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["effective_to"] == "2027-03-31"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.toml"]


def _on(monkeypatch, day: datetime) -> None:
    """`rules list` with its services' clock standing on `day`."""

    def opened(db, **kwargs):
        services = open_services(db, **kwargs)
        services.clock = lambda: day
        return services

    monkeypatch.setattr(rules_cmd, "open_services", opened)


@pytest.mark.parametrize(
    "day, warned",
    [
        (datetime(2026, 12, 16, 2, tzinfo=UTC), False),
        (datetime(2026, 12, 17, 2, tzinfo=UTC), True),
        (datetime(2026, 12, 31, 15, 59, tzinfo=UTC), True),  # 23:59 in Shanghai
    ],
)
def test_rules_list_warns_from_14_days_before_the_end(db, monkeypatch, day, warned):
    _on(monkeypatch, day)
    result = runner.invoke(app, ["rules", "list", "--db", db])
    assert result.exit_code == 0 and result.stdout.startswith("2026Q4")
    if not warned:
        assert result.stderr == ""
        return
    assert "warning: rule set 2026Q4 ends on 2026-12-31" in result.stderr
    assert "registration forms will be refused from 2027-01-01" in result.stderr
    assert "`upgradecamp rules draft 2027Q1 --from 2026Q4 --out 2027Q1.toml`" in result.stderr
    assert "`upgradecamp rules publish 2027Q1.toml`" in result.stderr
    as_json = runner.invoke(app, ["rules", "list", "--db", db, "--json"])
    assert json.loads(as_json.stdout)[0]["version"] == "2026Q4"
    assert "warning: rule set 2026Q4" in as_json.stderr


def test_rules_list_stops_warning_once_the_next_is_published(db, monkeypatch, tmp_path):
    _on(monkeypatch, datetime(2026, 12, 20, 2, tzinfo=UTC))
    out = str(tmp_path / "n.toml")
    runner.invoke(app, ["rules", "draft", "2027Q1", "--from", "2026Q4", "--out", out, "--db", db])
    assert "warning" in runner.invoke(app, ["rules", "list", "--db", db]).stderr
    assert (
        runner.invoke(app, ["rules", "publish", out, "--db", db, "--as", "admin1"]).exit_code == 0
    )
    assert runner.invoke(app, ["rules", "list", "--db", db]).stderr == ""
