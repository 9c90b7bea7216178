"""Handlers of the clients commands (see `domain/commands/clients.py`): the CRM import.

An import is all or nothing: with a bad row anywhere, nothing is written unless the user asked
for the good rows only. A re-import writes one event per client whose CRM values changed
(only the changed fields) and nothing for the others, so the log records what the CRM changed
and when. Two things upgradecamp knows better than the CRM are kept: a consent the client
withdrew here (SMS reply R, a call) and a contact status the file leaves empty.

Speed: the clients the file names are loaded in one query (the whole table for a big file),
and the stream versions of changed clients in a few; nothing is read per row.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select

from upgradecamp.domain.client_import import (
    OPTIONAL,
    REQUIRED,
    KnownCodes,
    check_rows,
    problem,
    problem_text,
)
from upgradecamp.domain.commands.clients import ImportClients
from upgradecamp.domain.errors import BadInput
from upgradecamp.domain.events.clients import (
    ClientDetailsChanged,
    ClientRegistered,
    ClientsImported,
)
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import event_log
from upgradecamp.store.tables import BranchRow, ClientRow, StaffRow

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

# Above this many rows the whole client table is read at once; below, only the named clients.
LOAD_ALL_ABOVE = 2_000
CHUNK = 500
CLEARABLE = ("rm", "risk_grade", "risk_expires")
_REGISTERED_LIST = TypeAdapter(list[ClientRegistered])
_CLIENT_COLUMNS = (ClientRow.client_id, ClientRow.name, ClientRow.mobile, ClientRow.id_last4,
                   ClientRow.branch, ClientRow.rm, ClientRow.aum_cents, ClientRow.risk_grade,
                   ClientRow.risk_expires, ClientRow.marketing_consent, ClientRow.contact_status,
                   ClientRow.consent_withdrawn)


def import_clients(uow: UnitOfWork, cmd: ImportClients) -> dict[str, Any]:
    uow.actor.require("clients.import", "import clients")
    branches = set(uow.conn.execute(select(BranchRow.code)).scalars())
    staff = set(uow.conn.execute(select(StaffRow.code)).scalars())
    staff_folded = {code.lower(): code for code in staff}
    problems = [dict(p) for p in cmd.problems]
    good: list[dict[str, Any]] = []
    for row in cmd.rows:
        row, row_problems = _check_against_state(row, branches, staff, staff_folded)
        if row_problems:
            problems.extend(row_problems)
        else:
            good.append(row)
    current = _load_clients(uow, [row["client_id"] for row in good])
    new_rows: list[dict[str, Any]] = []
    changed: list[ClientDetailsChanged] = []
    invalid: list[dict[str, Any]] = []
    unchanged = kept_withdrawn = 0
    for row in good:
        existing = current.get(row["client_id"])
        if existing is None:
            new_rows.append(row)
            continue
        changes, cleared, kept = _changes(row, existing)
        kept_withdrawn += kept
        if not (changes or cleared):
            unchanged += 1
            continue
        try:
            changed.append(ClientDetailsChanged(client_id=row["client_id"], cleared=cleared,
                                                **changes))
        except ValidationError as exc:  # a row that did not come through check_rows
            invalid.extend(_invalid(row, exc.errors()))
    registered, invalid_new = _registered(new_rows)
    problems = sorted([*problems, *invalid, *invalid_new], key=lambda p: p["line"])
    bad_lines = sorted({p["line"] for p in problems})
    if problems and not cmd.good_rows_only and not cmd.dry_run:
        raise bad_rows_error(problems, len(bad_lines))

    notes = []
    if kept_withdrawn:
        notes.append(f"{kept_withdrawn} client(s) withdrew marketing consent in upgradecamp; "
                     "the file's Y was not applied (only the client can give consent back)")
    result = {
        "source": cmd.source,
        "dry_run": cmd.dry_run,
        "rows": len(cmd.rows) + len({p["line"] for p in cmd.problems}),
        "registered": len(registered),
        "updated": len(changed),
        "unchanged": unchanged,
        "kept_withdrawn": kept_withdrawn,
        "skipped": bad_lines,
        "problems": problems,
        "notes": notes,
    }
    if cmd.dry_run:
        return result
    for event in registered:
        uow.record(0, event)
    versions = _stream_versions(uow, [e.stream_id() for e in changed])
    for event in changed:
        uow.record(versions.get(event.stream_id(), 0), event)
    uow.record(uow.stream_version("client-imports"), ClientsImported(
        source=cmd.source, rows=result["rows"], registered=len(registered),
        updated=len(changed), unchanged=unchanged, skipped_rows=bad_lines))
    return result


def bad_rows_error(problems: list[dict[str, Any]], bad_rows: int) -> BadInput:
    """Every bad row in one message, then what to do; params carry the rows for screens."""
    lines = "\n".join(problem_text(p) for p in problems)
    rows = "row" if bad_rows == 1 else "rows"
    return BadInput(
        f"{bad_rows} bad {rows} ({len(problems)} problem(s)); nothing was imported:\n{lines}\n"
        "Fix these rows in the CRM export and import the file again, or import only the good "
        "rows with --good-rows-only.",
        "import_bad_rows", problems=problems, count=bad_rows, problem_count=len(problems))


def _check_against_state(row: dict[str, Any], branches: set[str], staff: set[str],
                         staff_folded: dict[str, str]
                         ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Problems only the database can tell: an unknown branch, an RM who is not staff."""
    line = row.get("line", 0)
    absent = [name for name in REQUIRED if row.get(name) is None]
    if absent:  # only a row that did not come through check_rows can lack one
        return row, [problem(line, name, "", "missing_cell") for name in absent]
    problems = []
    branch = row["branch"]
    if branch not in branches:
        problems.append(problem(line, "branch", branch, "unknown_branch",
                                known=", ".join(sorted(branches))))
    rm = row.get("rm")
    if rm and rm not in staff:
        found = staff_folded.get(rm.lower())
        if found is None:
            problems.append(problem(line, "rm", rm, "unknown_rm"))
        else:
            row = {**row, "rm": found}
    return row, problems


