"""Check-in at the door through the handlers: once per client, walk-ins only into free seats
(or with an organizer's override), prospects added on the spot, referrals rewarded once,
annulled with a reason and never deleted; and the desk's search and board."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN
from tests.helpers import client_row, dump_read_tables
from upgradecamp.domain.clock import today
from upgradecamp.domain.commands import (
    AddStaff,
    AnnulCheckIn,
    BuildInviteList,
    CheckIn,
    OpenSession,
    PlanSessions,
    RegisterClients,
)
from upgradecamp.domain.errors import (
    BadInput,
    NotFound,
    PermissionDenied,
    RuleRefused,
    WrongPin,
)
from upgradecamp.domain.events import streams
from upgradecamp.domain.events.clients import ClientDetailsChanged
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.queries.checkins import board, recent_checkins, todays_sessions
from upgradecamp.queries.search import query_kind, search_clients
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.db import read_transaction, write_transaction
from upgradecamp.store.tables import ClientPointsRow, ClientRow, LedgerEntryRow, StaffRow
from upgradecamp.store.tables.search import ClientSearchRow, SearchKeyRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

DESK = Actor(code="ck2", role="checkin", branch="B02", name="钱七")
ORG = Actor(code="org2", role="organizer", branch="B02", name="赵六")
SESSION = "B02-20261120-1500"  # the FakeClock's day, 15:00 Shanghai
PIN = "246809"


def search(svc, text, **kwargs):
    """The desk's search, experience periods judged on the test clock's business day."""
    return search_clients(svc.engine, text, on=today(svc.clock), **kwargs)


def cid(n: int) -> str:
    return client_row(n)["client_id"]


@pytest.fixture
def svc(services):
    for code, name, role in [
        ("org2", "赵六", "organizer"),
        ("mk2", "王五", "marketer"),
        ("ck2", "钱七", "checkin"),
    ]:
        services.execute(AddStaff(code=code, name=name, role=role, branch="B02", pin=PIN), ADMIN)
    services.execute(
        RegisterClients(clients=[client_row(n, aum="80000.00") for n in range(6)]), ADMIN
    )
    services.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", capacity=2), ORG)
    return services


@pytest.fixture
def opened(svc):
    svc.execute(OpenSession(session_id=SESSION), DESK)
    return svc


@pytest.fixture
def invited(svc, clock):
    """Session of capacity 2 with invitations (3 = 1.5 per seat), opened on its day."""
    svc.execute(
        RegisterClients(
            clients=[
                client_row(10, name="曾小贤", mobile="13900001010", aum="150000.00"),
                client_row(11, name="欧阳娜娜", mobile="13900001111", aum="60000.00"),
                client_row(12, name="吕布", mobile="13900001212", aum="90000.00"),
                client_row(13, name="张小明", mobile="13700001010", aum="300000.00"),
            ]
        ),
        ADMIN,
    )
    clock.advance(days=-40)  # the list went out weeks ahead
    built = svc.execute(BuildInviteList(session_id=SESSION), ORG)
    clock.advance(days=40)
    svc.execute(OpenSession(session_id=SESSION), DESK)
    return svc, built["invitations"]


def session(svc) -> dict:
    with read_transaction(svc.engine) as conn:
        return dict(
            conn.execute(select(SessionRow).where(SessionRow.session_id == SESSION))
            .mappings()
            .one()
        )


def checkins(svc) -> list[dict]:
    with read_transaction(svc.engine) as conn:
        return [
            dict(r)
            for r in conn.execute(select(CheckInRow).order_by(CheckInRow.checkin_id)).mappings()
        ]


def client(svc, client_id: str) -> dict | None:
    with read_transaction(svc.engine) as conn:
        row = conn.execute(select(ClientRow).where(ClientRow.client_id == client_id)).first()
    return None if row is None else dict(row._mapping)


def test_a_planned_session_is_not_open_for_check_in(svc):
    with pytest.raises(RuleRefused, match="open it first") as err:
        svc.execute(CheckIn(session_id=SESSION, client_id=cid(0)), DESK)
    assert err.value.code == "session_not_open"


def test_check_in_once_then_refused_with_who_where_when(opened):
    svc = opened
    result = svc.execute(CheckIn(session_id=SESSION, client_id=cid(0)), DESK)
    assert result == {
        "checkin_id": f"{SESSION}-C001",
        "session_id": SESSION,
        "client_id": cid(0),
        "name": "李四",
        "invitation_id": None,
        "walk_in": True,
        "prospect": False,
        "method": "search",
        "referred_by": None,
        "override_by": None,
        "by": "ck2",
        "terminal": "test-terminal",
        "at": "2026-11-20T10:00:00+08:00",
    }
    with pytest.raises(RuleRefused) as err:
        svc.execute(CheckIn(session_id=SESSION, client_id=cid(0)), DESK)
    assert err.value.code == "already_checked_in"
    assert err.value.params == {
        "client": cid(0),
        "who": "李四 (138****0000)",
        "by": "ck2",
        "terminal": "test-terminal",
        "at": "10:00",
    }
    assert str(err.value).startswith("李四 (138****0000) is already checked in")
    assert session(svc)["attended"] == 1 and session(svc)["walk_ins"] == 1


def test_walk_ins_stop_at_capacity(opened):
    svc = opened
    for n in range(2):
        svc.execute(CheckIn(session_id=SESSION, client_id=cid(n)), DESK)
    with pytest.raises(RuleRefused, match="full") as err:
        svc.execute(CheckIn(session_id=SESSION, client_id=cid(2)), DESK)
    assert err.value.code == "session_full"
    assert err.value.params == {"session": SESSION, "capacity": 2, "who": "李四 (138****0002)"}
    assert len(checkins(svc)) == 2


def test_annul_keeps_the_row_frees_the_seat_and_allows_a_new_check_in(opened):
    svc = opened
    first = svc.execute(CheckIn(session_id=SESSION, client_id=cid(0)), DESK)
    with pytest.raises(BadInput) as blank:
        svc.execute(AnnulCheckIn(checkin_id=first["checkin_id"], reason="  "), DESK)
    assert blank.value.code == "reason_required"
    annulled = svc.execute(
        AnnulCheckIn(checkin_id=first["checkin_id"], reason="wrong client"), DESK
    )
    assert annulled == {
        "checkin_id": first["checkin_id"],
        "session_id": SESSION,
        "client_id": cid(0),
        "annulled": True,
        "reason": "wrong client",
    }
    with pytest.raises(RuleRefused, match="already annulled") as again_err:
        svc.execute(AnnulCheckIn(checkin_id=first["checkin_id"], reason="again"), DESK)
    assert again_err.value.code == "checkin_already_annulled"
    with pytest.raises(NotFound) as unknown:
        svc.execute(AnnulCheckIn(checkin_id=f"{SESSION}-C999", reason="typo"), DESK)
    assert unknown.value.code == "checkin_not_found"
    assert session(svc)["attended"] == 0 and session(svc)["walk_ins"] == 0
    again = svc.execute(CheckIn(session_id=SESSION, client_id=cid(0)), DESK)
    assert again["checkin_id"] == f"{SESSION}-C002"
    rows = checkins(svc)
    assert [(r["annulled"], r["annul_reason"]) for r in rows] == [
        (True, "wrong client"),
        (False, None),
    ]


def test_check_in_by_invitation_code_is_not_a_walk_in(invited):
    svc, invitations = invited
    invitation = invitations[0]
    result = svc.execute(CheckIn(session_id=SESSION, code=invitation["code"].lower()), DESK)
    assert result["walk_in"] is False and result["invitation_id"] == invitation["invitation_id"]
    assert result["method"] == "code"
    with pytest.raises(NotFound, match="no invitation with code") as err:
        svc.execute(CheckIn(session_id=SESSION, code="ZZZZZZ"), DESK)
    assert err.value.code == "checkin_code_unknown"


def test_the_room_never_overflows_invitees_included(invited):
    """A full room lets an invitee in only with an organizer's override, recorded."""
    svc, invitations = invited
    assert {i["client_id"] for i in invitations} == {cid(0), cid(10), cid(12)}
    for n in (1, 2):
        svc.execute(CheckIn(session_id=SESSION, client_id=cid(n)), DESK)
    who = {
        cid(0): "李四 (138****0000)",
        cid(10): "曾小贤 (139****1010)",
        cid(12): "吕布 (139****1212)",
    }
    for invitation in invitations:
        with pytest.raises(RuleRefused) as full:
            svc.execute(CheckIn(session_id=SESSION, code=invitation["code"]), DESK)
        assert full.value.code == "session_full"
        assert f"{who[invitation['client_id']]} comes in only with an organizer's override" in str(
            full.value
        )
    row = session(svc)
    assert row["attended"] == row["capacity"] == 2
    seated = svc.execute(
        CheckIn(
            session_id=SESSION, code=invitations[1]["code"], override_code="org2", override_pin=PIN
        ),
        DESK,
    )
    assert (seated["walk_in"], seated["override_by"]) == (False, "org2")
    assert session(svc)["attended"] == 3 and board(svc.engine, SESSION).overrides == 1


