"""Check-in (签到) rules: who is seated, on which ticket, and what the log records. Pure.

`service/checkins.py` gathers the facts of one arrival (the session, the client found by code,
id or mobile, the session's check-ins, the referrer) into a `CheckInFacts`; `admit` applies
every rule that needs no PIN and says whether an organizer's override is needed; the handler
then checks that PIN (a wrong one is recorded even though nobody is seated) and
`decide_check_in` turns the admission into events.

Seats: the room never overflows. Capacity counts everyone at the door, invitees and walk-ins
(厅堂客户: a client without an invitation to this session, or a prospect added on the spot)
alike: a 4-seat session seats 4. Beyond capacity only an organizer's (or admin's) override lets
anyone in, recorded on the check-in. Confirmations beyond capacity wait on a list before the
day (`domain/waitlist.py`); at the door the head count alone decides.

Messages name the person (name and masked mobile, else the client id), never an id alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from upgradecamp.domain.clock import local_hm
from upgradecamp.domain.commands.checkins import AnnulCheckIn, CheckIn
from upgradecamp.domain.errors import BadInput, NotFound, RuleRefused
from upgradecamp.domain.events.base import DomainEvent
from upgradecamp.domain.events.checkins import CheckInAnnulled, ClientCheckedIn
from upgradecamp.domain.events.forms import ProspectRegistered
from upgradecamp.domain.masking import mask_mobile
from upgradecamp.domain.masking import person as who
from upgradecamp.domain.names import compact

OVERRIDE_ROLES = ("organizer", "admin")
MOBILE_DIGITS = 11
OPEN = "open"

Way = Literal["code", "client", "prospect"]
# How the log names the way a client was found at the door.
METHODS: dict[Way, Literal["code", "search", "walk_in"]] = {
    "code": "code",
    "client": "search",
    "prospect": "walk_in",
}
_NOT_OPEN_HINTS = {
    "planned": "open it first (`upgradecamp sessions open`, or the check-in desk)",
    "closed": "it is closed and takes no more arrivals",
    "cancelled": "it was cancelled",
}


@dataclass(frozen=True)
class SessionFacts:
    session_id: str
    status: str
    branch: str
    capacity: int
    attended: int


@dataclass(frozen=True)
class Arrival:
    """The client found by code or id; no invitation to this session makes them a walk-in."""

    client_id: str
    name: str
    invitation_id: str | None
    mobile: str = ""


@dataclass(frozen=True)
class EarlierCheckIn:
    """The client's live check-in at this session: who made it, at which terminal, when."""

    client_id: str
    by: str
    terminal: str
    at: datetime
    name: str = ""
    mobile: str = ""


@dataclass(frozen=True)
class KnownClient:
    """A client whose mobile a walk-in gave: they are checked in as that client instead."""

    client_id: str
    name: str


@dataclass(frozen=True)
class CheckInFacts:
    """What the read tables say about one arrival, read after the session stream's version.

    `arrival` is None when the code or client id names nobody; `known` is set for a prospect
    whose mobile is already a client's; `earlier` is the live check-in of the client found
    (or of the known client); `checkins` counts the session's check-ins, annulled ones too,
    for the next check-in id.
    """

    session_id: str
    session: SessionFacts | None
    code: str = ""
    arrival: Arrival | None = None
    known: KnownClient | None = None
    checkins: int = 0
    earlier: EarlierCheckIn | None = None
    referrer_is_client: bool = False


@dataclass(frozen=True)
class Prospect:
    name: str
    mobile: str


@dataclass(frozen=True)
class Admission:
    """A client let in by every rule but the override's PIN (`needs_override`)."""

    session: SessionFacts
    checkin_id: str
    client_id: str
    name: str
    invitation_id: str | None
    way: Way
    referrer: str | None
    prospect: Prospect | None
    needs_override: bool

    @property
    def walk_in(self) -> bool:
        return self.invitation_id is None


def way_of(cmd: CheckIn) -> Way | None:
    """How the client is named: by code, client id or as a prospect; None unless exactly one."""
    prospect = bool(cmd.prospect_name or cmd.prospect_mobile)
    named: tuple[tuple[Way, bool], ...] = (
        ("code", bool(cmd.code)),
        ("client", bool(cmd.client_id)),
        ("prospect", prospect),
    )
    ways = [w for w, given in named if given]
    return ways[0] if len(ways) == 1 else None


