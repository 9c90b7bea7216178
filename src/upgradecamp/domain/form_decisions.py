"""Deciding the registration form commands on facts. Pure.

The rules are in `domain/forms.py`; `service/forms.py` gathers a `FormFacts` (the form's
state folded from its stream, the session, the deciding staff member, the client, the rule
sets and tier ladder) and hands it here. Approving and cancelling credit or reverse points
through the points handlers in the same unit of work, so those decisions come in two steps:
`decidable` / `decide_cancel` check every rule first; the handler credits or reverses; then
`decide_approve` prices the approval and names what its credit gave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from upgradecamp.domain import form_content as content
from upgradecamp.domain import forms as rules
from upgradecamp.domain.calculator import Calculation, calculate
from upgradecamp.domain.commands.forms import CancelForm, RejectForm, ReturnForm, SubmitForm
from upgradecamp.domain.errors import NotFound, RuleRefused
from upgradecamp.domain.events.forms import (
    BonusPaid,
    FormApproved,
    FormCancelled,
    FormLineEntry,
    FormRejected,
    FormReturned,
    FormSubmitted,
    PhotoTaken,
)
from upgradecamp.domain.masking import person
from upgradecamp.domain.points import FormLine
from upgradecamp.domain.rules import RuleSet, business_date, rule_set_for
from upgradecamp.domain.staff import Actor
from upgradecamp.domain.tiers import TierLadder, no_ladder


@dataclass(frozen=True)
class SessionFacts:
    session_id: str
    status: str
    branch: str
    starts_at: datetime


@dataclass(frozen=True)
class ClientFacts:
    client_id: str
    aum: Decimal
    risk_grade: str | None
    risk_expires: date | None
    name: str = ""
    mobile: str = ""

    @property
    def person(self) -> str:
        """How refusals name the client: name and masked mobile."""
        return person(self.name, self.mobile, self.client_id)


@dataclass(frozen=True)
class Decider:
    """Who acts, with the role and branch the staff table gives them (their sign-in's if the
    table has no row), and the cluster's core branches, whose heads decide any form."""

    actor: Actor
    role: str
    branch: str | None
    core_branches: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pricing:
    """The published rule sets and tier ladder (None: none published)."""

    rule_sets: tuple[RuleSet, ...]
    ladder: TierLadder | None


@dataclass(frozen=True)
class FormFacts:
    """`session` and `client` are None when the read tables have no such row."""

    state: rules.FormState
    session: SessionFacts | None
    decider: Decider
    client: ClientFacts | None = None
    pricing: Pricing | None = None


def price(
    pricing: Pricing,
    client: ClientFacts,
    rule_set: RuleSet,
    lines: Sequence[FormLine],
    actions: Sequence[str],
    on_site: bool,
) -> tuple[Calculation, str]:
    """The form priced for the client's AUM now, and the client's tier before it."""
    if pricing.ladder is None:
        raise no_ladder()
    ladder = pricing.ladder
    calc = calculate(rule_set, ladder, client.aum, list(lines), list(actions), on_site)
    return calc, ladder.tier_for(client.aum).code


def session_of(facts: FormFacts, session_id: str) -> SessionFacts:
    if facts.session is None:
        raise NotFound(
            f"no session '{session_id}'; pick one from `upgradecamp sessions list`",
            "session_not_found",
            session=session_id,
        )
    return facts.session


def client_of(facts: FormFacts, client_id: str) -> ClientFacts:
    if facts.client is None:
        raise NotFound(
            f"no client has the id '{client_id}'; check the client number (客户号)",
            "form_client_not_found",
            client=client_id,
        )
    return facts.client


def check_decider(facts: FormFacts) -> None:
    """A branch head of the session's branch, or of a core branch, decides; admins too."""
    d, state = facts.decider, facts.state
    session = session_of(facts, state.session_id)
    rules.check_decider(
        d.actor.code, d.role, d.branch, session.branch, d.core_branches, state.form_id
    )


# -- submitting -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SubmitFacts:
    """A submission's facts: `form` is the returned form resubmitted (cmd.form_id) or, for a
    new form, the id it would take; `pending` the client's form still on its way at this
    session (id, status), if any; `checked_in` whether the client attends the session."""

    form: FormFacts
    checked_in: bool
    pending: tuple[str, str] | None = None
    new_form_id: str = ""


@dataclass(frozen=True)
class Submission:
    event: FormSubmitted
    calculation: Calculation
    rule_set: RuleSet


def decide_submit(facts: SubmitFacts, cmd: SubmitForm, now: datetime) -> Submission:
    """Accepted while the session is open (on site, ×1.2) or after it closed on the same
    business day (not on site). The client must be checked in; every line is checked against
    the rule set in force today, and for suitability, before anything is recorded."""
    f, actor = facts.form, facts.form.decider.actor
    actor.require("forms.submit", "submit registration forms")
    session = session_of(f, cmd.session_id)
    today = business_date(now)
    session_day = business_date(session.starts_at)
    on_site = rules.submission_on_site(cmd.session_id, session.status, session_day, today)
    client = client_of(f, cmd.client_id)
    if not facts.checked_in:
        raise RuleRefused(
            f"{client.person} is not checked in at session {cmd.session_id}; forms are "
            "filled with clients who attend: check them in first",
            "form_client_not_checked_in",
            client=cmd.client_id,
            who=client.person,
            session=cmd.session_id,
        )
    assert f.pricing is not None
    rule_set = rule_set_for(f.pricing.rule_sets, today)
    lines = content.parse_lines(rule_set, cmd.lines)
    actions = content.check_actions(rule_set, cmd.actions)
    appointment = content.parse_appointment(cmd.appointment, session_day)
    content.check_has_content(lines, actions, appointment)
    content.check_suitable(rule_set, lines, client.risk_grade, client.risk_expires, today)
    calc, tier_before = price(f.pricing, client, rule_set, lines, actions, on_site)
    if cmd.form_id:
        rules.check_resubmit(f.state, actor.code, cmd.session_id, cmd.client_id)
        form_id, revision = cmd.form_id, f.state.revision + 1
    else:
        if facts.pending is not None:
            raise rules.pending_exists(
                facts.pending[0], cmd.client_id, facts.pending[1], client.person
            )
        form_id, revision = facts.new_form_id, 0
    event = FormSubmitted(
        form_id=form_id,
        session_id=cmd.session_id,
        client_id=cmd.client_id,
        marketer=actor.code,
        lines=[FormLineEntry(product=x.product, value=x.value, source=x.source) for x in lines],
        actions=actions,
        appointment=appointment,
        on_site=on_site,
        revision=revision,
        points=calc.points,
        converted_delta=calc.converted_delta,
        tier_before=tier_before,
        tier_after=calc.tier.code,
    )
    return Submission(event, calc, rule_set)