def test_unknown_ids_and_roles(opened):
    svc = opened
    with pytest.raises(NotFound):
        svc.execute(CheckIn(session_id="B02-20991231-1500", client_id="x"), DESK)
    with pytest.raises(NotFound) as unknown:
        svc.execute(CheckIn(session_id=SESSION, client_id="no-such-client"), DESK)
    assert unknown.value.code == "client_not_found"
    for ambiguous in (
        CheckIn(session_id=SESSION),
        CheckIn(session_id=SESSION, code="ACDEFG", client_id=cid(0)),
        CheckIn(session_id=SESSION, client_id=cid(0), prospect_name="王二"),
    ):
        with pytest.raises(BadInput) as err:
            svc.execute(ambiguous, DESK)
        assert err.value.code == "checkin_needs_one"
    marketer = Actor(code="mk2", role="marketer", branch="B02")
    with pytest.raises(PermissionDenied):
        svc.execute(CheckIn(session_id=SESSION, client_id=cid(0)), marketer)


# --- prospects ---------------------------------------------------------------------------


def test_a_walk_in_prospect_becomes_a_client_and_is_checked_in(opened):
    svc = opened
    result = svc.execute(
        CheckIn(session_id=SESSION, prospect_name=" 王  小二 ", prospect_mobile="139 0000 8888"),
        DESK,
    )
    assert result["prospect"] is True and result["walk_in"] is True
    assert result["method"] == "walk_in" and result["name"] == "王 小二"
    prospect_id = result["client_id"]
    assert prospect_id.startswith("P") and len(prospect_id) == 11
    row = client(svc, prospect_id)
    assert row["mobile"] == "13900008888" and row["branch"] == "B02"
    assert (row["aum_cents"], row["segment"], row["marketing_consent"], row["id_last4"]) == (
        0,
        "long_tail",
        False,
        "",
    )
    assert row["initials"] == "wxe"
    assert session(svc)["walk_ins"] == 1
    found = search(svc, "wxe", session_id=SESSION)
    assert [(r.client_id, r.checked_in) for r in found] == [(prospect_id, True)]


