"""Export commands: a list of personal data to a file, an invitation wave's file, a cancelled
session's SMS file, the session's paper (briefing, invitation cards).

Each handler checks who may, reads, writes the file and records PersonalDataExported in one
unit of work; the file appears once the export is recorded. `progress` and `counted` let a
caller watch a long export (a progress bar); they are not part of what is asked or recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from upgradecamp.domain.commands.base import Command

Watcher = Callable[[int], None]


@dataclass(frozen=True)
class ExportList(Command):
    """`upgradecamp export followups|invitations|clients` (导出): `what` to `out` as `format`
    (None: the file name's suffix), mobiles masked unless `unmasked`.

    `filters` are (name, value) pairs: session, branch, assignee, status, due_from, due_to.
    `counted(total)` hears the number of rows before writing; `progress(done)` as it goes.
    """

    what: str
    out: str
    format: str | None = None
    filters: tuple[tuple[str, str], ...] = ()
    unmasked: bool = False
    progress: Watcher | None = field(default=None, compare=False, repr=False)
    counted: Watcher | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ExportWaveFile(Command):
    """`upgradecamp invites export`: a session's bulk-SMS file (`kind` sms) or call list
    (calls) to `out`; `masked` gives a printable call list without full numbers."""

    session_id: str
    kind: str
    out: str
    masked: bool = False
    template: str | None = None


@dataclass(frozen=True)
class ExportCancellationSms(Command):
    """`upgradecamp sessions cancel --sms-out`: the SMS file of a cancelled session, one row
    per invitee still to be told."""

    session_id: str
    out: str


@dataclass(frozen=True)
class PrintBrief(Command):
    """`upgradecamp sessions brief`: the session briefing (活动简报) as an HTML file."""

    session_id: str
    out: str


@dataclass(frozen=True)
class PrintCards(Command):
    """`upgradecamp invites cards`: one invitation card (邀请函) per confirmed invitee as HTML,
    and with `png_dir` one QR-code PNG each, named by invitation id."""

    session_id: str
    out: str
    png_dir: str | None = None
