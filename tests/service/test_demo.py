"""The demo cluster: built through the handlers, verifiable, replayable, same seed → same log."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tests.helpers import dump_read_tables
from upgradecamp import demo, demo_clients
from upgradecamp.cli import app
from upgradecamp.demo import DEMO_TERMINAL, STAFF_PLAN, build_demo
from upgradecamp.demo_progress import BuildProgress
from upgradecamp.demo_staff import demo_pin
from upgradecamp.domain.commands import VerifyPin
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.queries.staff import demo_credentials
from upgradecamp.service.bus import Services, bootstrap
from upgradecamp.store.db import read_transaction

BRANCHES = ("B01", "B02", "B03", "B04", "B05")
STAFF_PER_BRANCH = sum(count for _role, _suffix, count in STAFF_PLAN)
runner = CliRunner()
DEMO_TODAY = date(2026, 11, 20)


def _build(path: Path, customers: int, seed: int) -> tuple[demo.DemoReport, list[str]]:
    """Build a demo; its summaries and (every step, as `every=0` says them) its progress."""
    lines: list[str] = []
    report = build_demo(
        str(path),
        customers=customers,
        seed=seed,
        today=DEMO_TODAY,
        echo=lines.append,
        progress=BuildProgress(lines.append, every=0),
    )
    return report, lines


def _open(path: Path) -> Services:
    return bootstrap(str(path), terminal="test-terminal")


def _event_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM event_log ORDER BY position").fetchall()


def _copy(source: Path, target: Path) -> Path:
    """A copy of a demo database with its key file (the copy is checked with the same key)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    Path(f"{target}.key").write_bytes(Path(f"{source}.key").read_bytes())
    return target


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> tuple[Path, demo.DemoReport, list[str]]:
    """2,000 clients in batches of 500, so the client register takes four commands."""
    path = tmp_path_factory.mktemp("demo") / "cluster.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo, "CLIENTS_PER_COMMAND", 500)
        report, lines = _build(path, 2_000, 2026)
    return path, report, lines


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "small.db"
    _build(path, 300, 11)
    return path


def test_report_counts_and_progress(cluster):
    path, report, lines = cluster
    assert report.clients == 2_000
    assert report.events == len(_event_rows(path))
    assert report.seconds > 0
    assert len(report.staff) == 1 + len(BRANCHES) * STAFF_PER_BRANCH
    assert any(line.startswith("clients: 2,000 / 2,000") for line in lines)
    assert lines[-2].startswith("sessions: ") and "invitations: " in lines[-2]
    assert lines[-1].startswith("event days: ")
    for member in report.staff:
        assert re.fullmatch(r"\d{6}", member["pin"])
        assert member["name"]
    progress = [line for line in lines if line.startswith("building demo: ")]
    assert progress[0] == "building demo: the cluster, its rules and its staff"
    assert f"building demo: staff {len(report.staff) - 1} / 30" in progress  # and the admin
    assert "building demo: clients 500 / 2,000" in progress
    assert "building demo: clients 2,000 / 2,000" in progress
    assert any(line.startswith("building demo: the story at 2026-11-") for line in progress)
    assert progress[-1] == "building demo: done"


def test_progress_is_said_at_each_phase_and_then_only_when_the_last_line_is_old():
    said, now = [], [100.0]
    progress = BuildProgress(said.append, every=4.0, clock=lambda: now[0])
    progress.phase("clients 0 / 9")
    progress.tick("clients 1 / 9")  # no time has passed: nothing said
    now[0] += 3.9
    progress.tick("clients 2 / 9")
    now[0] += 0.1
    progress.tick(lambda: "clients 3 / 9")  # 4 s after the last line
    progress.tick("clients 4 / 9")
    now[0] += 4.0
    progress.tick("clients 5 / 9")
    progress.phase("the story")
    assert said == [
        "building demo: clients 0 / 9",
        "building demo: clients 3 / 9",
        "building demo: clients 5 / 9",
        "building demo: the story",
    ]