def test_a_prospect_with_a_known_mobile_is_refused_naming_the_client(opened):
    svc = opened
    with pytest.raises(RuleRefused) as err:
        svc.execute(
            CheckIn(
                session_id=SESSION, prospect_name="李四", prospect_mobile=client_row(2)["mobile"]
            ),
            DESK,
        )
    assert err.value.code == "checkin_known_mobile"
    assert err.value.params == {"client": cid(2), "name": "李四", "mobile": "138****0002"}
    assert "138****0002" in err.value.message and "00000002" not in err.value.message
    svc.execute(CheckIn(session_id=SESSION, client_id=cid(2)), DESK)
    with pytest.raises(RuleRefused) as twice:
        svc.execute(
            CheckIn(
                session_id=SESSION, prospect_name="李四", prospect_mobile=client_row(2)["mobile"]
            ),
            DESK,
        )
    assert twice.value.code == "already_checked_in"


@pytest.mark.parametrize(
    ("name", "mobile", "code"),
    [
        ("王二", "1390000", "checkin_bad_mobile"),
        ("王二", "23900008888", "checkin_bad_mobile"),
        ("王二", "1390000888x", "checkin_bad_mobile"),
        ("王二", None, "checkin_bad_mobile"),
        ("  ", "13900008888", "checkin_prospect_name"),
        (None, "13900008888", "checkin_prospect_name"),
    ],
)
def test_a_prospect_needs_a_name_and_a_mobile(opened, name, mobile, code):
    with pytest.raises(BadInput) as err:
        opened.execute(
            CheckIn(session_id=SESSION, prospect_name=name, prospect_mobile=mobile), DESK
        )
    assert err.value.code == code
    assert checkins(opened) == []


