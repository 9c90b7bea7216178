"""Registration forms (升级确认单): their life, who may do what to them, and their contents.

    submitted ──approve──▶ approved ──cancel (branch head; points reversed)──▶ cancelled
        │  ╲──reject───▶ rejected
        │   ╲─return───▶ returned ──resubmit (its marketer, revision + 1)──▶ submitted …
        └──cancel (its marketer)──▶ cancelled ◀──cancel (its marketer)── returned

A form is decided once: approve, reject and return need a `submitted` form, so a second
decision from another terminal is refused and told who decided, where and when. Pure: the
handlers in `service/forms.py` read the state and the read tables and record the events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from upgradecamp.domain.errors import (
    BadInput,
    NotFound,
    PermissionDenied,
    RuleRefused,
    Unsuitable,
)
from upgradecamp.domain.points import FormLine, action_points, check_line
from upgradecamp.domain.rules import RuleSet, shanghai
from upgradecamp.domain.suitability import grade_rank

SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
REJECTED = "rejected"
CANCELLED = "cancelled"
STATUSES = (SUBMITTED, RETURNED, APPROVED, REJECTED, CANCELLED)
# A form still on its way: the branch head's queue or back with its marketer.
PENDING = (SUBMITTED, RETURNED)

_DECISIONS = {"FormApproved": APPROVED, "FormRejected": REJECTED, "FormReturned": RETURNED,
              "FormCancelled": CANCELLED}


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
    photo: Decision | None = None

    @property
    def exists(self) -> bool:
        return self.version > 0

    @property
    def earns_points(self) -> bool:
        """An appointment-only form books the appointment and credits nothing."""
        return bool(self.lines or self.actions)


def evolve(state: FormState, event_type: str, payload: Mapping[str, Any], *, actor: str,
           terminal: str, at: datetime) -> FormState:
    """Fold one stored event of the form's stream (`actor`, `terminal` from its meta)."""
    state = replace(state, version=state.version + 1)
    if event_type == "FormSubmitted":
        appointment = payload.get("appointment")
        return replace(
            state, form_id=payload["form_id"], session_id=payload["session_id"],
            client_id=payload["client_id"], marketer=payload["marketer"], status=SUBMITTED,
            lines=tuple(FormLine(x["product"], Decimal(str(x["value"])), x["source"])
                        for x in payload.get("lines", ())),
            actions=tuple(payload.get("actions", ())),
            appointment=date.fromisoformat(appointment) if appointment else None,
            on_site=payload["on_site"], revision=payload.get("revision", 0),
            points=payload["points"], submitted_at=at, decision=None)
    if event_type in _DECISIONS:
        status = _DECISIONS[event_type]
        decided = replace(state, status=status, decision=Decision(
            status, actor, terminal, at, payload.get("reason")))
        if event_type == "FormApproved":
            return replace(decided, credit_key=payload.get("credit_key"),
                           points=payload["points"])
        return decided
    if event_type == "PhotoTaken":
        return replace(state, photo=Decision("photo", actor, terminal, at))
    return state


def form_id(session_id: str, n: int) -> str:
    """The n-th form of a session: `B02-20261120-1500-F01`."""
    return f"{session_id}-F{n:02d}"


def local_time(at: datetime) -> str:
    return at.astimezone(shanghai()).strftime("%Y-%m-%d %H:%M")


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
            "session", "form_session_over", session=session_id, date=session_day.isoformat())
    hint = {"planned": "it has not opened yet; forms are taken once check-in has started",
            "cancelled": "it was cancelled"}.get(status, "")
    raise RuleRefused(f"session {session_id} is {status}, not open for registration forms; "
                      f"{hint}", "form_session_not_open", session=session_id, status=status)


def split_line_spec(spec: str) -> tuple[str, str, str]:
    """The CLI's PRODUCT:VALUE[:SOURCE] as (product, value, source), source new by default."""
    parts = [part.strip() for part in spec.replace("：", ":").split(":")]
    if len(parts) not in (2, 3) or not all(parts):
        raise BadInput(f"cannot read line {spec!r}; write PRODUCT:VALUE[:SOURCE], e.g. "
                       "fund:10000:new or credit_card:1", "form_bad_line", spec=spec)
    return parts[0], parts[1], parts[2] if len(parts) == 3 else "new"


