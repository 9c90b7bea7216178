"""Handlers of the clients commands (see `domain/commands/clients.py`): the CRM import.

An import is all or nothing: with a bad row anywhere, nothing is written unless the user asked
for the good rows only. A row of a forgotten client is no bad row: the bank's CRM still lists
the person, so the row is left out (named by its line in `left_out`) and the rest imported.
A re-import writes one event per client whose CRM values changed
(only the changed fields) and nothing for the others, so the log records what the CRM changed
and when. Two things upgradecamp knows better than the CRM are kept: a consent the client
withdrew here (SMS reply R, a call) and a contact status the file leaves empty.

`ImportClientFile` reads the file in its own unit of work: the permission is checked once,
before any of the file is read, and the rows are checked against the codes of that same
transaction.

Speed: the clients of a chunk of rows are loaded in a few queries, and the stream versions of
its changed clients likewise; nothing is read per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from upgradecamp.domain.client_cells import normalise
from upgradecamp.domain.client_import import (
    OPTIONAL,
    KnownCodes,
    check_row,
    problem,
    problem_text,
)
from upgradecamp.domain.commands.clients import ImportClientFile, ImportClients
from upgradecamp.domain.errors import BadInput
from upgradecamp.domain.events import DomainEvent, streams
from upgradecamp.domain.events.clients import ClientsImported
from upgradecamp.io.client_files import open_client_file
from upgradecamp.io.import_spool import ImportSpool
from upgradecamp.io.problem_report import write_problem_report
from upgradecamp.service.client_changes import Decided, States, decide_rows, stream_versions
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.tables import BranchRow, ClientRow, StaffRow
from upgradecamp.store.tables.privacy import PersonalDataRow
from upgradecamp.store.tables.search import ClientSearchRow

# Rows decided, appended and projected at a time.
CHUNK = 5_000
# From this many rows, against a register under half the size, indexes are built at the end.
BULK_ROWS = 10_000
_BULK_TABLES = (ClientRow, ClientSearchRow, PersonalDataRow)
# Problems a screen or the terminal shows; the report file has them all.
SHOWN_PROBLEMS = 50


def import_client_file(uow: UnitOfWork, cmd: ImportClientFile) -> dict[str, Any]:
    """Read, check and import one CRM file: what `clients import` and the TUI screen run.

    Two passes, memory flat at any size: the first reads and checks the file row by row into a
    spool on disk (io/import_spool.py) and finds every bad row; the second reads the good rows
    back a chunk at a time, compares them with the register and records the events, inside
    the write transaction (`UnitOfWork.record_in_chunks`), so the import is all or nothing.
    """
    uow.actor.require("clients.import", "import clients")
    file = open_client_file(cmd.path)
    branches, staff = _codes(uow)
    spool = ImportSpool()
    uow.after_commit(spool.close, otherwise=spool.close)
    _check_file(file.rows, file.columns, KnownCodes.of(branches, staff), spool)
    if spool.problem_count and not cmd.good_rows_only and not cmd.dry_run:
        raise bad_rows_error(
            spool.first_problems(SHOWN_PROBLEMS),
            spool.bad_line_count(),
            problem_count=spool.problem_count,
            report=str(write_problem_report(cmd.path, spool.problems)),
        )
    result = _result(file.source, cmd.dry_run, spool.rows, [])
    result["notes"] = list(file.notes)
    if not spool.rows:
        result["notes"].append("the file has a header but no client rows")
    result["encoding"] = file.encoding
    result["ignored_columns"] = file.ignored
    result["absent_columns"] = [name for name in OPTIONAL if name not in file.columns]
    states = States(branches, staff)
    if cmd.dry_run:
        tally = _Tally(spool=spool)
        for rows in spool.good_rows(CHUNK):
            tally.add(decide_rows(uow, rows, states))
        return _reported(tally.into(result), spool, cmd.path)

    def chunks() -> Iterator[tuple[dict[str, int], list[DomainEvent]]]:
        tally = _Tally(spool=spool)
        for rows in spool.good_rows(CHUNK):
            decided = tally.add(decide_rows(uow, rows, states))
            if decided.problems and not cmd.good_rows_only:
                # Only if the register changed since the check (a branch removed meanwhile).
                raise bad_rows_error(decided.problems, len({p["line"] for p in decided.problems}))
            versions = stream_versions(uow, [e.stream_id() for e in decided.changed])
            yield versions, [*decided.registered, *decided.changed]
        _reported(tally.into(result), spool, cmd.path)
        imports = streams.CLIENT_IMPORTS
        yield {imports: uow.log.stream_version(uow.conn, imports)}, [_audit(result)]

    uow.record_in_chunks(chunks, defer_indexes=_BULK_TABLES if _first_load(uow, spool) else ())
    return result


def _first_load(uow: UnitOfWork, spool: ImportSpool) -> bool:
    """A file that brings far more clients than the register holds (a branch's first load):
    its tables' indexes are built once at the end rather than row by row."""
    if spool.rows < BULK_ROWS:
        return False
    held = uow.conn.execute(select(func.count()).select_from(ClientRow)).one()[0]
    return held * 2 < spool.rows


def import_clients(uow: UnitOfWork, cmd: ImportClients) -> dict[str, Any]:
    """Rows a script checked already (`domain.client_import.check_rows`), held in memory."""
    uow.actor.require("clients.import", "import clients")
    branches, staff = _codes(uow)
    decided = decide_rows(uow, cmd.rows, States(branches, staff))
    problems = sorted([*cmd.problems, *decided.problems], key=lambda p: p["line"])
    bad_lines = sorted({p["line"] for p in problems})
    if problems and not cmd.good_rows_only and not cmd.dry_run:
        raise bad_rows_error(problems, len(bad_lines))
    rows = len(cmd.rows) + len({p["line"] for p in cmd.problems})
    tally = _Tally()
    tally.add(decided)
    # The tally adds the rows the register refused to those the script's check found.
    result = tally.into(_result(cmd.source, cmd.dry_run, rows, [dict(p) for p in cmd.problems]))
    if cmd.dry_run:
        return result
    uow.record(*decided.registered)
    uow.expect(stream_versions(uow, [e.stream_id() for e in decided.changed]))
    uow.record(*decided.changed)
    uow.stream_version(streams.CLIENT_IMPORTS)
    uow.record(_audit(result))
    return result


def _codes(uow: UnitOfWork) -> tuple[set[str], set[str]]:
    """The branch codes and staff codes a row may name."""
    return (
        set(uow.conn.execute(select(BranchRow.code)).scalars()),
        set(uow.conn.execute(select(StaffRow.code)).scalars()),
    )


def _check_file(
    rows: Iterable[dict[str, Any]], columns: list[str], known: KnownCodes, spool: ImportSpool
) -> None:
    """First pass: every row checked as it is read and spooled with its problems (a repeated
    client number, found once the whole file is read, after the row's own)."""
    present = set(columns)
    for raw in rows:
        check = check_row(raw, present, known)
        clean = check.clean
        raw_id = raw.get("client_id")
        client_id = clean["client_id"] if clean is not None else normalise(raw_id)
        spool.add(check.line, client_id, raw_id, clean)
        if check.problems:
            spool.add_problems(check.problems)
    spool.add_problems(
        [
            problem(line, "client_id", raw_id, "duplicate", other_line=first)
            for line, raw_id, first in spool.duplicates()
        ]
    )


def _reported(result: dict[str, Any], spool: ImportSpool, path: str) -> dict[str, Any]:
    """The first problems, their count and the bad lines into `result`; every problem into
    the report file (io/problem_report.py), whose path `result` gives."""
    if spool.problem_count:
        result.update(
            problems=spool.first_problems(SHOWN_PROBLEMS),
            problem_count=spool.problem_count,
            skipped=spool.bad_lines(),
            report=str(write_problem_report(path, spool.problems)),
        )
    return result


def _result(
    source: str, dry_run: bool, rows: int, problems: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "source": source,
        "dry_run": dry_run,
        "rows": rows,
        "registered": 0,
        "updated": 0,
        "unchanged": 0,
        "kept_withdrawn": 0,
        "skipped": sorted({p["line"] for p in problems}),
        "problems": problems,
        "left_out": [],
        "problem_count": len(problems),
        "report": None,
        "notes": [],
    }


def _audit(result: dict[str, Any]) -> ClientsImported:
    return ClientsImported(
        source=result["source"],
        rows=result["rows"],
        registered=result["registered"],
        updated=result["updated"],
        unchanged=result["unchanged"],
        skipped_rows=result["skipped"],
        left_out_rows=[x["line"] for x in result["left_out"]],
    )


@dataclass
class _Tally:
    registered: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_withdrawn: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)
    spool: ImportSpool | None = None  # where the problems go, if not into `problems`

    def add(self, decided: Decided) -> Decided:
        self.registered += len(decided.registered)
        self.updated += len(decided.changed)
        self.unchanged += decided.unchanged
        self.kept_withdrawn += decided.kept_withdrawn
        if self.spool is not None:
            self.spool.add_problems(decided.problems)
        else:
            self.problems += decided.problems
        self.left_out += decided.left_out
        return decided

    def into(self, result: dict[str, Any]) -> dict[str, Any]:
        """The counts written into `result` (the same dict: the bus keeps it after commit)."""
        if self.problems:
            problems = sorted([*result["problems"], *self.problems], key=lambda p: p["line"])
            result.update(
                problems=problems,
                skipped=sorted({p["line"] for p in problems}),
                problem_count=len(problems),
            )
        result.update(
            left_out=sorted(self.left_out, key=lambda x: x["line"]),
            registered=self.registered,
            updated=self.updated,
            unchanged=self.unchanged,
            kept_withdrawn=self.kept_withdrawn,
        )
        if self.kept_withdrawn:
            result["notes"].append(
                f"{self.kept_withdrawn} client(s) withdrew marketing consent in upgradecamp; "
                "the file's Y was not applied (only the client can give consent back)"
            )
        return result


def bad_rows_error(
    problems: list[dict[str, Any]],
    bad_rows: int,
    *,
    problem_count: int | None = None,
    report: str | None = None,
) -> BadInput:
    """The first problems in one message, how many more, where all of them are, then what to
    do; params carry the first problems for screens."""
    total = len(problems) if problem_count is None else problem_count
    shown = problems[:SHOWN_PROBLEMS]
    lines = "\n".join(problem_text(p) for p in shown)
    if total > len(shown):
        lines += f"\n… and {total - len(shown):,} more problem(s)"
    if report:
        lines += f"\nEvery problem is listed in {report}"
    rows = "row" if bad_rows == 1 else "rows"
    return BadInput(
        f"{bad_rows:,} bad {rows} ({total:,} problem(s)); nothing was imported:\n{lines}\n"
        "Fix these rows in the CRM export and import the file again, or import only the good "
        "rows with --good-rows-only.",
        "import_bad_rows",
        problems=shown,
        count=bad_rows,
        problem_count=total,
        report=report,
    )


HANDLERS: Handlers = {ImportClients: import_clients, ImportClientFile: import_client_file}