# --- overrides ---------------------------------------------------------------------------


def _fill(svc) -> None:
    for n in range(2):
        svc.execute(CheckIn(session_id=SESSION, client_id=cid(n)), DESK)


def test_beyond_capacity_a_walk_in_needs_an_organizers_override(opened):
    svc = opened
    _fill(svc)
    with pytest.raises(BadInput) as no_pin:
        svc.execute(CheckIn(session_id=SESSION, client_id=cid(2), override_code="org2"), DESK)
    assert no_pin.value.code == "checkin_override_needs_pin"
    with pytest.raises(RuleRefused) as not_organizer:
        svc.execute(
            CheckIn(session_id=SESSION, client_id=cid(2), override_code="ck2", override_pin=PIN),
            DESK,
        )
    assert not_organizer.value.code == "checkin_override_not_organizer"
    with pytest.raises(NotFound):
        svc.execute(
            CheckIn(session_id=SESSION, client_id=cid(2), override_code="nobody", override_pin=PIN),
            DESK,
        )
    result = svc.execute(
        CheckIn(session_id=SESSION, client_id=cid(2), override_code="org2", override_pin=PIN), DESK
    )
    assert result["override_by"] == "org2"
    assert checkins(svc)[-1]["override_by"] == "org2"
    assert session(svc)["attended"] == 3
    live = board(svc.engine, SESSION)
    assert (live.arrived, live.walk_ins, live.free_seats, live.overrides) == (3, 3, 0, 1)


def test_a_wrong_override_pin_is_counted_and_checks_nobody_in(opened):
    svc = opened
    _fill(svc)
    with pytest.raises(WrongPin):
        svc.execute(
            CheckIn(
                session_id=SESSION, client_id=cid(2), override_code="org2", override_pin="0000"
            ),
            DESK,
        )
    with read_transaction(svc.engine) as conn:
        failed = conn.execute(
            select(StaffRow.failed_attempts).where(StaffRow.code == "org2")
        ).scalar_one()
    assert failed == 1
    assert len(checkins(svc)) == 2 and session(svc)["attended"] == 2


def test_an_override_is_not_recorded_while_seats_are_free(opened):
    result = opened.execute(
        CheckIn(session_id=SESSION, client_id=cid(0), override_code="org2", override_pin="0000"),
        DESK,
    )
    assert result["override_by"] is None


# --- referrals ---------------------------------------------------------------------------


def _referral_points(svc, referrer: str) -> tuple[int, list[str]]:
    with read_transaction(svc.engine) as conn:
        balance = conn.execute(
            select(ClientPointsRow.balance).where(ClientPointsRow.client_id == referrer)
        ).scalar()
        keys = list(
            conn.execute(
                select(LedgerEntryRow.credit_key).where(LedgerEntryRow.client_id == referrer)
            ).scalars()
        )
    return balance or 0, keys


def test_a_referral_credits_the_referrer_once(opened):
    svc = opened
    first = svc.execute(CheckIn(session_id=SESSION, client_id=cid(1), referred_by=cid(0)), DESK)
    assert first["referred_by"] == cid(0)
    assert _referral_points(svc, cid(0)) == (500, [f"referral_checkin:{cid(1)}"])
    # Annulled and made again with the same referrer: the reward stays, and is not paid twice.
    svc.execute(AnnulCheckIn(checkin_id=first["checkin_id"], reason="wrong seat"), DESK)
    assert _referral_points(svc, cid(0))[0] == 500
    svc.execute(CheckIn(session_id=SESSION, client_id=cid(1), referred_by=cid(0)), DESK)
    assert _referral_points(svc, cid(0)) == (500, [f"referral_checkin:{cid(1)}"])
    assert checkins(svc)[-1]["referred_by"] == cid(0)
    assert board(svc.engine, SESSION).referrals == 1