def parse_lines(rule_set: RuleSet, raw: Iterable[Sequence[str]]) -> list[FormLine]:
    """The typed lines checked against the rule set; an error names the line it is about."""
    lines = []
    for n, entry in enumerate(raw, 1):
        if len(entry) not in (2, 3):
            raise BadInput(f"line {n}: give a product, a value and optionally a source of "
                           "funds", "form_bad_line", spec=" ".join(map(str, entry)), line=n)
        product = str(entry[0]).strip().lower()
        text = str(entry[1]).strip().replace(",", "").replace("，", "")
        source = (str(entry[2]).strip().lower() if len(entry) == 3 else "") or "new"
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise BadInput(f"line {n} ({product}): {entry[1]!r} is not a number",
                           "not_a_number", product=product, value=entry[1], line=n) from None
        line = FormLine(product, value, source)
        try:
            check_line(rule_set, line)
        except BadInput as err:
            raise BadInput(f"line {n}: {err.message}", err.code, **err.params, line=n) from None
        lines.append(line)
    return lines


def check_actions(rule_set: RuleSet, actions: Iterable[str]) -> list[str]:
    out: list[str] = []
    for raw in actions:
        code = raw.strip().lower()
        if code in out:
            raise BadInput(f"action {code} is listed twice; a client earns it once per form",
                           "form_action_twice", action=code)
        try:
            action_points(rule_set, code)
        except BadInput as err:
            raise BadInput(err.message, "form_unknown_action", action=code,
                           version=rule_set.version) from None
        out.append(code)
    return out


def parse_appointment(text: str | None, session_day: date) -> date | None:
    """The day the client booked to come back; it must be after the session's day."""
    if text is None or not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"appointment {text!r} is not a date; write it as YYYY-MM-DD",
                       "form_bad_appointment", value=text) from None
    if day <= session_day:
        raise BadInput(f"the appointment ({day.isoformat()}) must be after the session's day "
                       f"({session_day.isoformat()}); choose a later date",
                       "form_appointment_too_early", appointment=day.isoformat(),
                       date=session_day.isoformat())
    return day


def check_has_content(lines: Sequence[FormLine], actions: Sequence[str],
                      appointment: date | None) -> None:
    if not lines and not actions and appointment is None:
        raise BadInput("the form is empty; add a product line, a fixed action or an "
                       "appointment date", "form_empty")


def check_suitable(rule_set: RuleSet, lines: Sequence[FormLine], risk_grade: str | None,
                   risk_expires: date | None, on: date) -> None:
    """Refuse the whole form naming every unsuitable line (SPEC §3.2 suitability).

    The code and parameters describe the first such line, so a screen can say it in the
    user's language; the English message lists them all.
    """
    problems: list[tuple[str, dict[str, Any], str]] = []
    for n, line in enumerate(lines, 1):
        product = rule_set.products[line.product]
        if product.risk_rank <= 1:
            continue
        params: dict[str, Any] = {"line": n, "product": product.code,
                                  "product_name": product.name_zh, "risk": product.risk_level}
        label = f"line {n} {product.code} ({product.name_zh}, {product.risk_level})"
        if not risk_grade:
            problems.append(("form_unsuitable_no_assessment", params,
                             f"{label} needs a risk assessment and the client has none"))
            continue
        grade = f"C{grade_rank(risk_grade)}"
        params["grade"] = grade
        if risk_expires is not None and risk_expires < on:
            params["expired"] = risk_expires.isoformat()
            problems.append(("form_unsuitable_expired", params,
                             f"{label}: the client's assessment ({grade}) expired on "
                             f"{risk_expires.isoformat()}"))
        elif product.risk_rank > grade_rank(risk_grade):
            problems.append(("form_unsuitable_grade", params,
                             f"{label} exceeds the client's risk grade {grade}"))
    if problems:
        code, params, _ = problems[0]
        listed = "; ".join(text for _, _, text in problems)
        raise Unsuitable(f"{listed}. Re-assess the client's risk tolerance (风险评估) or "
                         "choose a product within the client's grade (deposits need none); "
                         "nothing was submitted", code, **params, count=len(problems))


