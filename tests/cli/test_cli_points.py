"""`calc`, `points` and `rules` through Typer's runner (SPEC §6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import NEXT_QUARTER, client_row
from upgradecamp.cli import app
from upgradecamp.domain.commands import RegisterClients
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap

runner = CliRunner()
RULES = Path(__file__).resolve().parents[2] / "fixtures" / "rules"
WORKED = [
    "--aum",
    "120000",
    "--line",
    "large_cd:50000:existing",
    "--line",
    "fund:10000:new",
    "--line",
    "insurance:8000",
    "--line",
    "credit_card:1",
    "--action",
    "mobile_banking",
    "--on-site",
    "--rules",
    "2026Q4",
    "--json",
]


def test_calc_json_reproduces_the_worked_example():
    result = runner.invoke(app, ["calc", *WORKED])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (
        doc["converted_delta"],
        doc["converted_aum"],
        doc["tier"],
        doc["next_tier"],
        doc["gap"],
        doc["points"],
    ) == ("49000.00", "169000.00", "potential", "silver", "31000.00", 1388)
    assert [ln["points"] for ln in doc["lines"]] == [600, 180, 288, 120]
    assert doc["proposals"]["fund"] == "20666.67"
    assert doc["proposals"]["insurance"] == "10333.34"
    assert doc["proposals"]["time_deposit"] == "31000.00"


def test_calc_takes_the_aum_in_wan():
    result = runner.invoke(app, ["calc", "--aum", "12万", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["aum"] == "120000.00"


def test_calc_takes_a_lines_amount_in_wan():
    wan = runner.invoke(app, ["calc", "--aum", "12万", "--line", "fund:1.5万", "--json"])
    yuan = runner.invoke(app, ["calc", "--aum", "120000", "--line", "fund:15000", "--json"])
    assert wan.exit_code == 0, wan.output
    assert json.loads(wan.stdout)["lines"] == json.loads(yuan.stdout)["lines"]
    assert json.loads(wan.stdout)["lines"][0]["value"] == "15000.00"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--aum", "abc"], "not a number"),
        (["--aum", "12万x"], "not a number"),
        (["--aum", "1000", "--line", "fund:1万5"], "not a number"),
        (["--aum", "1000", "--line", "stocks:100"], "unknown product 'stocks'"),
        (["--aum", "1000", "--line", "fund:-5"], "fund"),
        (["--aum", "1000", "--line", "fund:100:cash"], "cash"),
        (["--aum", "1000", "--line", "credit_card:1.5"], "whole units"),
        (["--aum", "1000", "--rules", "1999Q1"], "no rule set '1999Q1'"),
    ],
)
def test_calc_bad_input_exits_2_with_a_message(args, message):
    result = runner.invoke(app, ["calc", *args])
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = str(tmp_path / "p.db")
    monkeypatch.setenv("UPGRADECAMP_PIN", "123409")
    assert runner.invoke(app, ["init", "--admin", "admin1", "--db", path]).exit_code == 0
    bootstrap(path).execute(
        RegisterClients(clients=[client_row(1, aum="123456.00")]),
        Actor(code="admin1", role="admin"),
    )
    return path


def test_points_accrue_then_explain(db):
    accrued = runner.invoke(
        app, ["points", "accrue", "--month", "2026-10", "--db", db, "--as", "admin1", "--json"]
    )
    assert accrued.exit_code == 0, accrued.output
    assert json.loads(accrued.stdout)["points"] == 123
    shown = runner.invoke(
        app, ["points", "explain", "C000001", "--db", db, "--as", "admin1", "--json"]
    )
    doc = json.loads(shown.stdout)
    assert doc["balance"] == 123 and doc["standard_tier"]["code"] == "potential"
    assert doc["mobile"] == "138****0001"
    assert doc["ledger"][0]["formula"] == "floor(123456.00 / 1000) = 123"
    missing = runner.invoke(app, ["points", "explain", "C999", "--db", db, "--as", "admin1"])
    assert missing.exit_code == 2 and "no client" in missing.stderr


def test_rules_list_and_publish(db, tmp_path):
    listed = json.loads(runner.invoke(app, ["rules", "list", "--db", db, "--json"]).stdout)
    assert [r["version"] for r in listed] == ["2026Q4"]
    published = runner.invoke(
        app, ["rules", "publish", str(NEXT_QUARTER), "--db", db, "--as", "admin1", "--json"]
    )
    assert published.exit_code == 0, published.output
    listed = json.loads(runner.invoke(app, ["rules", "list", "--db", db, "--json"]).stdout)
    assert [(r["version"], r["published_by"]) for r in listed] == [
        ("2026Q4", "system"),
        ("2027Q1", "admin1"),
    ]
    again = runner.invoke(
        app, ["rules", "publish", str(RULES / "2026Q4.toml"), "--db", db, "--as", "admin1"]
    )
    assert again.exit_code == 1 and "never changes" in again.stderr
    broken = tmp_path / "bad.toml"
    broken.write_text('version = "X"\n', encoding="utf-8")
    bad = runner.invoke(app, ["rules", "publish", str(broken), "--db", db, "--as", "admin1"])
    assert bad.exit_code == 2 and "bad.toml" in bad.stderr


def test_points_redeem_unredeem_and_the_catalogue(db):
    from upgradecamp.domain.commands import ListRewards

    bootstrap(db).execute(
        ListRewards(
            rewards=[{"code": "pen", "name": "签字笔", "kind": "gift", "cost": 50, "stock": 3}]
        ),
        Actor(code="admin1", role="admin"),
    )
    runner.invoke(app, ["points", "accrue", "--month", "2026-10", "--db", db, "--as", "admin1"])
    common = ["--db", db, "--as", "admin1"]
    catalogue = json.loads(runner.invoke(app, ["points", "rewards", *common, "--json"]).stdout)
    assert {r["code"]: r["left"] for r in catalogue}["pen"] == 3
    done = runner.invoke(
        app,
        ["points", "redeem", "C000001", "--reward", "pen", "--quantity", "2", *common, "--json"],
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {
        "redemption_id": "C000001-R01",
        "client_id": "C000001",
        "reward": "pen",
        "reward_name": "签字笔",
        "quantity": 2,
        "points": 100,
        "balance": 23,
        "left": 1,
    }
    poor = runner.invoke(app, ["points", "redeem", "C000001", "--reward", "pen", *common])
    assert poor.exit_code == 1 and "holds 23" in poor.stderr
    unknown = runner.invoke(app, ["points", "redeem", "C000001", "--reward", "yacht", *common])
    assert unknown.exit_code == 2 and "no reward" in unknown.stderr
    shown = runner.invoke(app, ["points", "explain", "C000001", *common])
    assert "C000001-R01" in shown.stdout and "balance: 23 points" in shown.stdout
    back = runner.invoke(
        app, ["points", "unredeem", "C000001-R01", "--reason", "wrong pen", *common]
    )
    assert back.exit_code == 0 and "100 points back to C000001 (now 123)" in back.stdout
    said = runner.invoke(
        app, ["--lang", "zh_CN", "points", "redeem", "C000001", "--reward", "pen", *common]
    )
    assert said.exit_code == 0, said.output
    expected = "C000001-R02：1 × 签字笔，用去 50 积分；C000001 现有 73 积分，库存余 2"
    assert said.stdout.strip() == expected
    english = runner.invoke(
        app, ["--lang", "en", "points", "unredeem", "C000001-R02", "--reason", "x", *common]
    )
    assert english.stdout.strip() == "C000001-R02 reversed: 50 points back to C000001 (now 123)"
    chinese = runner.invoke(
        app, ["--lang", "zh_CN", "points", "redeem", "C000001", "--reward", "pen", *common]
    )
    assert "C000001-R03：" in chinese.stdout
    back_zh = runner.invoke(
        app,
        ["--lang", "zh_CN", "points", "unredeem", "C000001-R03", "--reason", "x", *common],
    )
    assert back_zh.stdout.strip() == "C000001-R03 已冲回：50 积分退回 C000001（现有 123 积分）"
