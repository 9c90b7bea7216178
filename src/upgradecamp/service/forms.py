"""Handlers of the registration form commands (see `domain/commands/forms.py`).

The rules live in `domain/forms.py` and the decisions in `domain/form_decisions.py`; these
handlers fold the form's own stream for its state (so two terminals deciding the same form
meet on its stream version), read sessions, check-ins and clients from the read tables, and
credit points through the points handlers in the same unit of work, so an approval and its
points are recorded together or not at all.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from upgradecamp.domain import form_decisions as decide
from upgradecamp.domain import forms as rules
from upgradecamp.domain.clock import local_iso
from upgradecamp.domain.commands import (
    CreditBonus,
    CreditFormPoints,
    VerifyPin,
)
from upgradecamp.domain.commands.forms import (
    ApproveForm,
    CancelForm,
    MarkPhotoTaken,
    RejectForm,
    ReturnForm,
    SubmitForm,
)
from upgradecamp.domain.events import streams
from upgradecamp.domain.form_decisions import ClientFacts, Decider, FormFacts, Pricing
from upgradecamp.domain.points import money
from upgradecamp.domain.rules import business_date, rule_set_for
from upgradecamp.service.handlers import verify_pin
from upgradecamp.service.points import (
    credit_bonus,
    credit_form_points,
    load_account,
    published_ladder,
    published_rule_sets,
    reverse_credit,
)
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.tables import BranchRow, ClientRow, StaffRow
from upgradecamp.store.tables.forms import FormRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow


def load_form(uow: UnitOfWork, form_id: str) -> rules.FormState:
    state = rules.FormState(form_id=form_id)
    for ev in uow.read_stream(streams.form(form_id)):
        state = rules.evolve(
            state,
            ev.event,
            rules.Recorded(
                actor=ev.meta.get("actor", ""),
                terminal=ev.meta.get("terminal", ""),
                at=ev.recorded_at,
            ),
        )
    return state


# -- facts ------------------------------------------------------------------------------------
def _facts(
    uow: UnitOfWork,
    state: rules.FormState,
    session_id: str,
    client_id: str = "",
    *,
    priced: bool = False,
) -> FormFacts:
    session = uow.rows.get(SessionRow, session_id) if session_id else None
    staff = uow.rows.get(StaffRow, uow.actor.code)
    core = tuple(
        code for (code,) in uow.conn.execute(select(BranchRow.code).where(BranchRow.kind == "core"))
    )
    decider = Decider(
        uow.actor,
        staff["role"] if staff else uow.actor.role,
        staff["branch"] if staff else uow.actor.branch,
        core,
    )
    client = uow.rows.get(ClientRow, client_id) if client_id else None
    return FormFacts(
        state=state,
        session=None
        if session is None
        else decide.SessionFacts(
            session_id, session["status"], session["branch"], session["starts_at"]
        ),
        decider=decider,
        client=None
        if client is None
        else ClientFacts(
            client_id,
            Decimal(client["aum_cents"]) / 100,
            client["risk_grade"],
            client["risk_expires"],
            client["name"],
            client["mobile"],
        ),
        pricing=_pricing(uow) if priced else None,
    )


def _pricing(uow: UnitOfWork) -> Pricing:
    return Pricing(tuple(published_rule_sets(uow.conn)), published_ladder(uow.conn))


def _new_form_id(uow: UnitOfWork, session_id: str) -> str:
    """The session's next form number; two desks picking the same one collide on the new
    stream (expected version 0), and the retry picks the next."""
    n = (
        uow.conn.execute(
            select(func.count()).select_from(FormRow).where(FormRow.session_id == session_id)
        ).scalar_one()
        + 1
    )
    while uow.stream_version(streams.form(rules.form_id(session_id, n))):
        n += 1
    return rules.form_id(session_id, n)


def _submit_facts(uow: UnitOfWork, cmd: SubmitForm) -> decide.SubmitFacts:
    state = load_form(uow, cmd.form_id) if cmd.form_id else rules.FormState()
    checked_in = (
        uow.conn.execute(
            select(CheckInRow.checkin_id).where(
                CheckInRow.session_id == cmd.session_id,
                CheckInRow.client_id == cmd.client_id,
                col(CheckInRow.annulled).is_(False),
            )
        ).first()
        is not None
    )
    pending, new_id = None, ""
    if not cmd.form_id:
        found = uow.conn.execute(
            select(FormRow.form_id, FormRow.status).where(
                FormRow.session_id == cmd.session_id,
                FormRow.client_id == cmd.client_id,
                col(FormRow.status).in_(rules.PENDING),
            )
        ).first()
        pending = None if found is None else (found.form_id, found.status)
        new_id = _new_form_id(uow, cmd.session_id) if found is None else ""
    return decide.SubmitFacts(
        _facts(uow, state, cmd.session_id, cmd.client_id, priced=True), checked_in, pending, new_id
    )


# -- submit -----------------------------------------------------------------------------------
def submit_form(uow: UnitOfWork, cmd: SubmitForm) -> dict[str, Any]:
    """Put a form in the branch head's queue (or resubmit a returned one, revision + 1)."""
    now = uow.clock()
    submission = decide.decide_submit(_submit_facts(uow, cmd), cmd, now)
    uow.record(submission.event)
    return {
        **submission.event.payload(),
        "status": rules.SUBMITTED,
        "submitted_at": local_iso(now),
        "rule_set": submission.rule_set.version,
        "calculation": submission.calculation.to_json(),
    }


