"""Handlers of the registration form commands (see `domain/commands/forms.py`).

The rules live in `domain/forms.py`; these handlers fold the form's stream `form-{id}` for its
state (so two terminals deciding the same form meet on its stream version), read sessions,
check-ins and clients from the read tables, and credit points through the points handlers in
the same unit of work, so an approval and its points are recorded together or not at all.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from upgradecamp.domain import forms as rules
from upgradecamp.domain.calculator import Calculation, calculate
from upgradecamp.domain.commands import (
    CreditBonus,
    CreditFormPoints,
    ReverseFormPoints,
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
from upgradecamp.domain.errors import NotFound, RuleRefused
from upgradecamp.domain.events.forms import (
    FormApproved,
    FormCancelled,
    FormLineEntry,
    FormRejected,
    FormReturned,
    FormSubmitted,
    PhotoTaken,
)
from upgradecamp.domain.points import FormLine, money
from upgradecamp.domain.rules import RuleSet, business_date, rule_set_for, shanghai
from upgradecamp.service.handlers import verify_pin
from upgradecamp.service.points import (
    credit_bonus,
    credit_form_points,
    load_account,
    published_rule_sets,
    reverse_form_points,
    tier_ladder,
)
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.tables import BranchRow, ClientRow, StaffRow
from upgradecamp.store.tables.forms import FormRow
from upgradecamp.store.tables.sessions import CheckInRow, SessionRow


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _stream(form_id: str) -> str:
    return f"form-{form_id}"


def load_form(uow: UnitOfWork, form_id: str) -> rules.FormState:
    state = rules.FormState(form_id=form_id)
    for ev in uow.log.read_stream(uow.conn, _stream(form_id)):
        state = rules.evolve(state, ev.type, ev.payload, actor=ev.meta.get("actor", ""),
                             terminal=ev.meta.get("terminal", ""), at=ev.recorded_at)
    return state


def _session(uow: UnitOfWork, session_id: str) -> dict[str, Any]:
    row = uow.rows.get(SessionRow, session_id)
    if row is None:
        raise NotFound(f"no session '{session_id}'; pick one from `upgradecamp sessions list`",
                       "session_not_found", session=session_id)
    return row


def _client(uow: UnitOfWork, client_id: str) -> dict[str, Any]:
    row = uow.rows.get(ClientRow, client_id)
    if row is None:
        raise NotFound(f"no client has the id '{client_id}'; check the client number (客户号)",
                       "form_client_not_found", client=client_id)
    return row


def _checked_in(uow: UnitOfWork, session_id: str, client_id: str) -> Any:
    row = uow.conn.execute(
        select(CheckInRow.checkin_id, CheckInRow.referred_by)
        .where(CheckInRow.session_id == session_id, CheckInRow.client_id == client_id,
               CheckInRow.annulled.is_(False))).first()
    if row is None:
        raise RuleRefused(
            f"client {client_id} is not checked in at session {session_id}; forms are filled "
            "with clients who attend: check them in first", "form_client_not_checked_in",
            client=client_id, session=session_id)
    return row


def _price(uow: UnitOfWork, client: dict[str, Any], rule_set: RuleSet,
           lines: list[FormLine], actions: list[str], on_site: bool) -> tuple[Calculation, str]:
    """The form priced for the client's AUM now, and the client's tier before it."""
    aum = Decimal(client["aum_cents"]) / 100
    ladder = tier_ladder(uow.conn)
    return calculate(rule_set, ladder, aum, lines, actions, on_site), ladder.tier_for(aum).code


def _local(at: datetime) -> str:
    return _aware(at).astimezone(shanghai()).isoformat()


def _decider_check(uow: UnitOfWork, session: dict[str, Any], form_id: str) -> None:
    staff = uow.rows.get(StaffRow, uow.actor.code)
    branch = staff["branch"] if staff else uow.actor.branch
    role = staff["role"] if staff else uow.actor.role
    core = [code for (code,) in uow.conn.execute(
        select(BranchRow.code).where(BranchRow.kind == "core"))]
    rules.check_decider(uow.actor.code, role, branch, session["branch"], core, form_id)


def _new_form_id(uow: UnitOfWork, session_id: str) -> str:
    """The session's next form number; two desks picking the same one collide on the new
    stream (expected version 0), and the retry picks the next."""
    n = uow.conn.execute(select(func.count()).select_from(FormRow)
                         .where(FormRow.session_id == session_id)).scalar_one() + 1
    while uow.stream_version(_stream(rules.form_id(session_id, n))):
        n += 1
    return rules.form_id(session_id, n)


# -- submit -----------------------------------------------------------------------------------
def submit_form(uow: UnitOfWork, cmd: SubmitForm) -> dict[str, Any]:
    """Put a form in the branch head's queue (or resubmit a returned one, revision + 1).

    Accepted while the session is open (on site, ×1.2) or after it closed on the same business
    day (not on site). The client must be checked in; every line is checked against the rule
    set in force today, and for suitability, before anything is recorded.
    """
    uow.actor.require("forms.submit", "submit registration forms")
    session = _session(uow, cmd.session_id)
    now = uow.clock()
    today = business_date(now)
    session_day = business_date(_aware(session["starts_at"]))
    on_site = rules.submission_on_site(cmd.session_id, session["status"], session_day, today)
    client = _client(uow, cmd.client_id)
    _checked_in(uow, cmd.session_id, cmd.client_id)
    rule_set = rule_set_for(published_rule_sets(uow.conn), today)
    lines = rules.parse_lines(rule_set, cmd.lines)
    actions = rules.check_actions(rule_set, cmd.actions)
    appointment = rules.parse_appointment(cmd.appointment, session_day)
    rules.check_has_content(lines, actions, appointment)
    rules.check_suitable(rule_set, lines, client["risk_grade"], client["risk_expires"], today)
    calc, tier_before = _price(uow, client, rule_set, lines, actions, on_site)
    if cmd.form_id:
        state = load_form(uow, cmd.form_id)
        rules.check_resubmit(state, uow.actor.code, cmd.session_id, cmd.client_id)
        form_id, expected, revision = cmd.form_id, state.version, state.revision + 1
    else:
        pending = uow.conn.execute(
            select(FormRow.form_id, FormRow.status)
            .where(FormRow.session_id == cmd.session_id, FormRow.client_id == cmd.client_id,
                   FormRow.status.in_(rules.PENDING))).first()
        if pending is not None:
            raise rules.pending_exists(pending.form_id, cmd.client_id, pending.status)
        form_id, expected, revision = _new_form_id(uow, cmd.session_id), 0, 0
    event = FormSubmitted(
        form_id=form_id, session_id=cmd.session_id, client_id=cmd.client_id,
        marketer=uow.actor.code,
        lines=[FormLineEntry(product=x.product, value=x.value, source=x.source) for x in lines],
        actions=actions, appointment=appointment, on_site=on_site, revision=revision,
        points=calc.points, converted_delta=calc.converted_delta,
        tier_before=tier_before, tier_after=calc.tier.code)
    uow.record(expected, event)
    return {**event.payload(), "status": rules.SUBMITTED, "submitted_at": _local(now),
            "rule_set": rule_set.version, "calculation": calc.to_json()}


# -- decide -----------------------------------------------------------------------------------
def _decidable(uow: UnitOfWork, form_id: str, doing: str
               ) -> tuple[rules.FormState, dict[str, Any]]:
    uow.actor.require("forms.decide", doing)
    state = load_form(uow, form_id)
    rules.check_undecided(state)
    session = _session(uow, state.session_id)
    _decider_check(uow, session, form_id)
    return state, session


def approve_form(uow: UnitOfWork, cmd: ApproveForm) -> dict[str, Any]:
    """The branch head signs with their PIN; points, bonuses and the decision in one go.

    A wrong PIN refuses the approval and still counts as a failed PIN (the same rule as
    signing in, five in a row lock the account).
    """
    state, session = _decidable(uow, cmd.form_id, "approve registration forms")
    verify_pin(uow, VerifyPin(code=uow.actor.code, pin=cmd.pin))
    if uow.error_after_commit is not None:  # wrong PIN: only the failure is recorded
        return {"form_id": cmd.form_id, "approved": False}
    assert state.submitted_at is not None
    client = _client(uow, state.client_id)
    submitted_on = business_date(state.submitted_at)
    rule_set = rule_set_for(published_rule_sets(uow.conn), submitted_on)
    calc, tier_before = _price(uow, client, rule_set, list(state.lines), list(state.actions),
                               state.on_site)
    credit: dict[str, Any] | None = None
    if state.earns_points:
        credit = credit_form_points(uow, CreditFormPoints(
            client_id=state.client_id, reference=cmd.form_id,
            lines=[(x.product, str(x.value), x.source) for x in state.lines],
            actions=list(state.actions), on_site=state.on_site,
            submitted_at=state.submitted_at.isoformat()))
    today = business_date(uow.clock())
    bonuses = []
    if state.earns_points:
        bonus = _appointment_bonus(uow, state, today)
        if bonus:
            bonuses.append(bonus)
    referral = _referral_reward(uow, state, today)
    if referral:
        bonuses.append(referral)
    uow.record(state.version, FormApproved(
        form_id=cmd.form_id, session_id=state.session_id, client_id=state.client_id,
        credit_key=credit["credit_key"] if credit else None,
        points=credit["points"] if credit else 0,
        converted_delta=calc.converted_delta if credit else Decimal("0.00"),
        tier_before=tier_before, tier_after=calc.tier.code if credit else tier_before))
    return {
        "form_id": cmd.form_id, "approved": True, "status": rules.APPROVED,
        "session_id": state.session_id, "client_id": state.client_id,
        "credit_key": credit["credit_key"] if credit else None,
        "points": credit["points"] if credit else 0,
        "rule_set": rule_set.version,
        "converted_delta": money(calc.converted_delta) if credit else "0.00",
        "tier_before": tier_before, "tier_after": calc.tier.code if credit else tier_before,
        "experience": credit["experience"] if credit else None,
        "appointment": state.appointment.isoformat() if state.appointment else None,
        "bonuses": bonuses,
        "decided_at": _local(uow.clock()),
    }


def _appointment_bonus(uow: UnitOfWork, state: rules.FormState,
                       today: date) -> dict[str, Any] | None:
    """Pay the appointment bonus when this approval fulfils an appointment booked earlier."""
    booked = uow.conn.execute(
        select(FormRow.form_id, SessionRow.starts_at)
        .join(SessionRow, SessionRow.session_id == FormRow.session_id)
        .where(FormRow.client_id == state.client_id, FormRow.status == rules.APPROVED,
               FormRow.appointment.is_not(None), FormRow.form_id != state.form_id)).all()
    if not booked:
        return None
    window = rule_set_for(published_rule_sets(uow.conn), today).appointment_window_days
    account = load_account(uow, state.client_id)
    paid = [key.removeprefix("appointment_bonus:") for key in account.credits
            if key.startswith("appointment_bonus:")]
    due = rules.appointment_to_fulfil(
        [(r.form_id, business_date(_aware(r.starts_at))) for r in booked], paid, today, window)
    if due is None:
        return None
    appointment_form, session_day = due
    result = credit_bonus(uow, CreditBonus(
        client_id=state.client_id, kind="appointment_bonus", reference=appointment_form,
        on=today.isoformat(), session_day=session_day.isoformat()))
    return {"kind": "appointment_bonus", "client_id": state.client_id,
            "reference": appointment_form, "points": result["points"]}


def _referral_reward(uow: UnitOfWork, state: rules.FormState,
                     today: date) -> dict[str, Any] | None:
    """The referrer's reward for this client's first approved form (once per client)."""
    rows = uow.conn.execute(
        select(CheckInRow.session_id, CheckInRow.referred_by)
        .where(CheckInRow.client_id == state.client_id, CheckInRow.annulled.is_(False),
               CheckInRow.referred_by.is_not(None))
        .order_by(CheckInRow.at)).all()
    if not rows:
        return None
    here = [r.referred_by for r in rows if r.session_id == state.session_id]
    referrer = here[0] if here else rows[0].referred_by
    if referrer == state.client_id or uow.rows.get(ClientRow, referrer) is None:
        return None
    approved_before = uow.conn.execute(
        select(func.count()).select_from(FormRow)
        .where(FormRow.client_id == state.client_id, FormRow.status == rules.APPROVED,
               FormRow.form_id != state.form_id)).scalar_one()
    key = f"referral_approval:{state.client_id}"
    if approved_before or key in load_account(uow, referrer).credits:
        return None
    result = credit_bonus(uow, CreditBonus(
        client_id=referrer, kind="referral_approval", reference=state.client_id,
        on=today.isoformat(), referred_client=state.client_id))
    return {"kind": "referral_approval", "client_id": referrer,
            "reference": state.client_id, "points": result["points"]}


def reject_form(uow: UnitOfWork, cmd: RejectForm) -> dict[str, Any]:
    reason = rules.check_reason(cmd.reason, "reject")
    state, _ = _decidable(uow, cmd.form_id, "reject registration forms")
    uow.record(state.version, FormRejected(form_id=cmd.form_id, reason=reason))
    return {"form_id": cmd.form_id, "status": rules.REJECTED, "reason": reason,
            "marketer": state.marketer, "decided_at": _local(uow.clock())}


def return_form(uow: UnitOfWork, cmd: ReturnForm) -> dict[str, Any]:
    reason = rules.check_reason(cmd.reason, "return")
    state, _ = _decidable(uow, cmd.form_id, "return registration forms")
    uow.record(state.version, FormReturned(form_id=cmd.form_id, reason=reason))
    return {"form_id": cmd.form_id, "status": rules.RETURNED, "reason": reason,
            "marketer": state.marketer, "decided_at": _local(uow.clock())}


# -- after the decision -----------------------------------------------------------------------
def cancel_form(uow: UnitOfWork, cmd: CancelForm) -> dict[str, Any]:
    """Its marketer withdraws a pending form; a branch head cancels an approved one, which
    reverses exactly the points its approval credited."""
    reason = rules.check_reason(cmd.reason, "cancel")
    state = load_form(uow, cmd.form_id)
    was_approved = rules.check_cancel(state, uow.actor.code, uow.actor.role)
    reversed_points = 0
    if was_approved:
        uow.actor.require("forms.decide", "cancel an approved form")
        _decider_check(uow, _session(uow, state.session_id), cmd.form_id)
        if state.credit_key:
            reversal = reverse_form_points(uow, ReverseFormPoints(
                client_id=state.client_id, reference=cmd.form_id, reason=reason))
            reversed_points = -reversal["points"]
    uow.record(state.version, FormCancelled(form_id=cmd.form_id, reason=reason,
                                            was_approved=was_approved))
    return {"form_id": cmd.form_id, "status": rules.CANCELLED, "reason": reason,
            "was_approved": was_approved, "points_reversed": reversed_points}


def mark_photo_taken(uow: UnitOfWork, cmd: MarkPhotoTaken) -> dict[str, Any]:
    """The desk marks the photo (合影) of an approved form; once."""
    state = load_form(uow, cmd.form_id)
    if not state.exists:
        raise rules.not_found(cmd.form_id)
    if uow.actor.code != state.marketer:
        uow.actor.require("forms.decide", "mark a form's photo as taken")
        _decider_check(uow, _session(uow, state.session_id), cmd.form_id)
    rules.check_photo(state)
    uow.record(state.version, PhotoTaken(form_id=cmd.form_id))
    return {"form_id": cmd.form_id, "photo_taken": True, "photo_at": _local(uow.clock())}


HANDLERS = {
    SubmitForm: submit_form,
    ApproveForm: approve_form,
    RejectForm: reject_form,
    ReturnForm: return_form,
    CancelForm: cancel_form,
    MarkPhotoTaken: mark_photo_taken,
}
