"""The registration form's rules, pure: its life, who decides, what a line and a form may be."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tests.helpers import RULES
from upgradecamp.domain import form_content, forms
from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied, RuleRefused, Unsuitable
from upgradecamp.domain.events import EVENT_TYPES
from upgradecamp.domain.points import FormLine
from upgradecamp.domain.rules import load_rule_set

Q4 = load_rule_set(RULES / "2026Q4.toml")
DAY = date(2026, 11, 20)
AT = datetime(2026, 11, 20, 7, 5, tzinfo=UTC)  # 15:05 in Shanghai
SUBMITTED = {
    "form_id": "S-F01",
    "session_id": "S",
    "client_id": "C1",
    "marketer": "mk2",
    "lines": [{"product": "fund", "value": "10000", "source": "new"}],
    "actions": ["mobile_banking"],
    "appointment": None,
    "on_site": True,
    "revision": 0,
    "points": 380,
    "converted_delta": "15000.00",
    "tier_before": "potential",
    "tier_after": "potential",
}


# What an approval carries besides the fields each test sets.
APPROVAL = {
    "session_id": "S",
    "client_id": "C1",
    "converted_delta": "15000.00",
    "tier_before": "potential",
    "tier_after": "potential",
}


def step(
    state: forms.FormState, event_type: str, payload: dict, actor: str, terminal: str = "desk-1"
) -> forms.FormState:
    extra = APPROVAL if event_type == "FormApproved" else {}
    event = EVENT_TYPES[event_type].model_validate({**extra, **payload})
    return forms.evolve(state, event, forms.Recorded(actor, terminal, AT))


def fold(*steps: tuple[str, dict, str]) -> forms.FormState:
    state = forms.FormState(form_id="S-F01")
    for event_type, payload, actor in steps:
        state = step(state, event_type, payload, actor)
    return state


def submitted() -> forms.FormState:
    return fold(("FormSubmitted", SUBMITTED, "mk2"))


def test_the_stream_folds_into_the_form_as_it_stands():
    state = submitted()
    assert (state.version, state.status, state.marketer, state.points) == (
        1,
        "submitted",
        "mk2",
        380,
    )
    assert state.lines == (FormLine("fund", Decimal("10000"), "new"),)
    assert state.earns_points and state.submitted_at == AT
    returned = step(state, "FormReturned", {"form_id": "S-F01", "reason": "fix"}, "bh2", "desk-9")
    assert returned.status == "returned" and returned.decision.reason == "fix"
    again = step(returned, "FormSubmitted", {**SUBMITTED, "revision": 1}, "mk2", "t")
    assert (again.status, again.revision, again.decision, again.version) == (
        "submitted",
        1,
        None,
        3,
    )
    approved = step(
        again,
        "FormApproved",
        {"form_id": "S-F01", "credit_key": "form:x", "points": 380},
        "bh2",
        "desk-9",
    )
    assert (approved.status, approved.credit_key, approved.decision.by) == (
        "approved",
        "form:x",
        "bh2",
    )


def test_form_ids_number_the_session_s_forms():
    assert forms.form_id("B02-20261120-1500", 1) == "B02-20261120-1500-F01"
    assert forms.form_id("B02-20261120-1500", 12) == "B02-20261120-1500-F12"


def test_forms_are_taken_while_open_or_later_the_same_day():
    assert forms.submission_on_site("S", "open", DAY, DAY) is True
    assert forms.submission_on_site("S", "closed", DAY, DAY) is False
    with pytest.raises(RuleRefused) as err:
        forms.submission_on_site("S", "closed", DAY, date(2026, 11, 21))
    assert err.value.code == "form_session_over"
    for status in ("planned", "cancelled"):
        with pytest.raises(RuleRefused) as err:
            forms.submission_on_site("S", status, DAY, DAY)
        assert err.value.code == "form_session_not_open"


def test_cli_line_specs_split_with_new_as_the_default_source():
    assert form_content.split_line_spec("fund:10000") == ("fund", "10000", "new")
    assert form_content.split_line_spec("large_cd：50000：existing") == (
        "large_cd",
        "50000",
        "existing",
    )
    with pytest.raises(BadInput) as err:
        form_content.split_line_spec("fund")
    assert err.value.code == "form_bad_line"


def test_lines_are_checked_and_a_bad_one_is_named_by_its_number():
    lines = form_content.parse_lines(Q4, [("Fund", "10,000", ""), ("credit_card", "2", "new")])
    assert lines == [
        FormLine("fund", Decimal("10000"), "new"),
        FormLine("credit_card", Decimal("2"), "new"),
    ]
    cases = [
        (("fund", "ten", "new"), "not_a_number"),
        (("bitcoin", "5", "new"), "unknown_product"),
        (("fund", "-1", "new"), "not_positive"),
        (("credit_card", "1.5", "new"), "whole_units"),
        (("fund", "100", "cash"), "unknown_source"),
    ]
    for bad, code in cases:
        with pytest.raises(BadInput, match="^line 2") as err:
            form_content.parse_lines(Q4, [("fund", "100", "new"), bad])
        assert (err.value.code, err.value.params["line"]) == (code, 2)


def test_actions_are_known_and_listed_once():
    assert form_content.check_actions(Q4, ["mobile_banking", "WeChat_Bind"]) == [
        "mobile_banking",
        "wechat_bind",
    ]
    with pytest.raises(BadInput) as err:
        form_content.check_actions(Q4, ["mobile_banking", "mobile_banking"])
    assert err.value.code == "form_action_twice"
    with pytest.raises(BadInput) as err:
        form_content.check_actions(Q4, ["free_lunch"])
    assert err.value.code == "form_unknown_action"


def test_an_appointment_is_a_later_day_and_a_form_is_never_empty():
    assert form_content.parse_appointment(" 2026-11-27 ", DAY) == date(2026, 11, 27)
    assert form_content.parse_appointment(None, DAY) is None
    with pytest.raises(BadInput) as err:
        form_content.parse_appointment("27/11", DAY)
    assert err.value.code == "form_bad_appointment"
    with pytest.raises(BadInput) as err:
        form_content.parse_appointment("2026-11-20", DAY)
    assert err.value.code == "form_appointment_too_early"
    with pytest.raises(BadInput) as err:
        form_content.check_has_content([], [], None)
    assert err.value.code == "form_empty"
    form_content.check_has_content([], [], date(2026, 11, 27))


def test_suitability_names_every_unsuitable_line():
    lines = [
        FormLine("time_deposit", Decimal(5000)),
        FormLine("fund", Decimal(1000)),
        FormLine("gold", Decimal(1000)),
    ]
    form_content.check_suitable(Q4, lines, "C3", date(2027, 1, 1), DAY)
    form_content.check_suitable(Q4, lines[:1], None, None, DAY)  # deposits need no assessment
    with pytest.raises(Unsuitable, match="line 2 fund .*line 3 gold") as err:
        form_content.check_suitable(Q4, lines, "C2", date(2027, 1, 1), DAY)
    assert err.value.code == "form_unsuitable_grade"
    assert err.value.params == {
        "line": 2,
        "product": "fund",
        "product_name": "基金",
        "product_name_en": "Fund",
        "risk": "R3",
        "grade": "C2",
        "count": 2,
    }
    with pytest.raises(Unsuitable) as err:
        form_content.check_suitable(Q4, lines, "C5", date(2026, 11, 19), DAY)
    assert err.value.code == "form_unsuitable_expired"
    assert err.value.params["expired"] == "2026-11-19"
    with pytest.raises(Unsuitable) as err:
        form_content.check_suitable(Q4, lines, None, None, DAY)
    assert err.value.code == "form_unsuitable_no_assessment"


def test_resubmission_is_for_the_returned_form_s_own_marketer():
    returned = fold(
        ("FormSubmitted", SUBMITTED, "mk2"),
        ("FormReturned", {"form_id": "S-F01", "reason": "amount"}, "bh2"),
    )
    forms.check_resubmit(returned, "mk2", "S", "C1")
    with pytest.raises(PermissionDenied) as err:
        forms.check_resubmit(returned, "mk3", "S", "C1")
    assert err.value.code == "form_not_yours"
    with pytest.raises(BadInput) as err:
        forms.check_resubmit(returned, "mk2", "S", "C2")
    assert err.value.code == "form_resubmit_mismatch"
    with pytest.raises(RuleRefused) as err:
        forms.check_resubmit(submitted(), "mk2", "S", "C1")
    assert err.value.code == "form_not_returned"
    with pytest.raises(NotFound):
        forms.check_resubmit(forms.FormState(form_id="S-F09"), "mk2", "S", "C1")


def test_branch_heads_of_the_session_s_branch_or_the_core_branch_decide():
    forms.check_decider("bh2", "branch_head", "B02", "B02", ["B01"], "F")
    forms.check_decider("bh1", "branch_head", "B01", "B02", ["B01"], "F")
    forms.check_decider("admin1", "admin", "B03", "B02", ["B01"], "F")
    with pytest.raises(PermissionDenied, match="B02 or B01") as err:
        forms.check_decider("bh3", "branch_head", "B03", "B02", ["B01"], "F")
    assert err.value.code == "form_wrong_branch"
    assert err.value.params["staff_branch"] == "B03"
    with pytest.raises(PermissionDenied):
        forms.check_decider("mk2", "marketer", "B02", "B02", ["B01"], "F")


def test_a_form_is_decided_once_and_the_refusal_says_who_where_when():
    forms.check_undecided(submitted())
    rejected = fold(
        ("FormSubmitted", SUBMITTED, "mk2"),
        ("FormRejected", {"form_id": "S-F01", "reason": "no"}, "bh2"),
    )
    with pytest.raises(
        RuleRefused, match="already rejected by bh2 at terminal desk-1 at 2026-11-20 15:05"
    ) as err:
        forms.check_undecided(rejected)
    assert err.value.code == "form_already_decided"
    assert err.value.params == {
        "form": "S-F01",
        "decision": "rejected",
        "by": "bh2",
        "terminal": "desk-1",
        "at": "2026-11-20 15:05",
    }
    cancelled = fold(
        ("FormSubmitted", SUBMITTED, "mk2"),
        ("FormCancelled", {"form_id": "S-F01", "reason": "left"}, "mk2"),
    )
    with pytest.raises(RuleRefused) as err:
        forms.check_undecided(cancelled)
    assert err.value.code == "form_already_cancelled"


def test_who_may_cancel_depends_on_the_status():
    assert forms.check_cancel(submitted(), "mk2", "marketer") is False
    with pytest.raises(PermissionDenied) as err:
        forms.check_cancel(submitted(), "bh2", "branch_head")
    assert err.value.code == "form_cancel_not_marketer"
    approved = fold(
        ("FormSubmitted", SUBMITTED, "mk2"),
        ("FormApproved", {"form_id": "S-F01", "credit_key": "k", "points": 1}, "bh2"),
    )
    assert forms.check_cancel(approved, "bh2", "branch_head") is True
    rejected = fold(
        ("FormSubmitted", SUBMITTED, "mk2"),
        ("FormRejected", {"form_id": "S-F01", "reason": "no"}, "bh2"),
    )
    with pytest.raises(RuleRefused):
        forms.check_cancel(rejected, "mk2", "marketer")


def test_the_photo_is_for_approved_forms_once():
    with pytest.raises(RuleRefused) as err:
        forms.check_photo(submitted())
    assert err.value.code == "form_not_approved"
    approved = fold(
        ("FormSubmitted", SUBMITTED, "mk2"),
        ("FormApproved", {"form_id": "S-F01", "credit_key": "k", "points": 1}, "bh2"),
    )
    forms.check_photo(approved)
    photographed = step(approved, "PhotoTaken", {"form_id": "S-F01"}, "bh2", "t")
    with pytest.raises(RuleRefused, match="by bh2 at 2026-11-20 15:05") as err:
        forms.check_photo(photographed)
    assert err.value.code == "form_photo_already"


def test_reasons_are_required():
    assert forms.check_reason("  wrong amount ", "return") == "wrong amount"
    with pytest.raises(BadInput) as err:
        forms.check_reason("  ", "reject")
    assert err.value.code == "form_reason_required"


def test_one_approval_fulfils_the_earliest_unpaid_appointment_within_the_window():
    booked = [
        ("A-F01", date(2026, 11, 10)),
        ("B-F01", date(2026, 11, 1)),
        ("C-F01", date(2026, 11, 18)),
    ]
    assert forms.appointment_to_fulfil(booked, [], DAY, 14) == ("A-F01", date(2026, 11, 10))
    assert forms.appointment_to_fulfil(booked, ["A-F01"], DAY, 14) == ("C-F01", date(2026, 11, 18))
    assert forms.appointment_to_fulfil(booked, ["A-F01", "C-F01"], DAY, 14) is None
    # the window's last day counts: 14 days after the session
    assert forms.appointment_to_fulfil([("D", date(2026, 11, 6))], [], DAY, 14) == (
        "D",
        date(2026, 11, 6),
    )
    assert forms.appointment_to_fulfil([("E", date(2026, 11, 5))], [], DAY, 14) is None