def check_resubmit(state: FormState, marketer: str, session_id: str, client_id: str) -> None:
    """A returned form comes back only from its own marketer, for the same session and client."""
    if not state.exists:
        raise not_found(state.form_id)
    if state.status != RETURNED:
        raise RuleRefused(f"form {state.form_id} is {state.status}; only a returned form is "
                          "resubmitted. Submit a new form instead", "form_not_returned",
                          form=state.form_id, status=state.status)
    if state.marketer != marketer:
        raise PermissionDenied(f"form {state.form_id} belongs to {state.marketer}; only its "
                               "marketer resubmits it", "form_not_yours", form=state.form_id,
                               marketer=state.marketer)
    if (state.session_id, state.client_id) != (session_id, client_id):
        raise BadInput(f"form {state.form_id} is for client {state.client_id} at session "
                       f"{state.session_id}; resubmit it for them, or submit a new form",
                       "form_resubmit_mismatch", form=state.form_id,
                       session=state.session_id, client=state.client_id)


def pending_exists(form: str, client_id: str, status: str) -> RuleRefused:
    what = ("is waiting in the branch head's queue" if status == SUBMITTED else
            "was returned; fix it and resubmit it")
    return RuleRefused(f"client {client_id} already has form {form} at this session, which "
                       f"{what}; no second form was made", "form_pending_exists",
                       client=client_id, form=form)


def not_found(form: str) -> NotFound:
    return NotFound(f"no registration form '{form}'; see `upgradecamp forms list`",
                    "form_not_found", form=form)


# -- deciding ---------------------------------------------------------------------------------
def check_decider(actor_code: str, role: str, actor_branch: str | None, session_branch: str,
                  core_branches: Iterable[str], form: str) -> None:
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
        "form_wrong_branch", form=form, staff=actor_code, staff_branch=actor_branch or "",
        branch=session_branch)


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
        return RuleRefused(f"form {state.form_id} was cancelled by {d.by} at {at}: "
                           f"{d.reason}; nothing more can happen to it",
                           "form_already_cancelled", form=state.form_id, by=d.by, at=at)
    after = {RETURNED: "; it waits for its marketer to fix and resubmit it",
             APPROVED: "", REJECTED: ""}[d.status]
    return RuleRefused(f"form {state.form_id} was already {d.status} by {d.by} at terminal "
                       f"{d.terminal} at {at}{after}; a form is decided once, nothing was "
                       "changed", "form_already_decided", form=state.form_id,
                       decision=d.status, by=d.by, terminal=d.terminal, at=at)


def check_reason(reason: str | None, doing: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise BadInput(f"give a reason to {doing} the form (--reason); its marketer reads it",
                       "form_reason_required")
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
                "form_cancel_not_marketer", form=state.form_id, marketer=state.marketer)
        return False
    if state.status == APPROVED:
        return True
    raise decided_error(state)


def check_photo(state: FormState) -> None:
    if not state.exists:
        raise not_found(state.form_id)
    if state.status != APPROVED:
        raise RuleRefused(f"form {state.form_id} is {state.status}; the photo is taken for an "
                          "approved form", "form_not_approved", form=state.form_id,
                          status=state.status)
    if state.photo is not None:
        at = local_time(state.photo.at)
        raise RuleRefused(f"the photo for form {state.form_id} was already marked taken by "
                          f"{state.photo.by} at {at}; nothing to do", "form_photo_already",
                          form=state.form_id, by=state.photo.by, at=at)


# -- bonuses ----------------------------------------------------------------------------------
def appointment_to_fulfil(candidates: Iterable[tuple[str, date]], credited: Iterable[str],
                          today: date, window_days: int) -> tuple[str, date] | None:
    """The appointment an approval fulfils: the earliest booked within the window not yet paid.

    `candidates` are (form id, session day) of the client's approved appointment forms;
    `credited` the form ids whose appointment bonus was already credited. One approval
    fulfils one appointment.
    """
    paid = set(credited)
    due = sorted((day, form) for form, day in candidates
                 if form not in paid and 0 <= (today - day).days <= window_days)
    return (due[0][1], due[0][0]) if due else None