def _load_clients(uow: UnitOfWork, ids: list[str]) -> dict[str, Any]:
    query = select(*_CLIENT_COLUMNS)
    if len(ids) > LOAD_ALL_ABOVE:
        return {r.client_id: r for r in uow.conn.execute(query)}
    found: dict[str, Any] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for r in uow.conn.execute(query.where(ClientRow.client_id.in_(chunk))):
            found[r.client_id] = r
    return found


def _stream_versions(uow: UnitOfWork, stream_ids: list[str]) -> dict[str, int]:
    versions: dict[str, int] = {}
    sid, version = event_log.c.stream_id, event_log.c.stream_version
    for start in range(0, len(stream_ids), CHUNK):
        chunk = stream_ids[start:start + CHUNK]
        for stream_id, top in uow.conn.execute(
                select(sid, func.max(version)).where(sid.in_(chunk)).group_by(sid)):
            versions[stream_id] = int(top)
    return versions


def _registered(rows: list[dict[str, Any]]
                ) -> tuple[list[ClientRegistered], list[dict[str, Any]]]:
    """The events of new clients, validated as one batch (a third of the time of one by one).

    A row the event refuses (only one that did not come through check_rows can be) becomes a
    problem naming its line.
    """
    payloads = [{
        "client_id": row["client_id"], "name": row["name"], "mobile": row["mobile"],
        "id_last4": row["id_last4"], "branch": row["branch"], "rm": row.get("rm"),
        "aum": row["aum"], "risk_grade": row.get("risk_grade"),
        "risk_expires": row.get("risk_expires"), "marketing_consent": row["marketing_consent"],
        "contact_status": row.get("contact_status") or "ok",
    } for row in rows]
    try:
        return _REGISTERED_LIST.validate_python(payloads), []
    except ValidationError as exc:
        errors: dict[int, list[Any]] = {}
        for err in exc.errors():
            errors.setdefault(int(err["loc"][0]), []).append({**err, "loc": err["loc"][1:]})
    good = [p for i, p in enumerate(payloads) if i not in errors]
    problems = [q for i, errs in sorted(errors.items()) for q in _invalid(rows[i], errs)]
    return _REGISTERED_LIST.validate_python(good), problems


def _invalid(row: dict[str, Any], errors: list[Any]) -> list[dict[str, Any]]:
    return [{"line": row.get("line", 0), "column": ".".join(str(x) for x in e["loc"]),
             "value": "", "reason": e["msg"], "code": "invalid"} for e in errors]


def _changes(row: dict[str, Any], current: Any) -> tuple[dict[str, Any], list[str], int]:
    """(changed fields, cleared fields, 1 if a withdrawn consent was kept) for one client.

    A column the file lacks is not in `row` and changes nothing; an empty contact status
    keeps the current one; an empty rm, risk grade or expiry date clears it.
    """
    changes: dict[str, Any] = {}
    cleared: list[str] = []
    for name in ("name", "mobile", "id_last4", "branch"):
        if row[name] != getattr(current, name):
            changes[name] = row[name]
    aum = Decimal(row["aum"])
    if int(aum * 100) != current.aum_cents:
        changes["aum"] = aum
    for name in CLEARABLE:
        if name not in row:
            continue
        new, old = row[name], getattr(current, name)
        if isinstance(old, date):
            old = old.isoformat()
        if new is None and old is not None:
            cleared.append(name)
        elif new is not None and new != old:
            changes[name] = new
    kept = 0
    consent = row["marketing_consent"]
    if consent and current.consent_withdrawn:
        kept = 1
    elif consent != bool(current.marketing_consent):
        changes["marketing_consent"] = consent
    status = row.get("contact_status")
    if status is not None and status != current.contact_status:
        changes["contact_status"] = status
    return changes, cleared, kept


def import_client_file(services: Services, actor: Actor, path: str | Path, *,
                       good_rows_only: bool = False, dry_run: bool = False) -> dict[str, Any]:
    """Read, check and import one CRM file: what `clients import` and the TUI screen run."""
    from upgradecamp.io.client_files import read_client_file

    actor.require("clients.import", "import clients")
    file = read_client_file(path)
    with read_transaction(services.engine) as conn:
        known = KnownCodes.of(conn.execute(select(BranchRow.code)).scalars(),
                              conn.execute(select(StaffRow.code)).scalars())
    rows, problems = check_rows(file.rows, file.columns, known)
    result = services.execute(ImportClients(source=file.source, rows=rows, problems=problems,
                                            good_rows_only=good_rows_only, dry_run=dry_run),
                              actor)
    result["notes"] = [*file.notes, *result["notes"]]
    if not file.rows:
        result["notes"].append("the file has a header but no client rows")
    result["encoding"] = file.encoding
    result["ignored_columns"] = file.ignored
    result["absent_columns"] = [name for name in OPTIONAL if name not in file.columns]
    return result


HANDLERS = {ImportClients: import_clients}
