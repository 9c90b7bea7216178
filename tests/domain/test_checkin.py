"""Every check-in rule on plain facts: no database, no bus (domain/checkin.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from upgradecamp.domain import checkin as rules
from upgradecamp.domain.checkin import (
    AnnulFacts,
    Arrival,
    CheckInFacts,
    EarlierCheckIn,
    KnownClient,
    SessionFacts,
)
from upgradecamp.domain.commands.checkins import AnnulCheckIn, CheckIn
from upgradecamp.domain.errors import BadInput, NotFound, RuleRefused
from upgradecamp.domain.events import streams
from upgradecamp.domain.events.checkins import CheckInAnnulled, ClientCheckedIn
from upgradecamp.domain.events.forms import ProspectRegistered

SID = "B02-20261201-1500"
OPEN = SessionFacts(SID, "open", "B02", capacity=2, attended=0)
FULL = replace(OPEN, attended=2)
INVITEE = Arrival("C001", "张三", "INV-1", "13800135678")
WALK_IN = Arrival("C002", "李四", None)
EARLIER = EarlierCheckIn(
    "C001", "ck1", "desk-2", datetime(2026, 12, 1, 7, 2, tzinfo=UTC), "张三", "13800135678"
)


def facts(session: SessionFacts | None = OPEN, **kw) -> CheckInFacts:
    return CheckInFacts(session_id=SID, session=session, **kw)


def by_code(**kw) -> CheckIn:
    return CheckIn(session_id=SID, code="ab12cd", **kw)


def by_id(client_id: str = "C002", **kw) -> CheckIn:
    return CheckIn(session_id=SID, client_id=client_id, **kw)


def prospect(name: str = "王五", mobile: str = "138 0013-8000", **kw) -> CheckIn:
    return CheckIn(session_id=SID, prospect_name=name, prospect_mobile=mobile, **kw)


def refused(error: type[Exception], fn, *args, **kw):
    with pytest.raises(error) as caught:
        fn(*args, **kw)
    return caught.value


def events_of(admission, **kw) -> list:
    return rules.decide_check_in(
        admission, override=kw.get("override"), prospect_id=kw.get("prospect_id"), terminal="desk-1"
    )


# -- the session ------------------------------------------------------------------------------
def test_an_unknown_session_is_not_found():
    err = refused(NotFound, rules.admit, facts(None), by_code())
    assert err.code == "session_not_found" and err.params == {"session": SID}


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        ("planned", "open it first"),
        ("closed", "takes no more arrivals"),
        ("cancelled", "was cancelled"),
    ],
)
def test_only_an_open_session_takes_arrivals(status, hint):
    err = refused(
        RuleRefused, rules.admit, facts(replace(OPEN, status=status), arrival=INVITEE), by_code()
    )
    assert err.code == "session_not_open" and err.params["status"] == status
    assert hint in err.message


# -- naming the client -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "cmd",
    [
        CheckIn(session_id=SID),
        CheckIn(session_id=SID, code="AB12CD", client_id="C001"),
        CheckIn(session_id=SID, client_id="C001", prospect_mobile="1"),
    ],
)
def test_exactly_one_way_of_naming_the_client(cmd):
    assert rules.way_of(cmd) is None
    assert refused(BadInput, rules.admit, facts(), cmd).code == "checkin_needs_one"


def test_an_unknown_code_is_named_as_normalised():
    err = refused(NotFound, rules.admit, facts(code="AB12CD"), by_code())
    assert err.code == "checkin_code_unknown" and err.params == {"checkin_code": "AB12CD"}
    assert "AB12CD" in err.message


def test_an_unknown_client_id_is_not_found():
    err = refused(NotFound, rules.admit, facts(), by_id(" C404 "))
    assert err.code == "client_not_found" and err.params == {"client": "C404"}


# -- duplicates -------------------------------------------------------------------------------
def test_a_second_check_in_says_who_where_and_when():
    err = refused(RuleRefused, rules.admit, facts(arrival=INVITEE, earlier=EARLIER), by_code())
    assert err.code == "already_checked_in"
    # 07:02 UTC is 15:02 at the branch.
    assert err.params == {
        "client": "C001",
        "who": "张三 (138****5678)",
        "by": "ck1",
        "terminal": "desk-2",
        "at": "15:02",
    }
    # The person, not an id: the desk that lost the race knows whom it is about.
    assert err.message.startswith(
        "张三 (138****5678) is already checked in: by ck1 at terminal desk-2 at 15:02"
    )


def test_messages_name_the_person_with_a_masked_mobile_or_their_id():
    assert rules.who("张三", "13800135678", "C001") == "张三 (138****5678)"
    assert rules.who("张三", "", "C001") == "张三 (C001)"
    assert rules.who("", "", "C001") == "C001"


# -- seats ------------------------------------------------------------------------------------
def test_an_invitee_takes_a_free_seat():
    admission = rules.admit(
        facts(replace(OPEN, attended=1), arrival=INVITEE, checkins=4), by_code()
    )
    assert not admission.needs_override and not admission.walk_in
    [event] = events_of(admission)
    assert event == ClientCheckedIn(
        checkin_id=f"{SID}-C005",
        session_id=SID,
        client_id="C001",
        invitation_id="INV-1",
        walk_in=False,
        method="code",
        terminal="desk-1",
    )
    assert event.stream_id() == streams.session(SID)


def test_the_room_never_overflows_an_invitee_beyond_capacity_needs_an_override():
    """Capacity counts everyone at the door: a 4-seat session does not end with 8 inside."""
    four = replace(OPEN, capacity=4, attended=4)
    err = refused(RuleRefused, rules.admit, facts(four, arrival=INVITEE), by_code())
    assert err.code == "session_full"
    assert err.params == {"session": SID, "capacity": 4, "who": "张三 (138****5678)"}
    assert "张三 (138****5678) comes in only with an organizer's override" in err.message
    admission = rules.admit(
        facts(four, arrival=INVITEE), by_code(override_code="o1", override_pin="9999")
    )
    assert admission.needs_override and not admission.walk_in
    with pytest.raises(ValueError):
        events_of(admission)  # never seated without a checked override
    [event] = events_of(admission, override=rules.override_by("o1", "organizer"))
    assert (event.invitation_id, event.walk_in, event.override_by) == ("INV-1", False, "o1")


def test_a_walk_in_takes_a_free_seat():
    admission = rules.admit(facts(replace(OPEN, attended=1), arrival=WALK_IN), by_id())
    [event] = events_of(admission)
    assert (event.walk_in, event.method, event.override_by) == (True, "search", None)


def test_a_walk_in_beyond_capacity_needs_an_override():
    err = refused(RuleRefused, rules.admit, facts(FULL, arrival=WALK_IN), by_id())
    assert err.code == "session_full"
    assert err.params == {"session": SID, "capacity": 2, "who": "李四 (C002)"}
    err = refused(BadInput, rules.admit, facts(FULL, arrival=WALK_IN), by_id(override_code="o1"))
    assert err.code == "checkin_override_needs_pin" and err.params == {"staff": "o1"}
    admission = rules.admit(
        facts(FULL, arrival=WALK_IN), by_id(override_code="o1", override_pin="9999")
    )
    assert admission.needs_override
    with pytest.raises(ValueError):
        events_of(admission)  # never seated without a checked override


def test_only_an_organizer_or_admin_overrides_and_is_recorded():
    err = refused(RuleRefused, rules.override_by, "m1", "marketer")
    assert err.code == "checkin_override_not_organizer"
    assert err.params == {"staff": "m1", "role": "marketer"}
    assert rules.override_by("a1", "admin") == "a1"
    admission = rules.admit(
        facts(FULL, arrival=WALK_IN), by_id(override_code="o1", override_pin="9999")
    )
    [event] = events_of(admission, override=rules.override_by("o1", "organizer"))
    assert (event.walk_in, event.override_by) == (True, "o1")


# -- referrers --------------------------------------------------------------------------------
def test_the_referrer_must_be_a_client():
    err = refused(NotFound, rules.admit, facts(arrival=INVITEE), by_code(referred_by=" C404 "))
    assert err.code == "checkin_referrer_unknown" and err.params == {"client": "C404"}


def test_nobody_refers_themselves():
    err = refused(
        BadInput,
        rules.admit,
        facts(arrival=INVITEE, referrer_is_client=True),
        by_code(referred_by="C001"),
    )
    assert err.code == "checkin_referrer_self"


def test_the_referrer_is_recorded_and_a_blank_one_ignored():
    ok = facts(arrival=INVITEE, referrer_is_client=True)
    [event] = events_of(rules.admit(ok, by_code(referred_by=" C009 ")))
    assert event.referred_by == "C009"
    [event] = events_of(rules.admit(facts(arrival=INVITEE), by_code(referred_by="  ")))
    assert event.referred_by is None


# -- prospects --------------------------------------------------------------------------------
def test_a_prospect_is_registered_then_checked_in_as_a_walk_in():
    admission = rules.admit(facts(checkins=2), prospect(name=" 王  五 "))
    with pytest.raises(ValueError):
        events_of(admission)  # a prospect needs the new client id
    registered, checked_in = events_of(admission, prospect_id="P0000000001")
    assert registered == ProspectRegistered(
        client_id="P0000000001", name="王 五", mobile="13800138000", branch="B02", session_id=SID
    )
    assert (checked_in.client_id, checked_in.checkin_id) == ("P0000000001", f"{SID}-C003")
    assert (checked_in.walk_in, checked_in.method, checked_in.invitation_id) == (
        True,
        "walk_in",
        None,
    )


def test_a_prospect_needs_a_name_and_a_mobile():
    assert (
        refused(BadInput, rules.admit, facts(), prospect(name=" ")).code == "checkin_prospect_name"
    )
    err = refused(BadInput, rules.admit, facts(), prospect(mobile="2380013800"))
    assert err.code == "checkin_bad_mobile" and err.params == {"mobile": "2380013800"}


def test_a_known_mobile_is_that_clients_check_in():
    known = KnownClient("C007", "赵六")
    err = refused(RuleRefused, rules.admit, facts(known=known), prospect())
    assert err.code == "checkin_known_mobile"
    assert err.params == {"client": "C007", "name": "赵六", "mobile": "138****8000"}
    err = refused(
        RuleRefused,
        rules.admit,
        facts(known=known, earlier=replace(EARLIER, client_id="C007")),
        prospect(),
    )
    assert err.code == "already_checked_in" and err.params["client"] == "C007"


def test_a_prospect_beyond_capacity_needs_an_override_too():
    err = refused(RuleRefused, rules.admit, facts(FULL), prospect())
    assert err.code == "session_full"


# -- annulling --------------------------------------------------------------------------------
def test_annulling_frees_the_seat_once_with_a_reason():
    cmd = AnnulCheckIn(checkin_id=f"{SID}-C001", reason=" 误签 ")
    assert (
        refused(NotFound, rules.decide_annul, AnnulFacts(cmd.checkin_id, None), cmd).code
        == "checkin_not_found"
    )
    live = AnnulFacts(cmd.checkin_id, SID, "C001")
    assert (
        refused(BadInput, rules.decide_annul, live, replace(cmd, reason=" ")).code
        == "reason_required"
    )
    err = refused(RuleRefused, rules.decide_annul, replace(live, annulled=True, reason="重复"), cmd)
    assert err.code == "checkin_already_annulled" and err.params["reason"] == "重复"
    assert rules.decide_annul(live, cmd) == CheckInAnnulled(
        checkin_id=cmd.checkin_id, session_id=SID, client_id="C001", reason="误签"
    )
