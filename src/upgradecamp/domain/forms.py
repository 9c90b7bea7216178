"""Registration forms (升级确认单): their life, who may do what to them, and their contents.

    submitted ──approve──▶ approved ──cancel (branch head; points reversed)──▶ cancelled
        │  ╲──reject───▶ rejected
        │   ╲─return───▶ returned ──resubmit (its marketer, revision + 1)──▶ submitted …
        └──cancel (its marketer)──▶ cancelled ◀──cancel (its marketer)── returned

A form is decided once: approve, reject and return need a `submitted` form, so a second
decision from another terminal is refused and told who decided, where and when. Pure: the
handlers in `service/forms.py` read the state and the read tables and record the events.
What a form holds (its lines, actions, appointment and their suitability) is checked in
`form_content.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import singledispatch

from upgradecamp.domain.clock import local_minute
from upgradecamp.domain.errors import (
    BadInput,
    NotFound,
    PermissionDenied,
    RuleRefused,
)
from upgradecamp.domain.events import (
    DomainEvent,
    FormApproved,
    FormCancelled,
    FormRejected,
    FormReturned,
    FormSubmitted,
    PhotoTaken,
)
from upgradecamp.domain.points import FormLine

SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
REJECTED = "rejected"
CANCELLED = "cancelled"
STATUSES = (SUBMITTED, RETURNED, APPROVED, REJECTED, CANCELLED)
# A form still on its way: the branch head's queue or back with its marketer.
PENDING = (SUBMITTED, RETURNED)


@dataclass(frozen=True)
class Decision:
    """The last change of a form's status after submission: what, by whom, where, when."""

    status: str
    by: str
    terminal: str
    at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class FormState:
    """A form as rebuilt from its stream `form-{form_id}`; `version` 0 means no such form."""

    form_id: str = ""
    version: int = 0
    session_id: str = ""
    client_id: str = ""
    marketer: str = ""
    status: str = ""
    lines: tuple[FormLine, ...] = ()
    actions: tuple[str, ...] = ()
    appointment: date | None = None
    on_site: bool = False
    revision: int = 0
    points: int = 0
    submitted_at: datetime | None = None
    decision: Decision | None = None
    credit_key: str | None = None
    # (client id, credit key) of the bonuses the approval paid, for an exact cancellation
    bonuses: tuple[tuple[str, str], ...] = ()
    photo: Decision | None = None

    @property
    def exists(self) -> bool:
        return self.version > 0

    @property
    def earns_points(self) -> bool:
        """An appointment-only form books the appointment and credits nothing."""
        return bool(self.lines or self.actions)


@dataclass(frozen=True)
class Recorded:
    """Who recorded an event of the form's stream, where and when (from the log's meta)."""

    actor: str
    terminal: str
    at: datetime


def evolve(state: FormState, event: DomainEvent, recorded: Recorded) -> FormState:
    """Fold one stored event of the form's stream."""
    return _apply(event, replace(state, version=state.version + 1), recorded)


@singledispatch
def _apply(event: DomainEvent, state: FormState, recorded: Recorded) -> FormState:
    return state


@_apply.register
def _submitted(event: FormSubmitted, state: FormState, recorded: Recorded) -> FormState:
    return replace(
        state,
        form_id=event.form_id,
        session_id=event.session_id,
        client_id=event.client_id,
        marketer=event.marketer,
        status=SUBMITTED,
        lines=tuple(FormLine(x.product, x.value, x.source) for x in event.lines),
        actions=tuple(event.actions),
        appointment=event.appointment,
        on_site=event.on_site,
        revision=event.revision,
        points=event.points,
        submitted_at=recorded.at,
        decision=None,
    )


def _decided(state: FormState, status: str, recorded: Recorded, reason: str | None) -> FormState:
    return replace(
        state,
        status=status,
        decision=Decision(status, recorded.actor, recorded.terminal, recorded.at, reason),
    )


_WITH_REASON = {FormReturned: RETURNED, FormRejected: REJECTED, FormCancelled: CANCELLED}


