"""Points to spend through the handlers: the catalogue listed at init, redemptions by a
marketer, a balance and a stock that never go negative, reversal with a reason, the ledger
and replay, and a cancellation that cannot take back points already spent."""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN
from tests.helpers import client_row, dump_read_tables
from upgradecamp.domain.commands import (
    AddStaff,
    CreditBonus,
    ListRewards,
    RedeemPoints,
    RegisterClients,
    ReverseRedemption,
)
from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied, RuleRefused
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.queries import points_explanation
from upgradecamp.queries.rewards import redemptions, reward_catalogue
from upgradecamp.service.bus import bootstrap

PIN = "246809"
MK = Actor(code="mk2", role="marketer", branch="B02", name="王五")
DESK = Actor(code="ck2", role="checkin", branch="B02", name="钱七")
HEAD = Actor(code="bh2", role="branch_head", branch="B02", name="周行长")


@pytest.fixture
def svc(services):
    for actor in (MK, DESK, HEAD):
        services.execute(
            AddStaff(
                code=actor.code, name=actor.name, role=actor.role, branch=actor.branch, pin=PIN
            ),
            ADMIN,
        )
    services.execute(RegisterClients(clients=[client_row(1), client_row(2), client_row(3)]), ADMIN)
    for client, referred in (
        ("C000001", "C000002"),
        ("C000001", "C000003"),
        ("C000002", "C000003"),
    ):  # 500 points per referral check-in
        services.execute(
            CreditBonus(
                client_id=client,
                kind="referral_checkin",
                reference=referred,
                on="2026-11-20",
                referred_client=referred,
            ),
            HEAD,
        )
    return services


def left(svc, code):
    return {r.code: r.left for r in reward_catalogue(svc.engine)}[code]


def balance(svc, client):
    return points_explanation(svc.engine, client)["balance"]


def test_init_lists_the_fixtures_catalogue_with_its_stock(svc):
    catalogue = {r.code: r for r in reward_catalogue(svc.engine)}
    assert catalogue["tea_set"].cost == 5000 and catalogue["tea_set"].left == 5
    assert {r.kind for r in catalogue.values()} == {"activity", "gift"}


def test_a_marketer_redeems_and_the_ledger_explains_it(svc):
    done = svc.execute(RedeemPoints(client_id="C000001", reward="umbrella", quantity=1), MK)
    assert (done["redemption_id"], done["points"], done["balance"], done["left"]) == (
        "C000001-R01",
        600,
        400,
        29,
    )
    assert balance(svc, "C000001") == 400 and left(svc, "umbrella") == 29
    explained = points_explanation(svc.engine, "C000001")
    spent = explained["ledger"][-1]
    assert (spent["kind"], spent["reference"], spent["points"], spent["formula"]) == (
        "redemption",
        "C000001-R01",
        -600,
        "1 × 定制晴雨伞 at 600 = 600",
    )
    assert [r["redemption_id"] for r in explained["redemptions"]] == ["C000001-R01"]
    assert redemptions(svc.engine)[0].redeemed_by == "mk2"


def test_the_balance_never_goes_negative(svc):
    with pytest.raises(RuleRefused) as err:
        svc.execute(RedeemPoints(client_id="C000002", reward="umbrella"), MK)
    assert err.value.code == "redeem_balance_too_low" and "holds 500" in str(err.value)
    svc.execute(RedeemPoints(client_id="C000002", reward="car_wash"), MK)
    assert balance(svc, "C000002") == 0


LAST_ONE = {"code": "last_one", "name": "限量纪念币", "kind": "gift", "cost": 100, "stock": 1}


def test_the_stock_never_goes_negative_and_the_last_item_goes_once(svc):
    listed = svc.execute(ListRewards(rewards=[LAST_ONE]), HEAD)
    assert listed == {"listed": ["last_one"], "already_listed": 0}
    assert svc.execute(ListRewards(rewards=[{**LAST_ONE, "stock": 9}]), HEAD)["listed"] == []
    other_desk = bootstrap(engine=svc.engine, clock=svc.clock, terminal="desk-2")
    with pytest.raises(RuleRefused) as err:
        svc.execute(RedeemPoints(client_id="C000001", reward="last_one", quantity=2), MK)
    assert err.value.code == "reward_out_of_stock" and err.value.params["left"] == 1
    svc.execute(RedeemPoints(client_id="C000001", reward="last_one"), MK)
    with pytest.raises(RuleRefused) as err:
        other_desk.execute(RedeemPoints(client_id="C000002", reward="last_one"), MK)
    assert err.value.code == "reward_out_of_stock" and left(svc, "last_one") == 0
    assert balance(svc, "C000002") == 500


def test_two_desks_redeeming_the_last_item_at_once_are_decided_once(svc):
    """The second desk reads the stock before the first commits (PostgreSQL only: SQLite
    takes the write lock at the first statement, so there the desks simply queue)."""
    if svc.engine.dialect.name != "postgresql":
        pytest.skip("a read-then-write race needs concurrent writers (PostgreSQL)")
    svc.execute(ListRewards(rewards=[LAST_ONE]), HEAD)
    other = bootstrap(engine=svc.engine, clock=svc.clock, terminal="desk-2")
    real, calls = other.handlers[RedeemPoints], []

    def racing(uow, cmd):
        result = real(uow, cmd)
        if not calls:
            calls.append(1)
            svc.execute(RedeemPoints(client_id="C000001", reward="last_one"), MK)
        return result

    other.handlers[RedeemPoints] = racing
    with pytest.raises(RuleRefused) as err:
        other.execute(RedeemPoints(client_id="C000002", reward="last_one"), MK)
    assert err.value.code == "reward_out_of_stock"
    assert (balance(svc, "C000001"), balance(svc, "C000002")) == (900, 500)


def test_unknown_reward_client_quantity_and_role_are_refused(svc):
    with pytest.raises(NotFound):
        svc.execute(RedeemPoints(client_id="C000001", reward="yacht"), MK)
    with pytest.raises(NotFound):
        svc.execute(RedeemPoints(client_id="C999999", reward="umbrella"), MK)
    with pytest.raises(BadInput):
        svc.execute(RedeemPoints(client_id="C000001", reward="umbrella", quantity=0), MK)
    with pytest.raises(PermissionDenied):
        svc.execute(RedeemPoints(client_id="C000001", reward="umbrella"), DESK)


def test_a_redemption_is_reversed_once_with_a_reason_and_replay_matches(svc):
    svc.execute(RedeemPoints(client_id="C000001", reward="car_wash", quantity=2), MK)
    with pytest.raises(BadInput):
        svc.execute(ReverseRedemption(redemption_id="C000001-R01", reason=" "), MK)
    back = svc.execute(ReverseRedemption(redemption_id="C000001-R01", reason="wrong client"), HEAD)
    assert (back["points"], back["balance"]) == (1000, 1000)
    assert left(svc, "car_wash") == 50 and balance(svc, "C000001") == 1000
    with pytest.raises(NotFound) as err:
        svc.execute(ReverseRedemption(redemption_id="C000001-R01", reason="again"), HEAD)
    assert err.value.code == "redemption_not_found"
    again = svc.execute(RedeemPoints(client_id="C000001", reward="car_wash"), MK)
    assert again["redemption_id"] == "C000001-R02"
    assert [(r.redemption_id, r.status) for r in redemptions(svc.engine, "C000001")] == [
        ("C000001-R02", "standing"),
        ("C000001-R01", "reversed"),
    ]
    live = dump_read_tables(svc.engine)
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live