def test_the_demo_marks_itself_and_its_pins_come_back_from_the_seed(cluster):
    path, report, _lines = cluster
    services = _open(path)
    with read_transaction(services.engine) as conn:
        (mark,) = services.log.read_stream(conn, "demo")
    assert (mark.type, mark.payload["seed"], mark.payload["customers"]) == (
        "DemoBuilt",
        2026,
        2_000,
    )
    shown = {(c.code, c.pin) for c in demo_credentials(services.engine, services.log)}
    assert shown == {(m["code"], m["pin"]) for m in report.staff}
    member = report.staff[3]
    assert member["pin"] == demo_pin(2026, member["code"]) != demo_pin(2027, member["code"])
    signed = services.execute(
        VerifyPin(code=member["code"], pin=member["pin"]),
        Actor(code=member["code"], role="unverified"),
    )
    assert signed["code"] == member["code"]


def test_demo_is_built_through_the_handlers(cluster):
    path, report, _lines = cluster
    with sqlite3.connect(path) as conn:
        commands = Counter(
            conn.execute("SELECT json_extract(meta, '$.command') FROM event_log").fetchall()
        )
        client_commands = conn.execute(
            "SELECT COUNT(DISTINCT json_extract(meta, '$.correlation_id')), "
            "MIN(json_extract(meta, '$.actor')), MAX(json_extract(meta, '$.actor')) "
            "FROM event_log WHERE event_type = 'ClientRegistered'"
        ).fetchone()
        terminals = {
            t
            for (t,) in conn.execute(
                "SELECT DISTINCT json_extract(meta, '$.terminal') FROM event_log"
            )
        }
    assert commands[("RegisterClients",)] == 2_000
    assert commands[("AddStaff",)] == len(BRANCHES) * STAFF_PER_BRANCH
    assert commands[("InitialiseDatabase",)] > 0
    assert set(commands) >= {
        ("InitialiseDatabase",),
        ("AddStaff",),
        ("RegisterClients",),
        ("PlanSessions",),
        ("BuildInviteList",),
        ("RecordInvitationOutcome",),
        ("OpenSession",),
        ("CheckIn",),
        ("SubmitForm",),
        ("ApproveForm",),
        ("CloseSession",),
    }
    assert client_commands == (4, "B01-OR1", "B01-OR1")
    assert terminals == {DEMO_TERMINAL}


def test_log_verifies(cluster):
    path, report, _lines = cluster
    services = _open(path)
    with read_transaction(services.engine) as conn:
        result = services.log.verify(conn)
    assert result.ok, result.problem
    assert result.checked == result.head_position == report.events


def test_the_read_tables_counts_agree_after_the_whole_story(cluster):
    """Every count the live commands moved (by the rows each one added or removed) is the
    table's real count: the cheap check on opening finds nothing."""
    from upgradecamp.projections.compare import quick_check

    path, _report, _lines = cluster
    services = _open(path)
    with read_transaction(services.engine) as conn:
        recorded = conn.execute(text("SELECT count(*) FROM read_table_counts")).scalar_one()
    assert recorded > 10  # the story writes most read tables
    assert quick_check(services.engine) == []


def test_replay_gives_the_live_tables_row_for_row(cluster, tmp_path):
    path, report, _lines = cluster
    services = _open(_copy(path, tmp_path / "replay.db"))
    live = dump_read_tables(services.engine)
    prospects = [row for row in live["clients"] if row[0].startswith("P")]
    assert len(live["clients"]) == 2_000 + len(prospects)  # walk-ins new to the bank
    assert len(prospects) == 20  # one per campaign session
    assert live["projection_position"] == [("read_model", report.events)]
    replayed = rebuild(services.engine, services.log)
    assert replayed.events == replayed.position == report.events
    assert dump_read_tables(services.engine) == live


def test_replay_in_small_chunks_gives_the_same_tables(cluster, tmp_path, monkeypatch):
    """Replay flushes every CHUNK events; rows updated after a flush are read back and
    upserted, so any chunk size gives the live tables."""
    from upgradecamp.projections import rebuild as rebuilding

    path, report, _lines = cluster
    services = _open(_copy(path, tmp_path / "chunks.db"))
    live = dump_read_tables(services.engine)
    monkeypatch.setattr(rebuilding, "CHUNK", 97)
    assert rebuild(services.engine, services.log).events == report.events
    assert dump_read_tables(services.engine) == live