def test_a_prospect_can_be_referred_too(opened):
    result = opened.execute(
        CheckIn(
            session_id=SESSION,
            prospect_name="孙八",
            prospect_mobile="13600006666",
            referred_by=cid(3),
        ),
        DESK,
    )
    assert _referral_points(opened, cid(3)) == (500, [f"referral_checkin:{result['client_id']}"])


def test_a_referrer_must_be_another_known_client(opened):
    with pytest.raises(NotFound) as unknown:
        opened.execute(CheckIn(session_id=SESSION, client_id=cid(1), referred_by="C999999"), DESK)
    assert unknown.value.code == "checkin_referrer_unknown"
    with pytest.raises(BadInput) as self_ref:
        opened.execute(CheckIn(session_id=SESSION, client_id=cid(1), referred_by=cid(1)), DESK)
    assert self_ref.value.code == "checkin_referrer_self"
    assert checkins(opened) == []


# --- search ------------------------------------------------------------------------------


def test_query_kinds():
    assert [
        query_kind(t)
        for t in (
            "",
            "  ",
            "张",
            "zs",
            "Zhang San",
            "lü",
            "1234",
            "138",
            "13800000001",
            "ACDEFG",
            "acd efg",
            "C000001",
            "x1",
        )
    ] == [
        "none",
        "none",
        "name",
        "pinyin",
        "pinyin",
        "pinyin",
        "mobile",
        "none",
        "mobile",
        "code",
        "code",
        "client",
        "client",
    ]


def test_search_by_every_kind_invitees_first(invited):
    svc, invitations = invited
    codes = {i["client_id"]: i["code"] for i in invitations}
    invitee = next(iter(codes))

    def ids(text: str, **kw) -> list[str]:
        return [r.client_id for r in search(svc, text, session_id=SESSION, **kw)]

    assert ids(codes[invitee]) == [invitee]
    assert ids(codes[invitee].lower()) == [invitee]
    assert ids("曾") == [cid(10)] and ids("小贤") == [cid(10)]  # prefix and substring
    assert ids("zengx") == [cid(10)] and ids("cengx") == [cid(10)]  # both readings of 曾
    assert ids("zxx") == [cid(10)] and ids("oynn") == [cid(11)]
    assert ids("zhangxm") == [cid(13)] and ids("ouyangnn") == [cid(11)]
    assert ids("lvbu") == [cid(12)] and ids("lubu") == [cid(12)] and ids("lü") == [cid(12)]
    assert ids("1111") == [cid(11)] and ids("13900001111") == [cid(11)]
    assert ids("00001111") == [cid(11)] and ids("13800001111") == []
    assert set(ids("1010")) == {cid(10), cid(13)}
    assert ids("C000010") == [cid(10)]
    # 张三 (odd n) and 张小明; the invitees among them come first.
    zhang = ids("zhang")
    assert set(zhang) == {cid(1), cid(3), cid(5), cid(13)}
    invited_ids = [c for c in zhang if c in codes]
    assert zhang[: len(invited_ids)] == invited_ids
    assert ids("zs", limit=2) == ids("zs")[:2] and len(ids("zs", limit=2)) == 2
    assert ids("zzzz") == [] and ids("") == [] and ids("张", limit=0) == []


