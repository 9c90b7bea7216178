"""Handlers of the session's paper: the briefing (`sessions brief`) and the invitation cards
(`invites cards`), from the CLI and the TUI alike.

Both carry personal data (names, masked mobiles, check-in codes), so each checks the role,
reads the session through its own transaction, has io/ write its files (owner-only, whole or
not at all) and records the export (PersonalDataExported: who, what, how many rows) in the
same unit of work; the files appear once the export is recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from upgradecamp.domain.commands.exports import PrintBrief, PrintCards
from upgradecamp.domain.errors import BadInput, NotFound, PermissionDenied, RuleRefused
from upgradecamp.domain.events.invitations import PersonalDataExported
from upgradecamp.domain.rules import business_date, shanghai
from upgradecamp.io.paper import card_png_name, fill_qr_png, fill_text
from upgradecamp.queries.paper import session_paper
from upgradecamp.service.exports import record_export_event, staged_file
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork

CARD_STATUSES = ("planned", "open")


def _paper(uow: UnitOfWork, session_id: str) -> dict[str, Any]:
    doc = session_paper(uow.conn, session_id, business_date(uow.clock()))
    if doc is None:
        raise NotFound(
            f"no session '{session_id}'; pick one from `upgradecamp sessions list`",
            "invite_unknown_session",
            session=session_id,
        )
    return doc


def print_brief(uow: UnitOfWork, cmd: PrintBrief) -> dict[str, Any]:
    """The session's briefing (HTML); {session_id, file, attendees}."""
    from upgradecamp.io.paper_html import render_brief

    actor = uow.actor
    actor.require("exports.run", "print a session briefing (it lists clients)")
    if not (actor.may("sessions.manage") or actor.may("reports.read")):
        raise PermissionDenied(
            f"{actor.code} ({actor.role}) may not print a session briefing; ask an organizer "
            "or the branch head",
            "paper_may_not_brief",
            staff=actor.code,
            role=actor.role,
        )
    doc = _paper(uow, cmd.session_id)
    if doc["session"]["status"] == "cancelled":
        raise RuleRefused(
            f"session {cmd.session_id} is cancelled; there is nothing to brief",
            "paper_session_cancelled",
            session=cmd.session_id,
        )
    text = render_brief(doc, printed_at=uow.clock().astimezone(shanghai()), printed_by=actor.code)
    fill_text(staged_file(uow, cmd.out).temp, text)
    count = len(doc["invitees"])
    record_export_event(
        uow,
        PersonalDataExported(
            what="sessions.brief",
            format="html",
            rows=count,
            unmasked=False,
            filters={"session": cmd.session_id},
            file=str(cmd.out),
        ),
    )
    return {"session_id": cmd.session_id, "file": str(cmd.out), "attendees": count}


def print_cards(uow: UnitOfWork, cmd: PrintCards) -> dict[str, Any]:
    """One invitation card per confirmed invitee (HTML), and with `png_dir` one QR PNG each
    named by invitation id; {session_id, file, cards, png_dir, pngs}."""
    from upgradecamp.io.paper_html import render_cards

    uow.actor.require("invites.manage", "print invitation cards (they carry check-in codes)")
    uow.actor.require("exports.run", "export personal data")
    doc = _paper(uow, cmd.session_id)
    status = doc["session"]["status"]
    if status not in CARD_STATUSES:
        raise RuleRefused(
            f"session {cmd.session_id} is {status}; cards are printed for planned or open sessions",
            "paper_cards_not_upcoming",
            session=cmd.session_id,
            status=status,
        )
    invitees = doc["invitees"]
    if not invitees:
        raise RuleRefused(
            f"session {cmd.session_id} has no confirmed invitee yet; record the "
            "call outcomes (`upgradecamp invites outcome`) first",
            "paper_no_confirmed",
            session=cmd.session_id,
        )
    folder = None
    if cmd.png_dir is not None:
        folder = Path(cmd.png_dir)
        if not folder.is_dir():
            raise BadInput(
                f"--png {folder}: no such folder; create it or choose another",
                "export_no_folder",
                file=str(folder),
            )
    fill_text(staged_file(uow, cmd.out).temp, render_cards(doc))
    pngs = []
    if folder is not None:
        for invitee in invitees:
            path = folder / card_png_name(invitee)
            fill_qr_png(staged_file(uow, path).temp, invitee["code"])
            pngs.append(str(path))
    filters = {"session": cmd.session_id}
    if folder is not None:
        filters["png_dir"] = str(folder)
    record_export_event(
        uow,
        PersonalDataExported(
            what="invitations.cards",
            format="html+png" if folder else "html",
            rows=len(invitees),
            unmasked=False,
            filters=filters,
            file=str(cmd.out),
        ),
    )
    return {
        "session_id": cmd.session_id,
        "file": str(cmd.out),
        "cards": len(invitees),
        "png_dir": str(folder) if folder else None,
        "pngs": pngs,
    }


HANDLERS: Handlers = {PrintBrief: print_brief, PrintCards: print_cards}