def test_every_role_at_every_branch(cluster):
    path, report, _lines = cluster
    with sqlite3.connect(path) as conn:
        staff = Counter(conn.execute("SELECT branch, role FROM staff WHERE role != 'admin'"))
        admins = conn.execute("SELECT code FROM staff WHERE role = 'admin'").fetchall()
    expected = Counter({(b, role): count for b in BRANCHES for role, _s, count in STAFF_PLAN})
    assert staff == expected
    assert admins == [("admin",)]
    assert {"B02-MK1", "B02-MK2", "B05-BH1", "B03-CK2"} <= {s["code"] for s in report.staff}


def test_clients_look_like_a_branch_book(cluster):
    path, _report, _lines = cluster
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT c.client_id, c.mobile, c.id_last4, c.branch, c.rm, c.segment, c.aum_cents, "
            "c.risk_grade, c.risk_expires, c.marketing_consent, c.contact_status, s.branch "
            "FROM clients c LEFT JOIN staff s ON s.code = c.rm "
            "WHERE c.client_id NOT LIKE 'P%'"
        ).fetchall()  # not the walk-in prospect
    n = len(rows)
    share = Counter(r[5] for r in rows)
    assert 0.87 <= share["long_tail"] / n <= 0.95
    assert 0.035 <= share["potential"] / n <= 0.085
    assert 0.01 <= share["mid_high"] / n <= 0.045
    assert 0.0005 <= share["private"] / n <= 0.015
    assert all(re.fullmatch(r"1\d{10}", r[1]) for r in rows)
    assert all(re.fullmatch(r"\d{3}[\dX]", r[2]) for r in rows)
    assert any(r[2].endswith("X") for r in rows)
    by_branch = Counter(r[3] for r in rows)
    assert set(by_branch) == set(BRANCHES)
    assert by_branch["B01"] == max(by_branch.values())
    with_rm = [r for r in rows if r[4]]
    assert all(r[4].startswith(f"{r[3]}-MK") and r[11] == r[3] for r in with_rm)
    assert 0 < n - len(with_rm) < n * 0.25
    unreachable = sum(r[10] == "unreachable" for r in rows) / n
    consent = sum(r[9] for r in rows) / n
    assert 0.25 <= unreachable <= 0.35 and 0.80 <= consent <= 0.90
    graded = [r for r in rows if r[7]]
    assert 0.7 * n <= len(graded) < n
    assert {r[7] for r in graded} == {"C1", "C2", "C3", "C4", "C5"}
    assert all(r[8] for r in graded) and all(r[8] is None for r in rows if not r[7])
    today = (DEMO_TODAY - demo.HISTORY).isoformat()
    expired = sum(r[8] < today for r in graded)
    assert 0.1 * len(graded) <= expired <= 0.35 * len(graded)


def test_aum_is_exact_cents_within_its_band():
    import random

    rng = random.Random(5)
    for _ in range(5_000):
        cents = demo_clients.aum_cents(rng)
        assert isinstance(cents, int) and 0 <= cents < 20_000_000_000


def test_same_seed_same_log_other_seed_other_log(small, tmp_path):
    _build(tmp_path / "again.db", 300, 11)
    _build(tmp_path / "other.db", 300, 12)
    first = _event_rows(small)
    assert first and _event_rows(tmp_path / "again.db") == first
    other = _event_rows(tmp_path / "other.db")
    assert abs(len(other) - len(first)) < len(first) * 0.1  # the calendar's calls differ
    assert {row[-1] for row in other}.isdisjoint({row[-1] for row in first})


def test_changed_payload_is_named_by_verify(small, tmp_path):
    path = _copy(small, tmp_path / "tampered.db")
    with sqlite3.connect(path) as conn:
        position = conn.execute(
            "SELECT MIN(position) + 100 FROM event_log WHERE event_type = 'ClientRegistered'"
        ).fetchone()[0]
        conn.execute(
            'UPDATE event_log SET payload = replace(payload, \'"aum":"\', '
            '\'"aum":"9\') WHERE position = ?',
            (position,),
        )
    services = _open(path)
    with read_transaction(services.engine) as conn:
        result = services.log.verify(conn)
    assert not result.ok
    assert result.first_bad_position == position
    assert result.checked == position - 1
    assert "does not match its hash" in result.problem