def test_search_results_show_masked_mobile_tier_invitation_and_check_in(invited, clock):
    svc, invitations = invited
    by_client = {i["client_id"]: i for i in invitations}
    svc.execute(CheckIn(session_id=SESSION, client_id=cid(13)), DESK)
    [zxm] = search(svc, "张小明", session_id=SESSION)
    assert zxm.mobile == "137****1010" and "13700001010" not in str(zxm)
    assert (zxm.tier, zxm.tier_name, zxm.segment) == ("silver", "银卡贵宾", "mid_high")
    assert zxm.checked_in is True and zxm.checked_in_by == "ck2"
    assert zxm.checked_in_terminal == "test-terminal"
    assert zxm.checked_in_at == "2026-11-20T10:00:00+08:00"
    assert zxm.invited is (cid(13) in by_client)
    for client_id, invitation in by_client.items():
        [hit] = search(svc, invitation["code"], session_id=SESSION)
        assert hit.client_id == client_id and hit.match == "code"
        assert (hit.invited, hit.invitation_state) == (True, "invited")
        assert hit.checked_in is (client_id == cid(13))
    # Without a session (a walk-in looked up among all clients) nobody is "invited".
    [plain] = search(svc, "张小明")
    assert plain.invited is False and plain.checked_in is False


def test_search_index_follows_name_and_mobile_changes(svc, clock):
    with write_transaction(svc.engine) as conn:
        uow = UnitOfWork(conn, svc.log, ADMIN, {"actor": "admin1", "terminal": "t"}, clock)
        uow.stream_version(streams.client(cid(0)))
        uow.record(ClientDetailsChanged(client_id=cid(0), name="单田芳", mobile="13512345678"))
        uow.stream_version(streams.client(cid(1)))
        uow.record(ClientDetailsChanged(client_id=cid(1), mobile="13587654321"))
        uow.commit()
    assert [r.client_id for r in search(svc, "shantf")] == [cid(0)]
    assert [r.client_id for r in search(svc, "5678")] == [cid(0)]
    assert cid(0) not in [r.client_id for r in search(svc, "李四")]
    assert [r.client_id for r in search(svc, "4321")] == [cid(1)]
    assert search(svc, "0001") == []
    with read_transaction(svc.engine) as conn:
        row = (
            conn.execute(select(ClientSearchRow).where(ClientSearchRow.client_id == cid(1)))
            .mappings()
            .one()
        )
        extra = {(k.key, k.client_id) for k in conn.execute(select(SearchKeyRow))}
    assert (row["name"], row["pinyin"], row["initials"], row["mobile_last4"]) == (
        "张三",
        "zhangsan",
        "zs",
        "4321",
    )
    # 单 as a surname is Shàn; pypinyin's first reading (dān) is kept as extra keys.
    assert extra == {(k, cid(0)) for k in ("pdantianfang", "idtf", "pdantf")}


def test_a_new_name_replaces_exactly_the_old_extra_keys(svc, clock):
    def rename(client_id: str, name: str) -> None:
        with write_transaction(svc.engine) as conn:
            uow = UnitOfWork(conn, svc.log, ADMIN, {"actor": "admin1", "terminal": "t"}, clock)
            uow.stream_version(streams.client(client_id))
            uow.record(ClientDetailsChanged(client_id=client_id, name=name))
            uow.commit()

    def extra() -> set[str]:
        with read_transaction(svc.engine) as conn:
            return set(conn.execute(select(SearchKeyRow.key)).scalars())

    rename(cid(0), "曾小贤")
    assert extra() == {"pcengxiaoxian", "icxx", "pcengxx"}
    rename(cid(0), "吕布")
    assert extra() == {"plubu"}
    rename(cid(0), "王五")
    assert extra() == set()
    assert [r.client_id for r in search(svc, "wangwu")] == [cid(0)]
    assert search(svc, "lubu") == []


# --- the desk's other reads --------------------------------------------------------------


