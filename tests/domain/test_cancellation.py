"""Cancelling tells people: the calls to confirmed invitees and the cancellation SMS."""

from __future__ import annotations

from datetime import UTC, date, datetime

from upgradecamp.domain.cancellation import (
    CancelledSession,
    call_due,
    cancellation_sms,
    plan_cancellation_calls,
)
from upgradecamp.domain.followups import CANCEL_CALL, ClientFacts

SESSION = "B02-20261201-1500"


def facts(**overrides) -> CancelledSession:
    values = dict(
        session_id=SESSION,
        host="org1",
        cancelled_on=date(2026, 11, 20),
        session_day=date(2026, 12, 1),
        confirmed=("C000003", "C000001"),
        clients={
            "C000001": ClientFacts("C000001", rm="mk1"),
            "C000003": ClientFacts("C000003", rm="gone"),
        },
        staff=frozenset({"mk1"}),
        next_session_id="B02-20261203-1500",
    )
    values.update(overrides)
    return CancelledSession(**values)


def test_each_confirmed_invitee_gets_one_call_naming_the_next_session():
    plans = plan_cancellation_calls(facts())
    assert [
        (p.followup_id, p.kind, p.client_id, p.assignee, p.due, p.next_session_id) for p in plans
    ] == [
        (
            f"{SESSION}-CX-C000001",
            CANCEL_CALL,
            "C000001",
            "mk1",
            date(2026, 11, 21),
            "B02-20261203-1500",
        ),
        # a relationship manager who is not on the staff: the host calls
        (
            f"{SESSION}-CX-C000003",
            CANCEL_CALL,
            "C000003",
            "org1",
            date(2026, 11, 21),
            "B02-20261203-1500",
        ),
    ]


def test_no_next_session_and_no_confirmed_invitee():
    assert plan_cancellation_calls(facts(confirmed=())) == []
    [plan] = plan_cancellation_calls(facts(confirmed=("C000001",), next_session_id=None))
    assert plan.next_session_id is None


def test_deciding_twice_gives_the_same_ids():
    assert plan_cancellation_calls(facts()) == plan_cancellation_calls(facts())


def test_the_call_is_due_before_the_session_day_but_not_before_the_cancellation():
    assert call_due(date(2026, 11, 20), date(2026, 12, 1)) == date(2026, 11, 21)
    assert call_due(date(2026, 11, 20), date(2026, 11, 21)) == date(2026, 11, 20)
    assert call_due(date(2026, 11, 20), date(2026, 11, 20)) == date(2026, 11, 20)


def test_the_sms_names_surname_and_title_the_next_session_and_ends_with_the_opt_out():
    text = cancellation_sms(
        name="王小明",
        starts_at=datetime(2026, 12, 1, 7, 0, tzinfo=UTC),
        branch="城东支行幸福路网点",
        venue="贵宾室",
        next_starts_at=datetime(2026, 12, 3, 7, 0, tzinfo=UTC),
    )
    assert text == (
        "尊敬的王先生/女士，原定12月1日（周二） 15:00在城东支行幸福路网点贵宾室举办的"
        "财富升级会因故取消，敬请谅解。下一场将于12月3日（周四） 15:00举行，"
        "您的客户经理将与您联系预约。拒收请回复R"
    )
    assert "小明" not in text


def test_without_a_next_session_the_manager_will_call():
    text = cancellation_sms(
        name="John Smith",
        starts_at=datetime(2026, 12, 1, 7, 0, tzinfo=UTC),
        branch="B02",
        venue="贵宾室",
    )
    assert text.startswith("尊敬的贵宾，") and "Smith" not in text
    assert text.endswith("您的客户经理将与您联系另行安排。拒收请回复R")