def test_deleted_tail_is_reported_as_truncated(small, tmp_path):
    path = _copy(small, tmp_path / "truncated.db")
    with sqlite3.connect(path) as conn:
        head = conn.execute("SELECT MAX(position) FROM event_log").fetchone()[0]
        conn.execute("DELETE FROM event_log WHERE position = ?", (head,))
    services = _open(path)
    with read_transaction(services.engine) as conn:
        result = services.log.verify(conn)
    assert not result.ok
    assert result.head_position == head and result.checked == head - 1
    assert result.first_bad_position == head
    assert "truncated" in result.problem


def test_cli_demo_prints_working_pins_and_log_verifies(tmp_path, monkeypatch):
    path = str(tmp_path / "cli-demo.db")
    built = runner.invoke(app, ["demo", "--no-tui", "--customers", "200", "--db", path])
    assert built.exit_code == 0, built.output
    assert "200 clients" in built.stdout
    pins = dict(re.findall(r"^\s+(\S+)\s+PIN (\d{6})\s", built.stdout, re.MULTILINE))
    assert "admin" in pins
    assert {f"{b}-{s}1" for b in BRANCHES for _r, s, _c in STAFF_PLAN} <= set(pins)
    # Progress goes to stderr, phase by phase; the summaries and PINs to stdout.
    progress = [line for line in built.stderr.splitlines() if line.startswith("building demo:")]
    assert progress[0] == "building demo: the cluster, its rules and its staff"
    assert "building demo: clients 0 / 200" in progress and progress[-1] == "building demo: done"
    assert "building demo" not in built.stdout.replace("building the demo", "")
    # The codes and PINs are also in a file beside the database, for its owner only.
    staff_file = Path(f"{path}.staff.txt")
    assert f"also in {staff_file}" in built.stdout
    assert staff_file.stat().st_mode & 0o777 == 0o600
    text = staff_file.read_text(encoding="utf-8")
    assert text.startswith(f"upgradecamp demo database {path}: staff codes and PINs")
    rows = dict(re.findall(r"^(\S+)\s+(\d{6})\s", text, re.MULTILINE))
    assert rows == pins

    verified = runner.invoke(app, ["log", "verify", "--db", path])
    assert verified.exit_code == 0, verified.output
    assert "ok:" in verified.stdout

    monkeypatch.setenv("UPGRADECAMP_PIN", pins["B03-OR1"])
    signed = runner.invoke(app, ["log", "tail", "-n", "3", "--db", path, "--as", "B03-OR1"])
    assert signed.exit_code == 0, signed.output
    with sqlite3.connect(path) as conn:
        (last_type,) = conn.execute(
            "SELECT event_type FROM event_log ORDER BY position DESC LIMIT 1"
        ).fetchone()
    assert last_type in signed.stdout.splitlines()[-1]

    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE event_log SET payload = replace(payload, 'B0', 'B9') WHERE position = 50"
        )
    broken = runner.invoke(app, ["log", "verify", "--db", path])
    assert broken.exit_code == 1
    assert "position 50" in broken.stderr


def test_six_weeks_of_sessions_from_tomorrow_with_invitations_in_every_state(cluster):
    path, _report, _lines = cluster
    with sqlite3.connect(path) as conn:
        sessions = conn.execute(
            "SELECT branch, starts_at, capacity, status, invited "
            "FROM sessions WHERE starts_at > ? ORDER BY starts_at",
            (f"{DEMO_TODAY} 23:59",),
        ).fetchall()
        states = dict(conn.execute("SELECT state, COUNT(*) FROM invitations GROUP BY state"))
        wechat = conn.execute("SELECT COUNT(*) FROM invitations WHERE wechat_added").fetchone()
    by_branch = Counter(branch for branch, *_rest in sessions)
    assert set(by_branch) == set(BRANCHES)
    assert by_branch["B01"] == 6 and all(by_branch[b] >= 11 for b in BRANCHES[1:])
    first, last = sessions[0][1][:10], sessions[-1][1][:10]
    assert date.fromisoformat(first) > DEMO_TODAY
    assert (date.fromisoformat(last) - DEMO_TODAY).days <= 6 * 7
    assert {status for *_r, status, _i in sessions} == {"planned"}  # from tomorrow on
    assert all(cap == 20 for branch, _s, cap, *_r in sessions if branch == "B01")
    # The next fortnight is called through, later weeks only texted, the last week not yet.
    assert {"confirmed", "declined", "no_answer", "sent"} <= set(states)
    assert wechat[0] > 0
    assert sessions[-1][-1] == 0


