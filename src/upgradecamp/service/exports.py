"""Handlers of the exports: lists of personal data, invitation wave files and a cancelled
session's SMS file (导出); the session's paper is service/paper.py.

Each is one unit of work: check who may (once), read what the file needs through the
handler's own connection, have io/ write it under a temporary name, and record
PersonalDataExported (who, what, format, how many rows, masked or not, filters, file). The
bus renames the file into place after the commit and removes it if anything failed, so no
file leaves the system unrecorded and no half file is ever seen.

Reading inside the write transaction holds SQLite's write lock while the file is written;
other terminals' commands wait for it within the busy timeout (store/db.py).
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import closing
from pathlib import Path
from typing import Any

from upgradecamp.domain.clock import business_date
from upgradecamp.domain.commands.exports import (
    ExportCancellationSms,
    ExportList,
    ExportWaveFile,
)
from upgradecamp.domain.commands.invitations import RecordExport
from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied, RuleRefused
from upgradecamp.domain.events.invitations import PersonalDataExported
from upgradecamp.domain.invitations import SMS_TEMPLATE
from upgradecamp.domain.waves import KINDS, call_rows, cancellation_rows, sms_rows
from upgradecamp.io.export_columns import COLUMNS
from upgradecamp.io.exports import WRITERS, format_for
from upgradecamp.io.files import StagedFile, stage
from upgradecamp.io.invite_files import fill_wave_file
from upgradecamp.queries import exports as q
from upgradecamp.queries.invitations import wave_rows
from upgradecamp.service.cancellation import next_session
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork


def staged_file(uow: UnitOfWork, out: str | Path) -> StagedFile:
    """A temporary file for `out` that becomes `out` only when this unit of work commits."""
    staged = stage(out)
    uow.after_commit(staged.publish, otherwise=staged.discard)
    return staged


def record_export_event(uow: UnitOfWork, event: PersonalDataExported) -> None:
    uow.stream_version(event.stream_id())
    uow.record(event)


def _as_seen_by(
    uow: UnitOfWork, what: str, rows: Generator[dict[str, Any], None, None]
) -> Generator[dict[str, Any], None, None]:
    """A marketer's client or follow-up file: full rows for their book and the attendees of
    sessions they work, name and masked fields for everyone else (`domain.books.client_view`);
    a follow-up keeps its own fields (id, kind, due, who works it), as on the desk."""
    actor = uow.actor
    if what not in ("clients", "followups") or actor.role != "marketer":
        return rows
    from upgradecamp.domain.books import client_view
    from upgradecamp.queries.books import worked_clients
    from upgradecamp.queries.followups import OWN_FIELDS

    worked = worked_clients(uow.conn, actor.code)
    kept = OWN_FIELDS if what == "followups" else frozenset()

    def seen() -> Generator[dict[str, Any], None, None]:
        with closing(rows):
            for row in rows:
                yield client_view(actor, row, row["client_id"] in worked, kept)[0]

    return seen()


def export_list(uow: UnitOfWork, cmd: ExportList) -> dict[str, Any]:
    """Returns {what, format, file, rows, masked, unmasked, filters}."""
    actor = uow.actor
    actor.require("exports.run", "export personal data")
    if cmd.what not in COLUMNS:
        raise BadInput(
            f"unknown export {cmd.what!r}; use followups, invitations or clients",
            "export_bad_what",
            what=cmd.what,
        )
    fmt = format_for(cmd.out, cmd.format)
    if cmd.unmasked and not actor.may("exports.unmasked"):
        raise PermissionDenied(
            f"{actor.code} ({actor.role}) may not export plain mobile numbers: only an "
            "organizer, a branch head or an admin may use --unmasked; export without it to get "
            "masked numbers (138****5678), or ask one of them",
            "export_unmask_refused",
            staff=actor.code,
            role=actor.role,
        )
    given = q.check_filters(
        uow.conn, cmd.what, {k: v for k, v in cmd.filters if v not in (None, "")}
    )
    if cmd.counted is not None:
        cmd.counted(q.count_rows(uow.conn, cmd.what, given))
    staged = staged_file(uow, cmd.out)
    rows = _as_seen_by(
        uow,
        cmd.what,
        q.export_rows(
            uow.conn, cmd.what, given, unmasked=cmd.unmasked, today=business_date(uow.clock())
        ),
    )
    with closing(rows):  # a failed write closes the cursor at once
        written = WRITERS[fmt](staged.temp, COLUMNS[cmd.what], rows, progress=cmd.progress)
    filters = {k: str(v) for k, v in given.items()}
    record_export_event(
        uow,
        PersonalDataExported(
            what=cmd.what,
            format=fmt,
            rows=written,
            unmasked=cmd.unmasked,
            filters=filters,
            file=str(cmd.out),
        ),
    )
    return {
        "what": cmd.what,
        "format": fmt,
        "file": str(cmd.out),
        "rows": written,
        "masked": not cmd.unmasked,
        "unmasked": cmd.unmasked,
        "filters": filters,
    }


def export_wave_file(uow: UnitOfWork, cmd: ExportWaveFile) -> dict[str, Any]:
    """Returns {session_id, kind, file, rows, masked, left_out: {reason: count}}."""
    actor = uow.actor
    actor.require("invites.manage", "export invitation waves (files with clients' mobiles)")
    actor.require("exports.run", "export personal data")
    if cmd.kind not in KINDS:
        raise BadInput(
            f"unknown export kind {cmd.kind!r}; use sms or calls", "export_bad_kind", kind=cmd.kind
        )
    if cmd.kind == "sms" and cmd.masked:
        raise BadInput(
            "an SMS file needs the real numbers; --masked is for the call list", "export_sms_masked"
        )
    if not cmd.masked:
        actor.require("exports.unmasked", "export plain mobile numbers")
    wave = wave_rows(uow.conn, cmd.session_id)
    if wave is None:
        raise NotFound(
            f"no session '{cmd.session_id}'; pick one from `upgradecamp sessions list`",
            "invite_unknown_session",
            session=cmd.session_id,
        )
    status = wave["session"]["status"]
    if cmd.kind == "sms" and status not in ("planned", "open"):
        raise RuleRefused(
            f"session {cmd.session_id} is {status}; invitation SMS go only to planned sessions",
            "export_sms_not_upcoming",
            session=cmd.session_id,
            status=status,
        )
    if cmd.kind == "sms":
        rows, left_out = sms_rows(wave, cmd.template or SMS_TEMPLATE)
    else:
        rows, left_out = call_rows(wave, masked=cmd.masked)
    staged = staged_file(uow, cmd.out)
    written = fill_wave_file(staged.temp, cmd.kind, rows)
    record_export_event(
        uow,
        PersonalDataExported(
            what=f"invitations.{cmd.kind}",
            format="csv",
            rows=written,
            unmasked=not cmd.masked,
            filters={"session": cmd.session_id, "kind": cmd.kind},
            file=str(cmd.out),
        ),
    )
    return {
        "session_id": cmd.session_id,
        "kind": cmd.kind,
        "file": str(cmd.out),
        "rows": written,
        "masked": cmd.masked,
        "left_out": left_out,
    }


def export_cancellation_sms(uow: UnitOfWork, cmd: ExportCancellationSms) -> dict[str, Any]:
    """A cancelled session's SMS file; {session_id, file, rows, next_session, left_out}."""
    actor = uow.actor
    actor.require("invites.manage", "write the cancellation SMS file (clients' mobiles)")
    actor.require("exports.run", "export personal data")
    actor.require("exports.unmasked", "export plain mobile numbers")
    wave = wave_rows(uow.conn, cmd.session_id)
    if wave is None:
        raise NotFound(
            f"no session '{cmd.session_id}'; pick one from `upgradecamp sessions list`",
            "invite_unknown_session",
            session=cmd.session_id,
        )
    session = wave["session"]
    if session["status"] != "cancelled":
        raise RuleRefused(
            f"session {cmd.session_id} is {session['status']}, not cancelled; the cancellation "
            f"SMS is written when it is cancelled (`upgradecamp sessions cancel "
            f"{cmd.session_id} --reason R --sms-out FILE`)",
            "cancel_sms_not_cancelled",
            session=cmd.session_id,
            status=session["status"],
        )
    found = next_session(uow.conn, session["branch"], uow.clock(), cmd.session_id)
    next_starts = found.starts_at if found is not None else None
    rows, left_out = cancellation_rows(wave, next_starts)
    written = fill_wave_file(staged_file(uow, cmd.out).temp, "sms", rows)
    record_export_event(
        uow,
        PersonalDataExported(
            what="invitations.cancel_sms",
            format="csv",
            rows=written,
            unmasked=True,
            filters={"session": cmd.session_id, "kind": "cancel_sms"},
            file=str(cmd.out),
        ),
    )
    return {
        "session_id": cmd.session_id,
        "file": str(cmd.out),
        "rows": written,
        "next_session": next_starts.isoformat() if next_starts else None,
        "left_out": left_out,
    }


def record_export(uow: UnitOfWork, cmd: RecordExport) -> dict[str, Any]:
    """Record a file of personal data written elsewhere (a script, another system)."""
    uow.actor.require("exports.run", "export personal data")
    if cmd.unmasked:
        uow.actor.require("exports.unmasked", "export plain mobile numbers")
    if cmd.rows < 0:
        raise BadInput(f"an export cannot have {cmd.rows} rows", "invite_bad_export")
    record_export_event(
        uow,
        PersonalDataExported(
            what=cmd.what,
            format=cmd.format,
            rows=cmd.rows,
            unmasked=cmd.unmasked,
            filters=dict(cmd.filters),
            file=cmd.file,
        ),
    )
    return {
        "what": cmd.what,
        "format": cmd.format,
        "rows": cmd.rows,
        "unmasked": cmd.unmasked,
        "file": cmd.file,
    }


HANDLERS: Handlers = {
    ExportList: export_list,
    ExportWaveFile: export_wave_file,
    ExportCancellationSms: export_cancellation_sms,
    RecordExport: record_export,
}
