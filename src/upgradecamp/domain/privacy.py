"""Forgetting a client (被遗忘权) without breaking the log: which fields are personal, what a
forgotten client's fields read as, and the pure decisions of `clients forget`, `privacy purge`
and `privacy report`.

The log is append-only and hash-chained, so a person's data cannot be deleted from it. Their
personal fields are instead sealed (AES-GCM, store/sealing.py) under a data key of their own;
forgetting destroys that key. The events stay, with every amount and point in plain text, and
their personal fields read back as the placeholders below: valid values (a mobile that passes
the pattern) that no screen shows as a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied, RuleRefused

FORGOTTEN_NAME = "已遗忘客户"
FORGOTTEN_MOBILE = "10000000000"  # no mobile starts 100: valid for the pattern, shown as nothing
FORGOTTEN_ID_LAST4 = "0000"

# Event type → (the field naming whose data it is, the personal fields sealed under their key).
# Only these fields are sealed; everything a report counts (amounts, points, dates, branches)
# stays plain, so a forgotten client's figures stay in every total.
PERSONAL_FIELDS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "ClientRegistered": ("client_id", ("name", "mobile", "id_last4", "birthday")),
    "ClientDetailsChanged": ("client_id", ("name", "mobile", "id_last4", "birthday")),
    "ProspectRegistered": ("client_id", ("name", "mobile")),
    "FollowUpOutcomeRecorded": ("client_id", ("note",)),
    "InvitationOutcomeRecorded": ("client_id", ("note",)),
    "FeedbackGiven": ("client_id", ("comment", "complaint")),
}
# What each personal field reads as once its key is gone. A complaint stays a complaint (""),
# not None, so complaint counts in the reports do not change.
PLACEHOLDERS: Mapping[str, Any] = {
    "name": FORGOTTEN_NAME,
    "mobile": FORGOTTEN_MOBILE,
    "id_last4": FORGOTTEN_ID_LAST4,
    "birthday": None,
    "note": "",
    "comment": "",
    "complaint": "",
}
FORGETTING_EVENT = "ClientForgotten"
FORGET_ROLES = frozenset({"admin"})

AGE_BANDS: tuple[tuple[int, str], ...] = (
    (30, "0-30d"),
    (180, "31-180d"),
    (365, "181-365d"),
    (3 * 365, "1-3y"),
)
OLDEST_BAND = "over 3y"


def is_forgotten_mobile(mobile: str | None) -> bool:
    return mobile == FORGOTTEN_MOBILE


# The law a forgetting answers to, named beside each row an import leaves out: the CRM still
# lists the person, and staff need to see why the row did not come in.
LEGAL_BASIS = "PIPL"


def left_out(line: int, client_id: str, forgotten_on: date) -> dict[str, Any]:
    """A file row (CRM import, holdings) naming a forgotten client: left out, not refused, so
    the monthly re-import of a CRM that still lists them goes through."""
    return {
        "line": line,
        "client_id": client_id,
        "forgotten_on": forgotten_on.isoformat(),
        "text": f"line {line}: client {client_id} was forgotten on {forgotten_on:%Y-%m-%d} "
        f"({LEGAL_BASIS}); left out",
    }


@dataclass(frozen=True)
class ForgetFacts:
    """What `clients forget` needs to know: does the client exist, and is it forgotten already
    (when, by whom)."""

    client_id: str
    exists: bool
    forgotten_at: datetime | None = None
    forgotten_by: str | None = None


def check_may_forget(role: str, code: str) -> None:
    if role not in FORGET_ROLES:
        raise PermissionDenied(
            f"{code} is {role}; only an admin may forget a client — ask an admin",
            "forget_not_admin",
            staff=code,
            role=role,
        )


def check_reason(reason: str) -> str:
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise BadInput(
            "say why the client is forgotten (--reason, e.g. the client's written request)",
            "forget_needs_reason",
        )
    return cleaned


def decide_forget(facts: ForgetFacts) -> None:
    """Refuse an unknown client and one forgotten already; otherwise the forgetting goes ahead."""
    if not facts.exists:
        raise NotFound(
            f"no client {facts.client_id}; check the id (upgradecamp export clients lists them)",
            "forget_unknown_client",
            client_id=facts.client_id,
        )
    if facts.forgotten_at is not None:
        raise RuleRefused(
            f"client {facts.client_id} was already forgotten on "
            f"{facts.forgotten_at:%Y-%m-%d} by {facts.forgotten_by}; nothing more to do",
            "forget_already_forgotten",
            client_id=facts.client_id,
            on=f"{facts.forgotten_at:%Y-%m-%d}",
            by=facts.forgotten_by or "",
        )


@dataclass(frozen=True)
class Prospect:
    """A walk-in added at the door (厅堂客户): when, and whether the CRM has since matched them."""

    client_id: str
    registered_at: datetime
    matched: bool
    forgotten: bool


def prospects_to_purge(
    prospects: Iterable[Prospect], now: datetime, older_than_days: int
) -> list[str]:
    """Walk-ins never matched to a bank client, registered more than `older_than_days` ago and
    not yet forgotten, in id order."""
    if older_than_days < 1:
        raise BadInput(
            "--prospects-older-than takes a number of days of at least 1",
            "purge_bad_days",
        )
    cutoff = now - timedelta(days=older_than_days)
    return sorted(
        p.client_id
        for p in prospects
        if not p.matched and not p.forgotten and p.registered_at < cutoff
    )


def age_band(days: int) -> str:
    for limit, label in AGE_BANDS:
        if days <= limit:
            return label
    return OLDEST_BAND
