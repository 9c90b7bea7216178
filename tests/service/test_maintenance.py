"""Tier service plans through the handlers: holdings import (bad rows by line, all or
nothing), the day's run (maturity, experience ending, dormant; consent for marketing; the
client's RM; idempotent), the calls worked at the desk, the tier's SMS file, replay."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from tests.conftest import ADMIN
from tests.helpers import client_row, dump_read_tables
from upgradecamp.domain.commands import (
    AddStaff,
    ExportTierSms,
    ImportHoldings,
    RecordFollowUpOutcome,
    RegisterClients,
    RunMaintenance,
)
from upgradecamp.domain.errors import BadInput, PermissionDenied
from upgradecamp.domain.maintenance import ClientFacts, TierPlan, plan_calls
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.queries.followups import list_followups

PIN = "246809"
ORG = Actor(code="org2", role="organizer", branch="B02", name="赵六")
MK = Actor(code="mk2", role="marketer", branch="B02", name="王五")


@pytest.fixture
def svc(services):
    for actor in (ORG, MK):
        services.execute(
            AddStaff(
                code=actor.code, name=actor.name, role=actor.role, branch=actor.branch, pin=PIN
            ),
            ADMIN,
        )
    services.execute(
        RegisterClients(
            clients=[
                client_row(1, aum="300000.00", rm="mk2"),  # silver
                client_row(2, aum="300000.00", rm="mk2", marketing_consent=False),
                client_row(3, aum="120000.00"),  # potential, no RM
                client_row(4, aum="10000.00", rm="mk2"),  # standard: no plan
            ]
        ),
        ADMIN,
    )
    return services


def holdings_file(tmp_path, rows) -> str:
    path = tmp_path / "holdings.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([("客户号", "产品", "金额", "到期日"), *rows])
    return str(path)


def test_a_bad_holdings_row_is_named_by_line_and_nothing_is_imported(svc, tmp_path):
    path = holdings_file(
        tmp_path,
        [
            ("C000001", "大额存单", "100000", "2026-11-25"),
            ("C999999", "fund", "5000", "2026-12-01"),
            ("C000002", "股票", "abc", "12/01"),
        ],
    )
    with pytest.raises(BadInput) as err:
        svc.execute(ImportHoldings(path=path), ORG)
    assert "line 3, client_id" in str(err.value) and "line 4, product" in str(err.value)
    dry = svc.execute(ImportHoldings(path=path, dry_run=True, good_rows_only=True), ORG)
    assert (dry["good"], dry["imported"]) == (1, 0)
    done = svc.execute(ImportHoldings(path=path, good_rows_only=True), ORG)
    assert done["imported"] == 1
    with pytest.raises(PermissionDenied):
        svc.execute(ImportHoldings(path=path), MK)


def test_the_day_s_run_creates_the_calls_once_for_each_client_s_rm(svc, tmp_path):
    svc.execute(
        ImportHoldings(
            path=holdings_file(
                tmp_path,
                [
                    ("C000001", "large_cd", "100000", "2026-11-25"),  # within silver's 10 days
                    ("C000001", "fund", "20000", "2027-03-01"),  # too far ahead
                    ("C000002", "time_deposit", "50000", "2026-11-22"),
                ],
            )
        ),
        ORG,
    )
    first = svc.execute(RunMaintenance(on="2026-11-20"), ORG)
    assert (first["created"], first["by_kind"]) == (2, {"maturity_call": 2})
    again = svc.execute(RunMaintenance(on="2026-11-20"), ORG)
    assert (again["created"], again["already_there"]) == (0, 2)
    calls = {f.followup_id: f for f in list_followups(svc.engine, status="open")}
    call = calls["MNT-MT-C000001-large_cd-20261125"]
    assert (call.kind, call.assignee, str(call.due)) == ("maturity_call", "mk2", "2026-11-24")
    worked = svc.execute(
        RecordFollowUpOutcome(
            followup_id="MNT-MT-C000001-large_cd-20261125", outcome="reached", note="续存"
        ),
        MK,
    )
    assert worked["status"] == "done"
    live = dump_read_tables(svc.engine)
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live


def test_dormant_calls_are_marketing_and_need_consent_and_an_rm():
    plans = {
        "silver": TierPlan("silver", dormant_days=60),
        "potential": TierPlan("potential", dormant_days=90),
    }
    on = date(2026, 12, 1)
    old = date(2026, 9, 1)
    plan = plan_calls(
        on,
        plans,
        [
            ClientFacts("C1", "silver", "mk2", True, last_contact=old),
            ClientFacts("C2", "silver", "mk2", False, last_contact=old),
            ClientFacts("C3", "potential", None, True, known_since=old),
            ClientFacts("C4", "silver", "mk2", True, last_contact=date(2026, 11, 1)),
            ClientFacts("C5", "standard", "mk2", True, last_contact=old),
        ],
    )
    assert [c.followup_id for c in plan.calls] == ["MNT-DM-C1-202612"]
    assert (plan.without_consent, plan.without_rm) == (1, 1)


def test_a_tier_s_sms_file_goes_to_consenting_clients_with_the_opt_out(svc, tmp_path):
    out = tmp_path / "silver.csv"
    done = svc.execute(ExportTierSms(tier="silver", out=str(out)), ORG)
    assert done["rows"] == 1 and done["frequency"] == "monthly"
    text = out.read_text(encoding="utf-8-sig")
    assert "13800000001" in text and "13800000002" not in text and "拒收请回复R" in text
    assert out.stat().st_mode & 0o777 == 0o600
    with pytest.raises(BadInput):
        svc.execute(ExportTierSms(tier="silver", out=str(out), kind="wechat"), ORG)


def test_a_birthday_from_the_client_file_brings_a_greeting_call_with_consent_only(svc, tmp_path):
    from tests.helpers import dump_read_tables as dump
    from upgradecamp.domain.commands import ImportClientFile
    from upgradecamp.domain.maintenance import next_birthday

    path = tmp_path / "clients.csv"
    path.write_text(
        "客户号,姓名,手机号,证件号后四位,所属网点,客户经理,金融资产,营销同意,生日\n"
        "C000001,张三,13800000001,0001,B02,mk2,300000.00,Y,11-22\n"
        "C000002,李四,13800000002,0002,B02,mk2,300000.00,N,1990-11-21\n",
        encoding="utf-8",
    )
    svc.execute(ImportClientFile(path=str(path)), ORG)
    rows = {r[0]: r for r in dump(svc.engine)["clients"]}
    assert "11-22" in rows["C000001"] and "11-21" in rows["C000002"]
    ran = svc.execute(RunMaintenance(on="2026-11-20"), ORG)
    assert ran["by_kind"] == {"birthday_call": 1} and ran["without_consent"] == 1
    calls = {f.followup_id: f for f in list_followups(svc.engine, status="open")}
    assert str(calls["MNT-BD-C000001-20261122"].due) == "2026-11-22"
    assert next_birthday("02-29", date(2027, 1, 1)) == date(2027, 2, 28)
    assert next_birthday("01-01", date(2026, 12, 31)) == date(2027, 1, 1)
