"""Who an invitation wave reaches and what it says (邀约批次): the rows of the bulk-SMS file,
of the call list and of a cancelled session's SMS file, from a session's invitees
(`queries.invitations.wave_rows`).

Invitees who withdrew consent, whose number is wrong, or who declined get no SMS and no call;
the count of those left out, by reason, goes back to the organizer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from upgradecamp.domain.cancellation import cancellation_sms
from upgradecamp.domain.invitations import SMS_TEMPLATE, sms_text

KINDS = ("sms", "calls")
LEFT_OUT = ("no_consent", "unreachable", "declined")


def left_out_reason(invitee: Mapping[str, Any]) -> str | None:
    """Why an invitee gets no SMS and no call now, or None."""
    if not invitee["marketing_consent"] or invitee["state"] == "opted_out":
        return "no_consent"
    if invitee["contact_status"] == "unreachable":
        return "unreachable"
    if invitee["state"] == "declined":
        return "declined"
    return None


def _split(invitees: list[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], dict[str, int]]:
    kept: list[Mapping[str, Any]] = []
    left_out: dict[str, int] = {}
    for invitee in invitees:
        reason = left_out_reason(invitee)
        if reason is None:
            kept.append(invitee)
        else:
            left_out[reason] = left_out.get(reason, 0) + 1
    return kept, left_out


def sms_rows(
    wave: Mapping[str, Any], template: str = SMS_TEMPLATE
) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """(mobile, text) per invitee who may receive it, and how many were left out by reason."""
    session = wave["session"]
    kept, left_out = _split(wave["invitees"])
    rows = [
        (
            i["mobile"],
            sms_text(
                name=i["name"],
                starts_at=session["starts_at"],
                branch=session["branch_name"],
                venue=session["venue"],
                theme=session["theme"],
                code=i["code"],
                template=template,
            ),
        )
        for i in kept
    ]
    return rows, left_out


def call_rows(
    wave: Mapping[str, Any], *, masked: bool = False
) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    """One row per invitee to call (invitation, code, name, mobile, segment, AUM, state, last
    result), and how many were left out by reason."""
    kept, left_out = _split(wave["invitees"])
    rows = [
        (
            i["invitation_id"],
            i["code"],
            i["name"],
            i["mobile_masked"] if masked else i["mobile"],
            i["segment"],
            i["aum"],
            i["state"],
            i["last_result"] or "",
        )
        for i in kept
    ]
    return rows, left_out


def cancellation_rows(
    wave: Mapping[str, Any], next_starts_at: datetime | None = None
) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """(mobile, text) per invitee of a cancelled session still to be told (取消通知短信), and
    how many were left out by reason: those without consent or whose number is wrong hear it
    from their relationship manager's call instead."""
    session = wave["session"]
    rows: list[tuple[str, str]] = []
    left_out: dict[str, int] = {}
    for invitee in wave["invitees"]:
        if not invitee["to_tell"]:
            continue
        reason = left_out_reason(invitee)
        if reason is not None:
            left_out[reason] = left_out.get(reason, 0) + 1
            continue
        rows.append(
            (
                invitee["mobile"],
                cancellation_sms(
                    name=invitee["name"],
                    starts_at=session["starts_at"],
                    branch=session["branch_name"],
                    venue=session["venue"],
                    next_starts_at=next_starts_at,
                ),
            )
        )
    return rows, left_out