def test_board_recent_checkins_and_todays_sessions(invited, clock):
    svc, invitations = invited
    svc.execute(CheckIn(session_id=SESSION, code=invitations[0]["code"]), DESK)
    svc.execute(CheckIn(session_id=SESSION, client_id=cid(1)), DESK)
    clock.advance(minutes=5)
    late = svc.execute(
        CheckIn(
            session_id=SESSION, code=invitations[1]["code"], override_code="org2", override_pin=PIN
        ),
        DESK,
    )  # room full
    svc.execute(AnnulCheckIn(checkin_id=late["checkin_id"], reason="went home"), DESK)
    live = board(svc.engine, SESSION)
    assert {
        k: getattr(live, k)
        for k in (
            "capacity",
            "expected",
            "arrived",
            "invitees_arrived",
            "walk_ins",
            "still_expected",
            "free_seats",
            "annulled",
        )
    } == {
        "capacity": 2,
        "expected": len(invitations),
        "arrived": 2,
        "invitees_arrived": 1,
        "walk_ins": 1,
        "still_expected": len(invitations) - 1,
        "free_seats": 0,
        "annulled": 1,
    }
    assert board(svc.engine, "B02-20991231-1500") is None
    recent = recent_checkins(svc.engine, SESSION, limit=2)
    assert [r.checkin_id for r in recent] == [late["checkin_id"], f"{SESSION}-C002"]
    assert recent[0].annulled is True and recent[0].annul_reason == "went home"
    assert recent[0].time == "10:05" and recent[0].client_id == invitations[1]["client_id"]
    assert recent[1].mobile == "138****0001" and recent[1].walk_in is True
    today = clock().date()
    assert [s["session_id"] for s in todays_sessions(svc.engine, on=today)] == [SESSION]
    assert todays_sessions(svc.engine, branch="B03", on=today) == []


def test_replay_rebuilds_checkins_prospects_referrals_and_the_search_index(opened):
    svc = opened
    svc.execute(CheckIn(session_id=SESSION, client_id=cid(1), referred_by=cid(0)), DESK)
    svc.execute(
        CheckIn(session_id=SESSION, prospect_name="王小二", prospect_mobile="13900008888"), DESK
    )
    svc.execute(AnnulCheckIn(checkin_id=f"{SESSION}-C001", reason="wrong client"), DESK)
    live = dump_read_tables(svc.engine)
    assert len(live["client_search"]) == 7 and len(live["checkins"]) == 2
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live


def test_two_desks_at_once_retry_different_clients_and_refuse_the_same(opened):
    """Threads on one database (on PostgreSQL the appends really race and are retried)."""
    from concurrent.futures import ThreadPoolExecutor

    from upgradecamp.domain.errors import DomainError

    svc = opened

    def desk(order: list[int]) -> list[str]:
        said = []
        for n in order:
            try:
                svc.execute(CheckIn(session_id=SESSION, client_id=cid(n)), DESK)
                said.append("ok")
            except DomainError as err:
                said.append(err.code or type(err).__name__)
        return said

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(desk, [[1, 2, 3, 4], [2, 1, 4, 3]]))
    said = Counter(s for desk_said in outcomes for s in desk_said)
    assert said["ok"] == 2 and set(said) <= {"ok", "already_checked_in", "session_full"}
    rows = checkins(svc)
    assert len(rows) == 2 == len({r["client_id"] for r in rows})
    assert session(svc)["attended"] == 2


def test_a_check_in_annulled_before_the_start_offers_its_seat_to_the_first_waiting(invited):
    from upgradecamp.domain.commands.invitations import RecordInvitationOutcome
    from upgradecamp.queries.invitations import call_list

    svc, invitations = invited  # 2 seats, the session open in the morning, starting at 15:00
    first, second = invitations[0]["invitation_id"], invitations[1]["invitation_id"]

    def confirm(invitation_id: str) -> dict:
        return svc.execute(
            RecordInvitationOutcome(invitation=invitation_id, channel="call", result="confirmed"),
            ORG,
        )

    assert confirm(first)["state"] == "confirmed"
    walk_in = svc.execute(CheckIn(session_id=SESSION, client_id=cid(1)), DESK)
    assert confirm(second)["state"] == "waitlisted"  # the walk-in holds the other seat
    assert board(svc.engine, SESSION).waiting_list[0].invitation_id == second
    svc.execute(AnnulCheckIn(checkin_id=walk_in["checkin_id"], reason="wrong client"), DESK)
    offered = {r["invitation_id"]: r for r in call_list(svc.engine, SESSION)}[second]
    assert (offered["waitlist_place"], offered["offer_seat"]) == (1, True)
    assert confirm(second)["state"] == "confirmed"
    assert board(svc.engine, SESSION).waiting_list == ()
