"""The tier plans' "tier changed" call (客户等级变动): a client whose tier went up or down (an
AUM import, an experience tier starting or ending) within the plan's days gets one call from
their RM; a second run changes nothing; the move survives replay."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import dump_read_tables
from tests.service.test_maintenance import ORG, svc  # noqa: F401  (the fixture)
from upgradecamp.domain.commands import ImportClientFile, RunMaintenance
from upgradecamp.domain.maintenance import ClientFacts, TierMove, TierPlan, plan_calls
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.queries.followups import followup_counts, list_followups


def head(svc) -> int:  # noqa: F811
    with svc.engine.connect() as conn:
        return svc.log.head(conn)[0]


def reimport(svc, tmp_path, rows: list[str]) -> None:  # noqa: F811
    path = tmp_path / "clients.csv"
    path.write_text(
        "客户号,姓名,手机号,证件号后四位,所属网点,客户经理,金融资产,营销同意\n"
        + "".join(f"{r}\n" for r in rows),
        encoding="utf-8",
    )
    svc.execute(ImportClientFile(path=str(path), good_rows_only=True), ORG)


def test_a_tier_move_brings_one_call_from_the_rm_and_a_second_run_changes_nothing(
    svc,  # noqa: F811
    tmp_path,
):
    reimport(
        svc,
        tmp_path,
        [
            "C000001,张三,13800000001,0001,B02,mk2,600000.00,Y",  # silver → gold
            "C000002,李四,13800000002,0002,B02,mk2,150000.00,N",  # silver → potential
            "C000003,王五,13800000003,0003,B02,,250000.00,Y",  # potential → silver, no RM
        ],
    )
    first = svc.execute(RunMaintenance(on="2026-11-20"), ORG)
    assert first["by_kind"] == {"tier_changed": 2} and first["without_rm"] == 1
    calls = {f.followup_id: f for f in list_followups(svc.engine, status="open")}
    up = calls["MNT-TC-C000001-silver-gold-20261120"]
    assert (up.kind, up.assignee, str(up.due)) == ("tier_changed", "mk2", "2026-11-23")
    down = calls["MNT-TC-C000002-silver-potential-20261120"]
    assert str(down.due) == "2026-11-27"  # potential's plan: 7 days; consent not needed
    log_head = head(svc)
    again = svc.execute(RunMaintenance(on="2026-11-21"), ORG)
    assert (again["created"], again["already_there"]) == (0, 2)
    assert head(svc) == log_head
    later = svc.execute(RunMaintenance(on="2026-11-24"), ORG)
    assert later["by_kind"].get("tier_changed") is None  # gold's 3 days are over
    counts = followup_counts(svc.engine, today=date(2026, 11, 20))
    assert counts["by_kind"]["tier_changed"]["open"] == 2
    live = dump_read_tables(svc.engine)
    assert any(r[0] == "C000001" for r in live["tier_moves"])
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live


def test_an_unchanged_aum_is_no_move(svc, tmp_path):  # noqa: F811
    reimport(svc, tmp_path, ["C000001,张三,13800000001,0001,B02,mk2,310000.00,Y"])
    assert dump_read_tables(svc.engine)["tier_moves"]  # the AUM moved, the tier did not
    ran = svc.execute(RunMaintenance(on="2026-11-20"), ORG)
    assert "tier_changed" not in ran["by_kind"]


@pytest.mark.parametrize(
    ("move", "on", "expected"),
    [
        (TierMove("potential", "silver", date(2026, 12, 1)), date(2026, 12, 3), 1),
        (TierMove("potential", "silver", date(2026, 12, 1)), date(2026, 12, 5), 0),
        (TierMove("silver", "silver", date(2026, 12, 1)), date(2026, 12, 1), 0),
        (TierMove("silver", "valid", date(2026, 12, 1)), date(2026, 12, 2), 1),
        (TierMove("standard", "valid", date(2026, 12, 1)), date(2026, 12, 1), 0),
    ],
)
def test_a_move_is_called_within_the_plan_s_days_by_the_new_or_the_old_tier(move, on, expected):
    plans = {
        "silver": TierPlan("silver", tier_changed_days=3),
        "potential": TierPlan("potential", tier_changed_days=7),
    }
    facts = ClientFacts("C1", move.after, "mk2", False, moved=move)
    plan = plan_calls(on, plans, [facts])
    assert len(plan.calls) == expected
    assert all(c.kind == "tier_changed" for c in plan.calls)