def clean_mobile(text: str | None) -> str:
    """A mobile as typed, without spaces, full-width digits or dashes."""
    return compact(text or "").replace("-", "")


def is_mobile(mobile: str) -> bool:
    return len(mobile) == MOBILE_DIGITS and mobile.isdigit() and mobile.startswith("1")


def checkin_id(session_id: str, n: int) -> str:
    """The n-th check-in of a session: `B02-20261201-1500-C001`."""
    return f"{session_id}-C{n:03d}"


def local_clock(at: datetime) -> str:
    """ "15:02": when something happened, as the desk's wall clock showed it."""
    return local_hm(at)


def admit(facts: CheckInFacts, cmd: CheckIn) -> Admission:
    """Every check-in rule that needs no PIN, in the order the desk is told about them."""
    session = _open(facts)
    way = way_of(cmd)
    if way is None:
        raise BadInput(
            "give one of: a check-in code, a client id, or a walk-in's name and mobile",
            "checkin_needs_one",
        )
    prospect = None
    if way == "prospect":
        prospect = _prospect(facts, cmd)
        client_id, name, invitation_id = "", prospect.name, None
        mobile = prospect.mobile
    else:
        arrival = _arrival(facts, cmd, way)
        client_id, name, invitation_id = arrival.client_id, arrival.name, arrival.invitation_id
        mobile = arrival.mobile
    if facts.earlier is not None:
        raise already_checked_in(facts.earlier)
    referrer = _referrer(facts, cmd.referred_by, client_id)
    needs_override = session.attended >= session.capacity
    if needs_override:
        _override_given(session, cmd, who(name, mobile, client_id))
    return Admission(
        session=session,
        checkin_id=checkin_id(session.session_id, facts.checkins + 1),
        client_id=client_id,
        name=name,
        invitation_id=invitation_id,
        way=way,
        referrer=referrer,
        prospect=prospect,
        needs_override=needs_override,
    )


def override_by(code: str, role: str) -> str:
    """The staff member whose PIN was checked may seat anyone beyond capacity, or not."""
    if role not in OVERRIDE_ROLES:
        raise RuleRefused(
            f"{code} is {role}; only an organizer or an admin may seat anyone beyond capacity",
            "checkin_override_not_organizer",
            staff=code,
            role=role,
        )
    return code


def decide_check_in(
    admission: Admission, *, override: str | None, prospect_id: str | None, terminal: str
) -> list[DomainEvent]:
    """The events of an admitted arrival: a prospect registered first, then the check-in.

    `override` is the organizer who signed for a seat beyond capacity (`override_by`);
    `prospect_id` the new client id drawn for a prospect.
    """
    if admission.needs_override and override is None:
        raise ValueError("nobody is seated beyond capacity without a checked override")
    events: list[DomainEvent] = []
    client_id = admission.client_id
    if admission.prospect is not None:
        if not prospect_id:
            raise ValueError("a prospect is checked in under a new client id")
        client_id = prospect_id
        events.append(
            ProspectRegistered(
                client_id=client_id,
                name=admission.prospect.name,
                mobile=admission.prospect.mobile,
                branch=admission.session.branch,
                session_id=admission.session.session_id,
            )
        )
    events.append(
        ClientCheckedIn(
            checkin_id=admission.checkin_id,
            session_id=admission.session.session_id,
            client_id=client_id,
            invitation_id=admission.invitation_id,
            walk_in=admission.walk_in,
            method=METHODS[admission.way],
            terminal=terminal,
            referred_by=admission.referrer,
            override_by=override,
        )
    )
    return events


def already_checked_in(earlier: EarlierCheckIn) -> RuleRefused:
    at = local_clock(earlier.at)
    person = who(earlier.name, earlier.mobile, earlier.client_id)
    return RuleRefused(
        f"{person} is already checked in: by {earlier.by} at terminal "
        f"{earlier.terminal} at {at}; nothing to do",
        "already_checked_in",
        client=earlier.client_id,
        who=person,
        by=earlier.by,
        terminal=earlier.terminal,
        at=at,
    )