def test_a_month_long_campaign_played_out_and_a_session_open_this_morning(cluster):
    path, _report, _lines = cluster
    with sqlite3.connect(path) as conn:
        sessions = conn.execute(
            "SELECT session_id, branch, status, attended, walk_ins FROM sessions "
            "WHERE starts_at < ? ORDER BY starts_at",
            (f"{DEMO_TODAY} 23:59",),
        ).fetchall()
        forms = dict(conn.execute("SELECT status, COUNT(*) FROM forms GROUP BY status"))
        photos = conn.execute("SELECT COUNT(*) FROM forms WHERE photo_taken").fetchone()[0]
        returned = conn.execute("SELECT COUNT(*) FROM forms WHERE revision > 0").fetchone()[0]
        referrals = conn.execute(
            "SELECT COUNT(*) FROM checkins WHERE referred_by IS NOT NULL"
        ).fetchone()[0]
        followups = dict(conn.execute("SELECT status, COUNT(*) FROM followups GROUP BY status"))
        last = conn.execute("SELECT MAX(recorded_at) FROM event_log").fetchone()[0]
    *campaign, today = sessions
    assert len(campaign) == 20 and {s[2] for s in campaign} == {"closed"}
    assert Counter(s[1] for s in campaign) == {b: 4 for b in BRANCHES}
    assert campaign[-1][0].startswith("B05-20261118")  # two days before the demo's today
    assert today[0] == "B01-20261120-0900" and today[2] == "open"
    assert {"approved", "rejected"} <= set(forms)  # this small demo invites nobody today
    assert 0 < photos < forms["approved"] and returned >= 1 and referrals >= 1
    # Closing created follow-ups; marketers worked most, some are still open.
    assert followups["done"] > 0 and followups["open"] > 0
    assert last < f"{DEMO_TODAY}T02:00"  # nothing is stamped after the demo's morning


def test_the_maintenance_year_is_in_the_demo(cluster):
    """RMs with books, a month of maintenance calls partly worked, targets for the month,
    feedback with a complaint the branch head handled, and a few redemptions."""
    path, _report, lines = cluster
    with sqlite3.connect(path) as conn:
        assigned = conn.execute(
            "SELECT COUNT(*) FROM event_log WHERE event_type = 'ClientAssigned'"
        ).fetchone()[0]
        targets = conn.execute("SELECT COUNT(*) FROM targets WHERE month = '2026-11'").fetchone()[0]
        feedback = conn.execute("SELECT COUNT(*), COUNT(complaint) FROM feedback").fetchone()
        complaint = conn.execute(
            "SELECT f.status, f.assignee, f.kind FROM feedback b JOIN "
            "followups f ON f.followup_id = b.followup_id"
        ).fetchall()
        redeemed = conn.execute("SELECT COUNT(*) FROM redemptions").fetchone()[0]
        negative = conn.execute("SELECT COUNT(*) FROM client_points WHERE balance < 0").fetchone()[
            0
        ]
        calls = dict(
            conn.execute(
                "SELECT status, COUNT(*) FROM followups WHERE session_id = '' GROUP BY status"
            )
        )
        kinds = dict(
            conn.execute("SELECT kind, COUNT(*) FROM followups WHERE session_id = '' GROUP BY kind")
        )
    assert calls.get("done", 0) > 0 and calls.get("open", 0) > 0  # a month, partly worked
    assert kinds.get("tier_changed", 0) > 0  # the campaign's upgrades, called by their RMs
    assert assigned > 0 and targets == len(BRANCHES) * 2
    assert 0 < feedback[0] <= 20 * 3 and feedback[1] == 1  # three per closed session at most
    assert complaint == [("done", "B02-BH1", "complaint")]
    assert redeemed == 3 and negative == 0
    assert lines[-3].startswith("the year: ")
