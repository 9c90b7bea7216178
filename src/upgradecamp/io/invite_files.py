"""The invitation wave files: the bulk-SMS file and the call list (CSV, UTF-8 with BOM).

An SMS platform and a caller dial these numbers, so the files carry real mobiles; only staff
who manage invitations may write them, and every file written is recorded as an export event
(who, what, how many rows). `--masked` gives a printable call list without full numbers.
Invitees who withdrew consent, whose number is wrong, or who declined are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from upgradecamp.domain.errors import BadInput, NotFound, RuleRefused
from upgradecamp.domain.invitations import SMS_TEMPLATE, sms_text
from upgradecamp.io.spreadsheet import write_csv

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

KINDS = ("sms", "calls")
SMS_HEADER = ("mobile", "text")
CALLS_HEADER = ("invitation_id", "code", "name", "mobile", "segment", "aum", "state",
                "last_result")
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
    kept, left_out = [], {}
    for invitee in invitees:
        reason = left_out_reason(invitee)
        if reason is None:
            kept.append(invitee)
        else:
            left_out[reason] = left_out.get(reason, 0) + 1
    return kept, left_out


def sms_rows(wave: Mapping[str, Any], template: str = SMS_TEMPLATE
             ) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """(mobile, text) per invitee who may receive it, and how many were left out by reason."""
    session = wave["session"]
    kept, left_out = _split(wave["invitees"])
    rows = [(i["mobile"], sms_text(name=i["name"], starts_at=session["starts_at"],
                                   branch=session["branch_name"], venue=session["venue"],
                                   theme=session["theme"], code=i["code"], template=template))
            for i in kept]
    return rows, left_out


def call_rows(wave: Mapping[str, Any], *, masked: bool = False
              ) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    """One row per invitee to call (CALLS_HEADER), and how many were left out by reason."""
    kept, left_out = _split(wave["invitees"])
    rows = [(i["invitation_id"], i["code"], i["name"],
             i["mobile_masked"] if masked else i["mobile"], i["segment"], i["aum"], i["state"],
             i["last_result"] or "") for i in kept]
    return rows, left_out


def export_wave(services: Services, actor: Actor, session_id: str, kind: str, out: str | Path,
                *, masked: bool = False, template: str = SMS_TEMPLATE) -> dict[str, Any]:
    """Write a session's SMS file or call list to `out` and record the export.

    Returns {session_id, kind, file, rows, masked, left_out: {reason: count}}.
    """
    from upgradecamp.domain.commands.invitations import RecordExport
    from upgradecamp.queries.invitations import wave_rows

    actor.require("invites.manage", "export invitation waves (files with clients' mobiles)")
    actor.require("exports.run", "export personal data")
    if kind not in KINDS:
        raise BadInput(f"unknown export kind {kind!r}; use sms or calls", "export_bad_kind",
                       kind=kind)
    if kind == "sms" and masked:
        raise BadInput("an SMS file needs the real numbers; --masked is for the call list",
                       "export_sms_masked")
    wave = wave_rows(services.engine, session_id)
    if wave is None:
        raise NotFound(f"no session '{session_id}'; pick one from `upgradecamp sessions list`",
                       "invite_unknown_session", session=session_id)
    status = wave["session"]["status"]
    if kind == "sms" and status not in ("planned", "open"):
        raise RuleRefused(f"session {session_id} is {status}; invitation SMS go only to "
                          "planned sessions", "export_sms_not_upcoming", session=session_id,
                          status=status)
    if kind == "sms":
        rows, left_out = sms_rows(wave, template)
        header: tuple[str, ...] = SMS_HEADER
    else:
        rows, left_out = call_rows(wave, masked=masked)
        header = CALLS_HEADER
    written = write_csv(out, header, rows)
    try:
        services.execute(RecordExport(
            what=f"invitations.{kind}", format="csv", rows=written, unmasked=not masked,
            filters=(("session", session_id), ("kind", kind)), file=str(out)), actor)
    except BaseException:
        Path(out).unlink(missing_ok=True)  # a file nobody recorded must not stay behind
        raise
    return {"session_id": session_id, "kind": kind, "file": str(out), "rows": written,
            "masked": masked, "left_out": left_out}