def _open(facts: CheckInFacts) -> SessionFacts:
    session = facts.session
    if session is None:
        raise NotFound(
            f"no session '{facts.session_id}'; pick one from `upgradecamp sessions list`",
            "session_not_found",
            session=facts.session_id,
        )
    if session.status != OPEN:
        hint = _NOT_OPEN_HINTS.get(session.status, "")
        raise RuleRefused(
            f"session {session.session_id} is {session.status}, not open for check-in; {hint}",
            "session_not_open",
            session=session.session_id,
            status=session.status,
        )
    return session


def _arrival(facts: CheckInFacts, cmd: CheckIn, way: Way) -> Arrival:
    if facts.arrival is not None:
        return facts.arrival
    if way == "code":
        raise NotFound(
            f"no invitation with code {facts.code} for this session; check the "
            "code, or search the client by name or mobile",
            "checkin_code_unknown",
            checkin_code=facts.code,
        )
    client_id = (cmd.client_id or "").strip()
    raise NotFound(
        f"no client '{client_id}'; search by name or mobile instead",
        "client_not_found",
        client=client_id,
    )


def _prospect(facts: CheckInFacts, cmd: CheckIn) -> Prospect:
    """A walk-in's name and mobile checked; refused when the mobile is a known client's."""
    name = " ".join((cmd.prospect_name or "").split())
    mobile = clean_mobile(cmd.prospect_mobile)
    if not name:
        raise BadInput("a walk-in needs a name as well as a mobile", "checkin_prospect_name")
    if not is_mobile(mobile):
        raise BadInput(
            f"'{cmd.prospect_mobile}' is not a mobile number: 11 digits starting with 1",
            "checkin_bad_mobile",
            mobile=cmd.prospect_mobile or "",
        )
    if facts.known is not None:
        if facts.earlier is not None:
            raise already_checked_in(facts.earlier)
        known, masked = facts.known, mask_mobile(mobile)
        raise RuleRefused(
            f"{masked} belongs to {known.name} ({known.client_id}); "
            "check that client in instead of adding a new one",
            "checkin_known_mobile",
            client=known.client_id,
            name=known.name,
            mobile=masked,
        )
    return Prospect(name, mobile)


def _referrer(facts: CheckInFacts, referred_by: str | None, client_id: str) -> str | None:
    if not referred_by or not referred_by.strip():
        return None
    referrer = referred_by.strip()
    if not facts.referrer_is_client:
        raise NotFound(
            f"no client '{referrer}' to record as the referrer; search them by "
            "name or mobile for their client id",
            "checkin_referrer_unknown",
            client=referrer,
        )
    if referrer == client_id:
        raise BadInput(
            f"{client_id} cannot have referred themselves; leave the referrer "
            "empty or name the client who brought them",
            "checkin_referrer_self",
            client=client_id,
        )
    return referrer


def _override_given(session: SessionFacts, cmd: CheckIn, person: str) -> None:
    if not cmd.override_code:
        raise RuleRefused(
            f"session {session.session_id} is full ({session.capacity} of "
            f"{session.capacity} seats taken): {person} comes in only with an "
            "organizer's override (their code and PIN)",
            "session_full",
            session=session.session_id,
            capacity=session.capacity,
            who=person,
        )
    if not cmd.override_pin:
        raise BadInput(
            f"the override needs {cmd.override_code}'s PIN as well as their code",
            "checkin_override_needs_pin",
            staff=cmd.override_code,
        )


# -- annulling ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnnulFacts:
    """The check-in as the read table holds it, read again after the session's version."""

    checkin_id: str
    session_id: str | None
    client_id: str = ""
    annulled: bool = False
    reason: str | None = None


def decide_annul(facts: AnnulFacts, cmd: AnnulCheckIn) -> CheckInAnnulled:
    """The seat is freed; the check-in stays in the log with the reason."""
    if facts.session_id is None:
        raise NotFound(
            f"no check-in '{cmd.checkin_id}'; the desk's recent check-ins show their ids",
            "checkin_not_found",
            checkin=cmd.checkin_id,
        )
    reason = cmd.reason.strip()
    if not reason:
        raise BadInput("say why the check-in is annulled (--reason)", "reason_required")
    if facts.annulled:
        raise RuleRefused(
            f"check-in {cmd.checkin_id} was already annulled: {facts.reason}",
            "checkin_already_annulled",
            checkin=cmd.checkin_id,
            reason=facts.reason,
        )
    return CheckInAnnulled(
        checkin_id=cmd.checkin_id,
        session_id=facts.session_id,
        client_id=facts.client_id,
        reason=reason,
    )