# -- deciding ---------------------------------------------------------------------------------
def decidable(facts: FormFacts, doing: str) -> None:
    """Approve, reject and return: a submitted form (decided once), by a head who may."""
    facts.decider.actor.require("forms.decide", doing)
    rules.check_undecided(facts.state)
    check_decider(facts)


def decide_reject(facts: FormFacts, cmd: RejectForm) -> FormRejected:
    reason = rules.check_reason(cmd.reason, "reject")
    decidable(facts, "reject registration forms")
    return FormRejected(form_id=cmd.form_id, reason=reason)


def decide_return(facts: FormFacts, cmd: ReturnForm) -> FormReturned:
    reason = rules.check_reason(cmd.reason, "return")
    decidable(facts, "return registration forms")
    return FormReturned(form_id=cmd.form_id, reason=reason)


@dataclass(frozen=True)
class Approval:
    """The approval priced under the rule set of its submission day."""

    calculation: Calculation
    tier_before: str
    rule_set: RuleSet


def price_approval(facts: FormFacts) -> Approval:
    state = facts.state
    assert state.submitted_at is not None and facts.pricing is not None
    client = client_of(facts, state.client_id)
    rule_set = rule_set_for(facts.pricing.rule_sets, business_date(state.submitted_at))
    calc, tier_before = price(
        facts.pricing, client, rule_set, state.lines, state.actions, state.on_site
    )
    return Approval(calc, tier_before, rule_set)


def decide_approve(
    facts: FormFacts,
    approval: Approval,
    credit: dict[str, Any] | None,
    bonuses: Sequence[dict[str, Any]] = (),
) -> FormApproved:
    """The decision, with what its credit (None: nothing to credit) and the bonuses it paid
    (`client_id`, `credit_key`, `points` each) gave."""
    state, calc = facts.state, approval.calculation
    return FormApproved(
        form_id=state.form_id,
        session_id=state.session_id,
        client_id=state.client_id,
        credit_key=credit["credit_key"] if credit else None,
        points=credit["points"] if credit else 0,
        converted_delta=calc.converted_delta if credit else Decimal("0.00"),
        tier_before=approval.tier_before,
        tier_after=calc.tier.code if credit else approval.tier_before,
        bonuses=[
            BonusPaid(client_id=b["client_id"], credit_key=b["credit_key"], points=b["points"])
            for b in bonuses
        ],
    )


def referral_candidate(form: rules.FormState, referrals: Sequence[tuple[str, str]]) -> str | None:
    """Who referred the client of this form, if anyone but themselves.

    `referrals` are (session id, referrer) of the client's live check-ins with a referrer,
    oldest first: the one at the form's session counts, else the first.
    """
    if not referrals:
        return None
    here = [referrer for session_id, referrer in referrals if session_id == form.session_id]
    referrer = here[0] if here else referrals[0][1]
    return None if referrer == form.client_id else referrer


def rewards_referral(
    referrer_is_client: bool, approved_before: int, already_rewarded: bool
) -> bool:
    """The referrer earns once per client, for the client's first approved form."""
    return referrer_is_client and not approved_before and not already_rewarded


# -- after the decision -----------------------------------------------------------------------
def decide_cancel(facts: FormFacts, cmd: CancelForm) -> FormCancelled:
    """Its marketer withdraws a pending form; a branch head cancels an approved one (whose
    points the handler then reverses)."""
    reason = rules.check_reason(cmd.reason, "cancel")
    actor = facts.decider.actor
    was_approved = rules.check_cancel(facts.state, actor.code, actor.role)
    if was_approved:
        actor.require("forms.decide", "cancel an approved form")
        check_decider(facts)
    return FormCancelled(form_id=cmd.form_id, reason=reason, was_approved=was_approved)


def reversals(state: rules.FormState) -> list[tuple[str, str]]:
    """(client id, credit key) of every credit an approved form's approval caused: its own
    points first, then the bonuses it paid. A cancellation takes back exactly these."""
    own = [(state.client_id, state.credit_key)] if state.credit_key else []
    return own + list(state.bonuses)


def decide_photo(facts: FormFacts) -> PhotoTaken:
    """The photo (合影) of an approved form, marked once by its marketer or a head who may."""
    state, actor = facts.state, facts.decider.actor
    if not state.exists:
        raise rules.not_found(state.form_id)
    if actor.code != state.marketer:
        actor.require("forms.decide", "mark a form's photo as taken")
        check_decider(facts)
    rules.check_photo(state)
    return PhotoTaken(form_id=state.form_id)