# -- decide -----------------------------------------------------------------------------------
def _form_facts(uow: UnitOfWork, form_id: str, *, priced: bool = False) -> FormFacts:
    state = load_form(uow, form_id)
    return _facts(uow, state, state.session_id, state.client_id, priced=priced)


def approve_form(uow: UnitOfWork, cmd: ApproveForm) -> dict[str, Any]:
    """The branch head signs with their PIN; points, bonuses and the decision in one go.

    A wrong PIN refuses the approval and still counts as a failed PIN (the same rule as
    signing in, five in a row lock the account).
    """
    facts = _form_facts(uow, cmd.form_id, priced=True)
    decide.decidable(facts, "approve registration forms")
    verify_pin(uow, VerifyPin(code=uow.actor.code, pin=cmd.pin))
    if uow.error_after_commit is not None:  # wrong PIN: only the failure is recorded
        return {"form_id": cmd.form_id, "approved": False}
    state = facts.state
    assert state.submitted_at is not None
    approval = decide.price_approval(facts)
    credit: dict[str, Any] | None = None
    if state.earns_points:
        credit = credit_form_points(
            uow,
            CreditFormPoints(
                client_id=state.client_id,
                reference=cmd.form_id,
                lines=[(x.product, str(x.value), x.source) for x in state.lines],
                actions=list(state.actions),
                on_site=state.on_site,
                submitted_at=state.submitted_at.isoformat(),
            ),
        )
    today = business_date(uow.clock())
    bonuses = []
    if state.earns_points:
        bonus = _appointment_bonus(uow, state, today)
        if bonus:
            bonuses.append(bonus)
    referral = _referral_reward(uow, state, today)
    if referral:
        bonuses.append(referral)
    event = decide.decide_approve(
        facts,
        approval,
        credit,
        [{**b, "credit_key": f"{b['kind']}:{b['reference']}"} for b in bonuses],
    )
    uow.record(event)
    return {
        "form_id": cmd.form_id,
        "approved": True,
        "status": rules.APPROVED,
        "session_id": state.session_id,
        "client_id": state.client_id,
        "credit_key": event.credit_key,
        "points": event.points,
        "rule_set": approval.rule_set.version,
        "converted_delta": money(event.converted_delta) if credit else "0.00",
        "tier_before": event.tier_before,
        "tier_after": event.tier_after,
        "experience": credit["experience"] if credit else None,
        "appointment": state.appointment.isoformat() if state.appointment else None,
        "bonuses": bonuses,
        "decided_at": local_iso(uow.clock()),
    }


def _appointment_bonus(
    uow: UnitOfWork, state: rules.FormState, today: date
) -> dict[str, Any] | None:
    """Pay the appointment bonus when this approval fulfils an appointment booked earlier."""
    booked = uow.conn.execute(
        select(FormRow.form_id, SessionRow.starts_at)
        .join(SessionRow, col(SessionRow.session_id) == FormRow.session_id)
        .where(
            FormRow.client_id == state.client_id,
            FormRow.status == rules.APPROVED,
            col(FormRow.appointment).is_not(None),
            FormRow.form_id != state.form_id,
        )
    ).all()
    if not booked:
        return None
    window = rule_set_for(published_rule_sets(uow.conn), today).appointment_window_days
    account = load_account(uow, state.client_id)
    paid = [
        key.removeprefix("appointment_bonus:")
        for key in account.credits
        if key.startswith("appointment_bonus:")
    ]
    due = rules.appointment_to_fulfil(
        [(r.form_id, business_date(r.starts_at)) for r in booked], paid, today, window
    )
    if due is None:
        return None
    appointment_form, session_day = due
    result = credit_bonus(
        uow,
        CreditBonus(
            client_id=state.client_id,
            kind="appointment_bonus",
            reference=appointment_form,
            on=today.isoformat(),
            session_day=session_day.isoformat(),
        ),
    )
    return {
        "kind": "appointment_bonus",
        "client_id": state.client_id,
        "reference": appointment_form,
        "points": result["points"],
    }


