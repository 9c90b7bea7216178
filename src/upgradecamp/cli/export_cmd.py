"""`upgradecamp export followups|invitations|clients` (SPEC §6): lists to CSV, XLSX or JSON.

Every export is recorded (who, what, format, how many rows, masked or not, filters, file).
Mobiles are masked unless `--unmasked`, which only organizers, branch heads and admins may use.
"""

from __future__ import annotations

import sys
import time
from typing import Annotated, Any

import typer

from upgradecamp.cli.common import AsOption, DbOption, JsonOption, open_services, sign_in
from upgradecamp.cli.output import emit_json, handles_errors, say, text

app = typer.Typer(
    help="Export follow-ups, invitations or clients (导出) to CSV, XLSX or JSON.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

OutOption = Annotated[
    str, typer.Option("--out", help="file to write; it appears only once complete")
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format", help="csv (UTF-8 with BOM), xlsx or json; default: the --out file's suffix"
    ),
]
SessionOption = Annotated[str | None, typer.Option("--session", help="one session's rows")]
BranchOption = Annotated[str | None, typer.Option("--branch", help="branch code, e.g. B02")]
UnmaskedOption = Annotated[
    bool,
    typer.Option(
        "--unmasked", help="plain mobile numbers (organizer, branch head or admin only; recorded)"
    ),
]
DueFromOption = Annotated[str | None, typer.Option("--due-from", help="due on or after YYYY-MM-DD")]
DueToOption = Annotated[str | None, typer.Option("--due-to", help="due on or before YYYY-MM-DD")]

# A bar for an export that is over in a moment would only flicker.
PROGRESS_AFTER_SECONDS = 0.5


class _ProgressBar:
    """A rich progress bar on stderr that shows up only once an export has run a while."""

    def __init__(self, what: str):
        self.what = what
        self.total: int | None = None
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    def counted(self, total: int) -> None:
        self.total = total

    def __call__(self, done: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < PROGRESS_AFTER_SECONDS:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bar = Progress(
                TextColumn(f"exporting {self.what}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task(self.what, total=self.total)
            self.bar.start()
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _export(
    what: str,
    out: str,
    fmt: str | None,
    filters: dict[str, str | None],
    unmasked: bool,
    db: str | None,
    acting: str | None,
    json_out: bool,
) -> None:
    from upgradecamp.domain.commands.exports import ExportList

    services = open_services(db)
    actor = sign_in(services, acting)
    bar = _ProgressBar(what) if sys.stderr.isatty() else None
    given = tuple((k, v) for k, v in filters.items() if v not in (None, ""))
    try:
        result = services.execute(
            ExportList(
                what=what,
                out=out,
                format=fmt,
                filters=given,
                unmasked=unmasked,
                progress=bar,
                counted=bar.counted if bar is not None else None,
            ),
            actor,
        )
    finally:
        if bar is not None:
            bar.close()
    if json_out:
        emit_json(result)
        return
    say(
        text(
            "cli_summary.exported_unmasked" if unmasked else "cli_summary.exported_masked",
            rows=result["rows"],
            file=result["file"],
        )
    )


@app.command("followups")
@handles_errors
def followups(
    out: OutOption,
    fmt: FormatOption = None,
    session: SessionOption = None,
    branch: BranchOption = None,
    assignee: Annotated[
        str | None,
        typer.Option("--assignee", help="staff code of the member of staff following up"),
    ] = None,
    status: Annotated[str | None, typer.Option("--status", help="open or done")] = None,
    due_from: DueFromOption = None,
    due_to: DueToOption = None,
    unmasked: UnmaskedOption = False,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Follow-ups (跟进) by due date: client, mobile, AUM, assignee, status and outcome."""
    _export(
        "followups",
        out,
        fmt,
        {
            "session": session,
            "branch": branch,
            "assignee": assignee,
            "status": status,
            "due_from": due_from,
            "due_to": due_to,
        },
        unmasked,
        db,
        acting,
        json_out,
    )


@app.command("invitations")
@handles_errors
def invitations(
    out: OutOption,
    fmt: FormatOption = None,
    session: SessionOption = None,
    branch: BranchOption = None,
    assignee: Annotated[
        str | None,
        typer.Option("--assignee", help="staff code of the clients' relationship manager"),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="invited, sent, confirmed, declined, no_answer, call_back, "
            "wrong_number or opted_out",
        ),
    ] = None,
    unmasked: UnmaskedOption = False,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Invitations (邀约) by session: client, mobile, check-in code, state and call results."""
    _export(
        "invitations",
        out,
        fmt,
        {"session": session, "branch": branch, "assignee": assignee, "status": status},
        unmasked,
        db,
        acting,
        json_out,
    )


@app.command("clients")
@handles_errors
def clients(
    out: OutOption,
    fmt: FormatOption = None,
    session: Annotated[
        str | None, typer.Option("--session", help="only the clients invited to this session")
    ] = None,
    branch: BranchOption = None,
    assignee: Annotated[
        str | None,
        typer.Option("--assignee", help="staff code of the relationship manager (客户经理)"),
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="contact status: ok or unreachable")
    ] = None,
    unmasked: UnmaskedOption = False,
    db: DbOption = None,
    acting: AsOption = None,
    json_out: JsonOption = False,
) -> None:
    """Clients (客户) by client number: mobile, ID last 4, AUM, risk grade, consent, points."""
    _export(
        "clients",
        out,
        fmt,
        {"session": session, "branch": branch, "assignee": assignee, "status": status},
        unmasked,
        db,
        acting,
        json_out,
    )