@_apply.register
def _with_reason(
    event: FormReturned | FormRejected | FormCancelled, state: FormState, recorded: Recorded
) -> FormState:
    return _decided(state, _WITH_REASON[type(event)], recorded, event.reason)


@_apply.register
def _approved(event: FormApproved, state: FormState, recorded: Recorded) -> FormState:
    return replace(
        _decided(state, APPROVED, recorded, None),
        credit_key=event.credit_key,
        points=event.points,
        bonuses=tuple((b.client_id, b.credit_key) for b in event.bonuses),
    )


@_apply.register
def _photo(event: PhotoTaken, state: FormState, recorded: Recorded) -> FormState:
    return replace(state, photo=Decision("photo", recorded.actor, recorded.terminal, recorded.at))


def form_id(session_id: str, n: int) -> str:
    """The n-th form of a session: `B02-20261120-1500-F01`."""
    return f"{session_id}-F{n:02d}"


local_time = local_minute  # when a decision was taken, as the desk reads it


# -- submitting -------------------------------------------------------------------------------
def submission_on_site(session_id: str, status: str, session_day: date, today: date) -> bool:
    """Whether a form may be submitted for the session now, and whether it counts as on site.

    Open: on site (the ×1.2 multiplier). Closed the same business day: accepted, not on site
    (the client signs at the desk after the session). Otherwise refused.
    """
    if status == "open":
        return True
    if status == "closed" and session_day == today:
        return False
    if status == "closed":
        raise RuleRefused(
            f"session {session_id} was on {session_day.isoformat()} and is closed; forms are "
            "taken during the session or later on its day. Register the client at a coming "
            "session",
            "form_session_over",
            session=session_id,
            date=session_day.isoformat(),
        )
    hint = {
        "planned": "it has not opened yet; forms are taken once check-in has started",
        "cancelled": "it was cancelled",
    }.get(status, "")
    raise RuleRefused(
        f"session {session_id} is {status}, not open for registration forms; {hint}",
        "form_session_not_open",
        session=session_id,
        status=status,
    )


def check_resubmit(state: FormState, marketer: str, session_id: str, client_id: str) -> None:
    """A returned form comes back only from its own marketer, for the same session and client."""
    if not state.exists:
        raise not_found(state.form_id)
    if state.status != RETURNED:
        raise RuleRefused(
            f"form {state.form_id} is {state.status}; only a returned form is "
            "resubmitted. Submit a new form instead",
            "form_not_returned",
            form=state.form_id,
            status=state.status,
        )
    if state.marketer != marketer:
        raise PermissionDenied(
            f"form {state.form_id} belongs to {state.marketer}; only its marketer resubmits it",
            "form_not_yours",
            form=state.form_id,
            marketer=state.marketer,
        )
    if (state.session_id, state.client_id) != (session_id, client_id):
        raise BadInput(
            f"form {state.form_id} is for client {state.client_id} at session "
            f"{state.session_id}; resubmit it for them, or submit a new form",
            "form_resubmit_mismatch",
            form=state.form_id,
            session=state.session_id,
            client=state.client_id,
        )


def pending_exists(form: str, client_id: str, status: str, who: str = "") -> RuleRefused:
    """`who` names the client (name and masked mobile); the id when no name is known."""
    what = (
        "is waiting in the branch head's queue"
        if status == SUBMITTED
        else "was returned; fix it and resubmit it"
    )
    who = who or f"client {client_id}"
    return RuleRefused(
        f"{who} already has form {form} at this session, which {what}; no second form was made",
        "form_pending_exists",
        client=client_id,
        who=who,
        form=form,
    )


def not_found(form: str) -> NotFound:
    return NotFound(
        f"no registration form '{form}'; see `upgradecamp forms list`", "form_not_found", form=form
    )