def _referral_reward(uow: UnitOfWork, state: rules.FormState, today: date) -> dict[str, Any] | None:
    """The referrer's reward for this client's first approved form (once per client)."""
    referrals = [
        (r.session_id, r.referred_by)
        for r in uow.conn.execute(
            select(CheckInRow.session_id, CheckInRow.referred_by)
            .where(
                CheckInRow.client_id == state.client_id,
                col(CheckInRow.annulled).is_(False),
                col(CheckInRow.referred_by).is_not(None),
            )
            .order_by(col(CheckInRow.at))
        )
    ]
    referrer = decide.referral_candidate(state, referrals)
    if referrer is None:
        return None
    is_client = uow.rows.get(ClientRow, referrer) is not None
    if not is_client:
        return None
    approved_before = uow.conn.execute(
        select(func.count())
        .select_from(FormRow)
        .where(
            FormRow.client_id == state.client_id,
            FormRow.status == rules.APPROVED,
            FormRow.form_id != state.form_id,
        )
    ).scalar_one()
    rewarded = (
        not approved_before
        and f"referral_approval:{state.client_id}" in load_account(uow, referrer).credits
    )
    if not decide.rewards_referral(is_client, approved_before, rewarded):
        return None
    result = credit_bonus(
        uow,
        CreditBonus(
            client_id=referrer,
            kind="referral_approval",
            reference=state.client_id,
            on=today.isoformat(),
            referred_client=state.client_id,
        ),
    )
    return {
        "kind": "referral_approval",
        "client_id": referrer,
        "reference": state.client_id,
        "points": result["points"],
    }


def reject_form(uow: UnitOfWork, cmd: RejectForm) -> dict[str, Any]:
    facts = _form_facts(uow, cmd.form_id)
    event = decide.decide_reject(facts, cmd)
    uow.record(event)
    return {
        "form_id": cmd.form_id,
        "status": rules.REJECTED,
        "reason": event.reason,
        "marketer": facts.state.marketer,
        "decided_at": local_iso(uow.clock()),
    }


def return_form(uow: UnitOfWork, cmd: ReturnForm) -> dict[str, Any]:
    facts = _form_facts(uow, cmd.form_id)
    event = decide.decide_return(facts, cmd)
    uow.record(event)
    return {
        "form_id": cmd.form_id,
        "status": rules.RETURNED,
        "reason": event.reason,
        "marketer": facts.state.marketer,
        "decided_at": local_iso(uow.clock()),
    }


# -- after the decision -----------------------------------------------------------------------
def cancel_form(uow: UnitOfWork, cmd: CancelForm) -> dict[str, Any]:
    """Its marketer withdraws a pending form; a branch head cancels an approved one, which
    reverses every credit its approval caused: the form's points, the appointment bonus and
    the referrer's reward (the follow-ups it converted reopen by policy, after commit).

    All or nothing: if any of those points were spent on rewards, nothing is cancelled.
    """
    facts = _form_facts(uow, cmd.form_id)
    event = decide.decide_cancel(facts, cmd)
    reversed_points, bonuses = 0, []
    if event.was_approved:
        for client_id, key in decide.reversals(facts.state):
            points = reverse_credit(uow, client_id, key, event.reason, skip_reversed=True)
            if key == facts.state.credit_key and client_id == facts.state.client_id:
                reversed_points = points
            else:
                bonuses.append({"client_id": client_id, "credit_key": key, "points": points})
    uow.record(event)
    return {
        "form_id": cmd.form_id,
        "status": rules.CANCELLED,
        "reason": event.reason,
        "was_approved": event.was_approved,
        "points_reversed": reversed_points,
        "bonuses_reversed": bonuses,
    }


def mark_photo_taken(uow: UnitOfWork, cmd: MarkPhotoTaken) -> dict[str, Any]:
    """The desk marks the photo (合影) of an approved form; once."""
    uow.record(decide.decide_photo(_form_facts(uow, cmd.form_id)))
    return {"form_id": cmd.form_id, "photo_taken": True, "photo_at": local_iso(uow.clock())}


HANDLERS: Handlers = {
    SubmitForm: submit_form,
    ApproveForm: approve_form,
    RejectForm: reject_form,
    ReturnForm: return_form,
    CancelForm: cancel_form,
    MarkPhotoTaken: mark_photo_taken,
}
