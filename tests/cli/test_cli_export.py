"""`upgradecamp export followups|invitations|clients`: files, --json, exit codes, and every
export recorded as a PersonalDataExported event."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.helpers import client_row
from upgradecamp.cli import app
from upgradecamp.domain.commands import AddStaff, RegisterClients
from upgradecamp.domain.commands.invitations import BuildInviteList
from upgradecamp.domain.commands.sessions import PlanSessions
from upgradecamp.domain.rules import shanghai
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap
from upgradecamp.store.db import read_transaction

runner = CliRunner()
ADMIN = Actor(code="admin1", role="admin", branch="B01")
FORMULA_NAME = '=HYPERLINK("x")'


def _start(days: int) -> str:
    day = (datetime.now(UTC) + timedelta(days=days)).astimezone(shanghai()).date()
    return f"{day:%Y-%m-%d} 15:00"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = str(tmp_path / "cli.db")
    monkeypatch.setenv("UPGRADECAMP_PIN", "123409")
    monkeypatch.delenv("UPGRADECAMP_AS", raising=False)
    assert runner.invoke(app, ["init", "--admin", "admin1", "--db", path]).exit_code == 0
    services = bootstrap(path)
    for code, role, branch in (
        ("org1", "organizer", "B01"),
        ("mk1", "marketer", "B02"),
        ("mk2", "marketer", "B02"),
        ("ck1", "checkin", "B02"),
    ):
        services.execute(
            AddStaff(code=code, name=f"员工{code}", role=role, branch=branch, pin="123409"), ADMIN
        )
    services.execute(
        RegisterClients(
            clients=[
                client_row(1, name=FORMULA_NAME, aum="150000.00"),
                *[client_row(n) for n in range(2, 6)],
            ]
        ),
        ADMIN,
    )
    session = services.execute(PlanSessions(branch="B02", start=_start(40), capacity=2), ADMIN)[
        "sessions"
    ][0]["session_id"]
    services.execute(BuildInviteList(session_id=session), ADMIN)
    services.engine.dispose()
    out = tmp_path / "out"
    out.mkdir()
    return path, session, out


def run(path, *args, who="org1"):
    return runner.invoke(app, ["export", *args, "--db", path, "--as", who])


def exports_recorded(path) -> list[dict]:
    services = bootstrap(path)
    with read_transaction(services.engine) as conn:
        events = [
            e for e in services.log.read_all(conn, after=0) if e.type == "PersonalDataExported"
        ]
    services.engine.dispose()
    return [{**e.payload, "actor": e.meta["actor"]} for e in events]


def test_clients_to_csv_has_a_bom_a_header_masked_mobiles_and_safe_names(db, monkeypatch):
    monkeypatch.setenv("UPGRADECAMP_LANG", "zh_CN")  # headers in Chinese
    path, _, out = db
    file = out / "clients.csv"
    result = run(path, "clients", "--format", "csv", "--out", str(file))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"已写入 5 行到 {file}（手机号已遮蔽）")  # the summary too
    assert file.read_bytes().startswith(b"\xef\xbb\xbf")
    with file.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0][:4] == ["客户号", "姓名", "手机号", "证件号后四位"]
    first = table[1]
    assert first[:4] == ["C000001", "'" + FORMULA_NAME, "138****0001", "0001"]
    assert first[table[0].index("金融资产")] == "150000.00"
    assert all("****" in r[2] for r in table[1:])
    [event] = exports_recorded(path)
    assert (event["what"], event["format"], event["rows"], event["unmasked"], event["actor"]) == (
        "clients",
        "csv",
        5,
        False,
        "org1",
    )


def test_invitations_to_xlsx_with_json_summary(db, monkeypatch):
    monkeypatch.setenv("UPGRADECAMP_LANG", "zh_CN")  # headers in Chinese
    path, session, out = db
    file = out / "inv.xlsx"
    result = run(path, "invitations", "--out", str(file), "--session", session, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary == {
        "what": "invitations",
        "format": "xlsx",
        "file": str(file),
        "rows": 3,
        "masked": True,
        "unmasked": False,
        "filters": {"session": session},
    }
    ws = openpyxl.load_workbook(file).active
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    header = [c.value for c in ws[1]]
    mobile, aum, name = (header.index(h) + 1 for h in ("手机号", "邀约时金融资产", "姓名"))
    for row in range(2, ws.max_row + 1):
        assert ws.cell(row, mobile).data_type == "s"
        assert ws.cell(row, mobile).value.startswith("138****")
        assert ws.cell(row, aum).data_type == "n"
        assert ws.cell(row, aum).number_format == "¥#,##0.00"
    names = [ws.cell(r, name).value for r in range(2, ws.max_row + 1)]
    assert "'" + FORMULA_NAME in names and "150000" not in names


def test_followups_to_json_parses_even_when_empty(db):
    path, _, out = db
    file = out / "f.json"
    result = run(
        path,
        "followups",
        "--format",
        "json",
        "--out",
        str(file),
        "--status",
        "open",
        "--due-from",
        "2026-01-01",
        "--due-to",
        "2026-12-31",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(file.read_text(encoding="utf-8")) == []
    [event] = exports_recorded(path)
    assert event["filters"] == {"status": "open", "due_from": "2026-01-01", "due_to": "2026-12-31"}


def test_unmasked_is_refused_for_a_marketer_with_exit_1(db):
    path, _, out = db
    file = out / "mk.csv"
    result = run(path, "clients", "--out", str(file), "--unmasked", who="mk1")
    assert result.exit_code == 1
    assert "organizer, a branch head or an admin may use --unmasked" in result.stderr
    assert not file.exists() and exports_recorded(path) == []


def test_unmasked_by_an_organizer_has_plain_mobiles_and_is_recorded(db):
    path, _, out = db
    file = out / "plain.json"
    result = run(path, "clients", "--out", str(file), "--unmasked", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["masked"] is False
    mobiles = [r["mobile"] for r in json.loads(file.read_text(encoding="utf-8"))]
    assert mobiles == [f"138{n:08d}" for n in range(1, 6)]
    [event] = exports_recorded(path)
    assert event["unmasked"] is True and event["rows"] == 5 and event["file"] == str(file)


def test_a_checkin_clerk_may_not_export(db):
    path, _, out = db
    result = run(path, "clients", "--out", str(out / "ck.csv"), who="ck1")
    assert result.exit_code == 1 and "may not export personal data" in result.stderr
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["clients", "--format", "pdf"], "unknown format 'pdf'"),
        (["clients", "--status", "gone"], "unknown status 'gone'"),
        (["invitations", "--session", "B02-nope"], "no session 'B02-nope'"),
        (["followups", "--due-from", "tomorrow"], "is not a date"),
        (["followups", "--assignee", "nobody"], "no staff member 'nobody'"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(db, args, message):
    path, _, out = db
    result = run(path, *args, "--out", str(out / "x.csv"))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert list(out.iterdir()) == [] and exports_recorded(path) == []


def test_options_of_other_exports_are_usage_errors(db):
    path, _, out = db
    result = run(path, "clients", "--out", str(out / "x.csv"), "--due-from", "2026-12-01")
    assert result.exit_code == 2 and "--due-from" in result.output


def test_no_progress_bar_when_stderr_is_not_a_terminal(db):
    path, _, out = db
    result = run(path, "clients", "--out", str(out / "c.csv"))
    assert result.exit_code == 0 and result.stderr == ""


def test_the_progress_bar_appears_only_after_half_a_second(monkeypatch):
    from upgradecamp.cli import export_cmd

    now = [100.0]
    monkeypatch.setattr(export_cmd.time, "monotonic", lambda: now[0])
    bar = export_cmd._ProgressBar("followups")
    bar.counted(5000)
    bar(1000)
    assert bar.bar is None  # a quick export shows nothing
    now[0] += export_cmd.PROGRESS_AFTER_SECONDS + 0.1
    bar(2000)
    try:
        task = bar.bar.tasks[0]
        assert (task.completed, task.total) == (2000, 5000)
    finally:
        bar.close()