# -- deciding ---------------------------------------------------------------------------------
def check_decider(
    actor_code: str,
    role: str,
    actor_branch: str | None,
    session_branch: str,
    core_branches: Iterable[str],
    form: str,
) -> None:
    """A branch head of the session's branch, or of the core branch, decides; admins too."""
    if role == "admin":
        return
    core = sorted(core_branches)
    if role == "branch_head" and (actor_branch == session_branch or actor_branch in core):
        return
    heads = " or ".join([session_branch, *[c for c in core if c != session_branch]])
    raise PermissionDenied(
        f"form {form} is from a session at {session_branch}; only a branch head of {heads} "
        f"decides it, and {actor_code} ({role}) is of {actor_branch or 'no branch'}",
        "form_wrong_branch",
        form=form,
        staff=actor_code,
        staff_branch=actor_branch or "",
        branch=session_branch,
    )


def check_undecided(state: FormState) -> None:
    """The decided-once rule: only a submitted form is approved, rejected or returned."""
    if not state.exists:
        raise not_found(state.form_id)
    if state.status == SUBMITTED:
        return
    raise decided_error(state)


def decided_error(state: FormState) -> RuleRefused:
    d = state.decision
    assert d is not None
    at = local_time(d.at)
    if d.status == CANCELLED:
        return RuleRefused(
            f"form {state.form_id} was cancelled by {d.by} at {at}: "
            f"{d.reason}; nothing more can happen to it",
            "form_already_cancelled",
            form=state.form_id,
            by=d.by,
            at=at,
        )
    after = {
        RETURNED: "; it waits for its marketer to fix and resubmit it",
        APPROVED: "",
        REJECTED: "",
    }[d.status]
    return RuleRefused(
        f"form {state.form_id} was already {d.status} by {d.by} at terminal "
        f"{d.terminal} at {at}{after}; a form is decided once, nothing was "
        "changed",
        "form_already_decided",
        form=state.form_id,
        decision=d.status,
        by=d.by,
        terminal=d.terminal,
        at=at,
    )


def check_reason(reason: str | None, doing: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise BadInput(
            f"give a reason to {doing} the form (--reason); its marketer reads it",
            "form_reason_required",
        )
    return text


def check_cancel(state: FormState, actor_code: str, role: str) -> bool:
    """Whether the cancel reverses an approval; who may cancel depends on the status.

    A submitted or returned form is withdrawn by its marketer; an approved one is cancelled by
    a branch head (the caller then checks the branch rule), which reverses its points.
    """
    if not state.exists:
        raise not_found(state.form_id)
    if state.status in PENDING:
        if actor_code != state.marketer and role != "admin":
            raise PermissionDenied(
                f"form {state.form_id} is {state.status}; only its marketer {state.marketer} "
                "withdraws it (a branch head rejects or returns it instead)",
                "form_cancel_not_marketer",
                form=state.form_id,
                marketer=state.marketer,
            )
        return False
    if state.status == APPROVED:
        return True
    raise decided_error(state)


def check_photo(state: FormState) -> None:
    if not state.exists:
        raise not_found(state.form_id)
    if state.status != APPROVED:
        raise RuleRefused(
            f"form {state.form_id} is {state.status}; the photo is taken for an approved form",
            "form_not_approved",
            form=state.form_id,
            status=state.status,
        )
    if state.photo is not None:
        at = local_time(state.photo.at)
        raise RuleRefused(
            f"the photo for form {state.form_id} was already marked taken by "
            f"{state.photo.by} at {at}; nothing to do",
            "form_photo_already",
            form=state.form_id,
            by=state.photo.by,
            at=at,
        )


# -- bonuses ----------------------------------------------------------------------------------
def appointment_to_fulfil(
    candidates: Iterable[tuple[str, date]], credited: Iterable[str], today: date, window_days: int
) -> tuple[str, date] | None:
    """The appointment an approval fulfils: the earliest booked within the window not yet paid.

    `candidates` are (form id, session day) of the client's approved appointment forms;
    `credited` the form ids whose appointment bonus was already credited. One approval
    fulfils one appointment.
    """
    paid = set(credited)
    due = sorted(
        (day, form)
        for form, day in candidates
        if form not in paid and 0 <= (today - day).days <= window_days
    )
    return (due[0][1], due[0][0]) if due else None
