"""Deciding the registration form commands on plain facts (domain/form_decisions.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tests.helpers import RULES
from upgradecamp.domain import form_decisions as decide
from upgradecamp.domain import forms
from upgradecamp.domain.commands.forms import CancelForm, RejectForm, ReturnForm, SubmitForm
from upgradecamp.domain.errors import NotFound, PermissionDenied, RuleRefused
from upgradecamp.domain.events import EVENT_TYPES, streams
from upgradecamp.domain.form_decisions import (
    ClientFacts,
    Decider,
    FormFacts,
    Pricing,
    SessionFacts,
    SubmitFacts,
)
from upgradecamp.domain.rules import load_rule_set
from upgradecamp.domain.staff import Actor
from upgradecamp.domain.tiers import load_tier_ladder

PRICING = Pricing((load_rule_set(RULES / "2026Q4.toml"),), load_tier_ladder(RULES / "tiers.toml"))
SID = "B02-20261120-1500"
NOW = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)  # 15:30 in Shanghai
AT = datetime(2026, 11, 20, 7, 5, tzinfo=UTC)
SESSION = SessionFacts(SID, "open", "B02", datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
CLIENT = ClientFacts("C1", Decimal("250000.00"), "C5", date(2027, 6, 30))
MARKETER = Actor("mk2", "marketer", "B02")
HEAD = Actor("bh2", "branch_head", "B02")
PAYLOAD = {
    "form_id": f"{SID}-F01",
    "session_id": SID,
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
    "session_id": SID,
    "client_id": "C1",
    "converted_delta": "15000.00",
    "tier_before": "potential",
    "tier_after": "potential",
}


def step(
    state: forms.FormState, event_type: str, payload: dict, actor: str, terminal: str = "desk-1"
) -> forms.FormState:
    extra = APPROVAL if event_type == "FormApproved" else {}
    event = EVENT_TYPES[event_type].model_validate({"form_id": f"{SID}-F01", **extra, **payload})
    return forms.evolve(state, event, forms.Recorded(actor, terminal, AT))


def fold(*steps: tuple[str, dict, str]) -> forms.FormState:
    state = forms.FormState(form_id=f"{SID}-F01")
    for event_type, payload, actor in steps:
        state = step(state, event_type, payload, actor)
    return state


SUBMITTED = fold(("FormSubmitted", PAYLOAD, "mk2"))
APPROVED = step(SUBMITTED, "FormApproved", {"credit_key": "form:k", "points": 380}, "bh2", "desk-9")
RETURNED = step(SUBMITTED, "FormReturned", {"reason": "fix"}, "bh2", "desk-9")


def facts(state: forms.FormState = SUBMITTED, actor: Actor = HEAD, **kw) -> FormFacts:
    decider = Decider(actor, actor.role, actor.branch, ("B01",))
    return FormFacts(
        **{
            "state": state,
            "session": SESSION,
            "decider": decider,
            "client": CLIENT,
            "pricing": PRICING,
            **kw,
        }
    )


def refused(error: type[Exception], fn, *args, **kw):
    with pytest.raises(error) as caught:
        fn(*args, **kw)
    return caught.value


# -- submitting -------------------------------------------------------------------------------
def submit(
    cmd: SubmitForm | None = None, *, checked_in: bool = True, pending=None, **kw
) -> decide.Submission:
    cmd = cmd or SubmitForm(
        session_id=SID,
        client_id="C1",
        lines=(("fund", "10000", "new"),),
        actions=("mobile_banking",),
    )
    form = facts(kw.pop("state", forms.FormState()), kw.pop("actor", MARKETER), **kw)
    return decide.decide_submit(SubmitFacts(form, checked_in, pending, f"{SID}-F03"), cmd, NOW)


def test_a_new_form_is_priced_on_site_and_takes_the_next_id():
    submission = submit()
    event = submission.event
    assert (event.form_id, event.marketer, event.on_site, event.revision) == (
        f"{SID}-F03",
        "mk2",
        True,
        0,
    )
    assert event.points == submission.calculation.points > 0
    assert submission.rule_set.version == "2026Q4"
    assert event.stream_id() == streams.form(f"{SID}-F03")


def test_a_submission_needs_a_marketer_an_open_session_and_a_checked_in_client():
    assert refused(PermissionDenied, submit, actor=Actor("ck2", "checkin", "B02"))
    assert refused(NotFound, submit, session=None).code == "session_not_found"
    assert (
        refused(RuleRefused, submit, session=replace(SESSION, status="planned")).code
        == "form_session_not_open"
    )
    assert refused(NotFound, submit, client=None).code == "form_client_not_found"
    assert refused(RuleRefused, submit, checked_in=False).code == "form_client_not_checked_in"


def test_refusals_name_the_person_not_an_id():
    named = replace(CLIENT, name="张三", mobile="13800135678")
    err = refused(RuleRefused, submit, client=named, checked_in=False)
    assert err.message.startswith("张三 (138****5678) is not checked in")
    err = refused(RuleRefused, submit, client=named, pending=(f"{SID}-F01", "submitted"))
    assert err.message.startswith("张三 (138****5678) already has form")
    assert err.params["who"] == "张三 (138****5678)"


def test_after_the_close_the_same_day_a_form_is_not_on_site():
    assert submit(session=replace(SESSION, status="closed")).event.on_site is False


def test_one_pending_form_per_client_and_session():
    err = refused(RuleRefused, submit, pending=(f"{SID}-F01", "returned"))
    assert err.code == "form_pending_exists" and "fix it and resubmit" in err.message


def test_only_a_returned_form_is_resubmitted_by_its_marketer():
    cmd = SubmitForm(
        session_id=SID, client_id="C1", lines=(("fund", "20000", "new"),), form_id=f"{SID}-F01"
    )
    event = submit(cmd, state=RETURNED).event
    assert (event.form_id, event.revision) == (f"{SID}-F01", 1)
    assert refused(RuleRefused, submit, cmd, state=SUBMITTED).code == "form_not_returned"
    other = Actor("mk9", "marketer", "B02")
    assert (
        refused(PermissionDenied, submit, cmd, state=RETURNED, actor=other).code == "form_not_yours"
    )


def test_no_ladder_no_price():
    err = refused(RuleRefused, submit, pricing=replace(PRICING, ladder=None))
    assert "no tier ladder" in err.message


# -- deciding ---------------------------------------------------------------------------------
def test_a_submitted_form_is_decided_by_a_head_of_its_branch_or_the_core():
    decide.decidable(facts(), "approve")
    decide.decidable(facts(actor=Actor("bh1", "branch_head", "B01")), "approve")
    err = refused(
        PermissionDenied,
        decide.decidable,
        facts(actor=Actor("bh3", "branch_head", "B03")),
        "approve",
    )
    assert err.code == "form_wrong_branch"
    refused(PermissionDenied, decide.decidable, facts(actor=MARKETER), "approve")
    assert refused(NotFound, decide.decidable, facts(session=None), "x").code == "session_not_found"


def test_a_form_is_decided_once():
    err = refused(
        RuleRefused,
        decide.decide_reject,
        facts(APPROVED),
        RejectForm(form_id=f"{SID}-F01", reason="no"),
    )
    assert err.code == "form_already_decided"
    assert err.params["by"] == "bh2" and err.params["terminal"] == "desk-9"
    err = refused(
        RuleRefused,
        decide.decide_return,
        facts(RETURNED),
        ReturnForm(form_id=f"{SID}-F01", reason="again"),
    )
    assert err.params["decision"] == "returned"
    unknown = forms.FormState(form_id="X")
    assert refused(NotFound, decide.decidable, facts(unknown), "x").code == "form_not_found"


def test_reject_and_return_need_a_reason_first():
    # The reason is checked before anything else, even on an approved form.
    for fn, cmd in (
        (decide.decide_reject, RejectForm(form_id="F", reason=" ")),
        (decide.decide_return, ReturnForm(form_id="F", reason="")),
    ):
        assert refused(Exception, fn, facts(APPROVED), cmd).code == "form_reason_required"
    assert (
        decide.decide_reject(facts(), RejectForm(form_id=f"{SID}-F01", reason=" 资料不全 ")).reason
        == "资料不全"
    )
    assert (
        decide.decide_return(facts(), ReturnForm(form_id=f"{SID}-F01", reason="补签")).reason
        == "补签"
    )


def test_an_approval_records_what_its_credit_gave():
    f = facts()
    approval = decide.price_approval(f)
    assert approval.rule_set.version == "2026Q4"
    credited = decide.decide_approve(f, approval, {"credit_key": "form:k", "points": 456})
    assert (credited.credit_key, credited.points, credited.tier_after) == (
        "form:k",
        456,
        approval.calculation.tier.code,
    )
    assert credited.converted_delta == approval.calculation.converted_delta
    nothing = decide.decide_approve(f, approval, None)
    assert (nothing.credit_key, nothing.points, nothing.converted_delta, nothing.tier_after) == (
        None,
        0,
        Decimal("0.00"),
        approval.tier_before,
    )
    assert (
        refused(NotFound, decide.price_approval, facts(client=None)).code == "form_client_not_found"
    )


def test_the_referrer_of_the_forms_session_is_rewarded_once():
    referrals = [("B01-S", "C7"), (SID, "C8")]
    assert decide.referral_candidate(SUBMITTED, referrals) == "C8"
    assert decide.referral_candidate(SUBMITTED, referrals[:1]) == "C7"
    assert decide.referral_candidate(SUBMITTED, [(SID, "C1")]) is None  # not themselves
    assert decide.referral_candidate(SUBMITTED, []) is None
    assert decide.rewards_referral(True, 0, False)
    assert not decide.rewards_referral(False, 0, False)
    assert not decide.rewards_referral(True, 1, False)
    assert not decide.rewards_referral(True, 0, True)


# -- after the decision -----------------------------------------------------------------------
def test_a_pending_form_is_withdrawn_by_its_marketer_an_approved_one_by_a_head():
    cmd = CancelForm(form_id=f"{SID}-F01", reason="客户改主意")
    withdrawn = decide.decide_cancel(facts(SUBMITTED, MARKETER), cmd)
    assert withdrawn.was_approved is False
    assert (
        refused(PermissionDenied, decide.decide_cancel, facts(SUBMITTED, HEAD), cmd).code
        == "form_cancel_not_marketer"
    )
    assert decide.decide_cancel(facts(APPROVED, HEAD), cmd).was_approved is True
    refused(PermissionDenied, decide.decide_cancel, facts(APPROVED, MARKETER), cmd)
    assert (
        refused(
            PermissionDenied,
            decide.decide_cancel,
            facts(APPROVED, Actor("bh3", "branch_head", "B03")),
            cmd,
        ).code
        == "form_wrong_branch"
    )
    assert (
        refused(Exception, decide.decide_cancel, facts(APPROVED), replace(cmd, reason="")).code
        == "form_reason_required"
    )


def test_the_photo_is_marked_once_for_an_approved_form():
    assert decide.decide_photo(facts(APPROVED, MARKETER)).form_id == f"{SID}-F01"
    assert decide.decide_photo(facts(APPROVED, HEAD)).form_id == f"{SID}-F01"
    refused(PermissionDenied, decide.decide_photo, facts(APPROVED, Actor("ck2", "checkin", "B02")))
    assert (
        refused(RuleRefused, decide.decide_photo, facts(SUBMITTED, MARKETER)).code
        == "form_not_approved"
    )
    taken = step(APPROVED, "PhotoTaken", {}, "mk2", "t")
    assert (
        refused(RuleRefused, decide.decide_photo, facts(taken, MARKETER)).code
        == "form_photo_already"
    )
    assert (
        refused(NotFound, decide.decide_photo, facts(forms.FormState(form_id="X"))).code
        == "form_not_found"
    )
