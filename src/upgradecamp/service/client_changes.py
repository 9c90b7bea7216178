"""An import's second pass: checked rows compared with the client register, as events.

Given rows that passed the file checks, `decide_rows` loads their clients in a few queries,
refuses what only the database can tell (an unknown branch, an RM who is not staff), leaves
out forgotten clients, and returns the `ClientRegistered` events of new clients and the
`ClientDetailsChanged` events (changed fields only) of the others. Apart from `clients.py`,
which holds the handlers (permission, reading the file, all-or-nothing, the result and its
report), because how a CRM row becomes a change (what may be cleared, that a consent
withdrawn here is kept) is the rule of the import and reads best on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func
from sqlmodel import col, select

from upgradecamp.domain.client_import import REQUIRED, problem
from upgradecamp.domain.events.clients import ClientDetailsChanged, ClientRegistered
from upgradecamp.domain.privacy import is_forgotten_mobile, left_out
from upgradecamp.service.privacy import forgotten_on
from upgradecamp.service.unit_of_work import UnitOfWork
from upgradecamp.store.log_tables import event_log
from upgradecamp.store.tables import ClientRow

# Client numbers (or stream ids) in one `IN (…)` query.
CHUNK_IN = 500
CLEARABLE = ("rm", "risk_grade", "risk_expires", "birthday")
_REGISTERED_LIST = TypeAdapter(list[ClientRegistered])
_CLIENT_COLUMNS = (
    ClientRow.client_id,
    ClientRow.name,
    ClientRow.mobile,
    ClientRow.id_last4,
    ClientRow.branch,
    ClientRow.rm,
    ClientRow.aum_cents,
    ClientRow.risk_grade,
    ClientRow.risk_expires,
    ClientRow.marketing_consent,
    ClientRow.contact_status,
    ClientRow.consent_withdrawn,
    ClientRow.birthday,
)


@dataclass(frozen=True)
class States:
    """What a row is checked against besides itself: the codes the register knows."""

    branches: set[str]
    staff: set[str]

    @property
    def staff_folded(self) -> dict[str, str]:
        return {code.lower(): code for code in self.staff}


@dataclass
class Decided:
    """One chunk's outcome: the events to record and what the rows did."""

    registered: list[ClientRegistered]
    changed: list[ClientDetailsChanged]
    problems: list[dict[str, Any]]
    unchanged: int
    kept_withdrawn: int
    left_out: list[dict[str, Any]]


def decide_rows(uow: UnitOfWork, rows: list[dict[str, Any]], states: States) -> Decided:
    """The events of some checked rows against the register as it is now."""
    staff_folded = states.staff_folded
    problems: list[dict[str, Any]] = []
    good: list[dict[str, Any]] = []
    for row in rows:
        row, row_problems = _check_against_state(row, states.branches, states.staff, staff_folded)
        if row_problems:
            problems.extend(row_problems)
        else:
            good.append(row)
    current = _load_clients(uow, [row["client_id"] for row in good])
    forgotten = forgotten_on(uow, [c for c, r in current.items() if is_forgotten_mobile(r.mobile)])
    new_rows: list[dict[str, Any]] = []
    changed: list[ClientDetailsChanged] = []
    gone: list[dict[str, Any]] = []
    unchanged = kept_withdrawn = 0
    for row in good:
        existing = current.get(row["client_id"])
        if existing is None:
            new_rows.append(row)
            continue
        if row["client_id"] in forgotten:
            gone.append(left_out(row.get("line", 0), row["client_id"], forgotten[row["client_id"]]))
            continue
        changes, cleared, kept = _changes(row, existing)
        kept_withdrawn += kept
        if not (changes or cleared):
            unchanged += 1
            continue
        try:
            changed.append(
                ClientDetailsChanged(client_id=row["client_id"], cleared=cleared, **changes)
            )
        except ValidationError as exc:  # a row that did not come through check_rows
            problems.extend(_invalid(row, exc.errors()))
    registered, invalid_new = _registered(new_rows)
    return Decided(registered, changed, [*problems, *invalid_new], unchanged, kept_withdrawn, gone)


def _check_against_state(
    row: dict[str, Any], branches: set[str], staff: set[str], staff_folded: dict[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Problems only the database can tell: an unknown branch, an RM who is not staff."""
    line = row.get("line", 0)
    absent = [name for name in REQUIRED if row.get(name) is None]
    if absent:  # only a row that did not come through check_rows can lack one
        return row, [problem(line, name, "", "missing_cell") for name in absent]
    problems = []
    branch = row["branch"]
    if branch not in branches:
        problems.append(
            problem(line, "branch", branch, "unknown_branch", known=", ".join(sorted(branches)))
        )
    rm = row.get("rm")
    if rm and rm not in staff:
        found = staff_folded.get(rm.lower())
        if found is None:
            problems.append(problem(line, "rm", rm, "unknown_rm"))
        else:
            row = {**row, "rm": found}
    return row, problems


def _load_clients(uow: UnitOfWork, ids: list[str]) -> dict[str, Any]:
    query = select(*_CLIENT_COLUMNS)  # type: ignore[call-overload]  # sqlmodel: 4 columns max
    found: dict[str, Any] = {}
    for start in range(0, len(ids), CHUNK_IN):
        chunk = ids[start : start + CHUNK_IN]
        for r in uow.conn.execute(query.where(col(ClientRow.client_id).in_(chunk))):
            found[r.client_id] = r
    return found


def stream_versions(uow: UnitOfWork, stream_ids: list[str]) -> dict[str, int]:
    versions: dict[str, int] = {}
    sid, version = event_log.c.stream_id, event_log.c.stream_version
    for start in range(0, len(stream_ids), CHUNK_IN):
        chunk = stream_ids[start : start + CHUNK_IN]
        for stream_id, top in uow.conn.execute(
            select(sid, func.max(version)).where(sid.in_(chunk)).group_by(sid)
        ):
            versions[stream_id] = int(top)
    return versions


def _registered(rows: list[dict[str, Any]]) -> tuple[list[ClientRegistered], list[dict[str, Any]]]:
    """The events of new clients, validated as one batch (a third of the time of one by one).

    A row the event refuses (only one that did not come through check_rows can be) becomes a
    problem naming its line.
    """
    payloads = [
        {
            "client_id": row["client_id"],
            "name": row["name"],
            "mobile": row["mobile"],
            "id_last4": row["id_last4"],
            "branch": row["branch"],
            "rm": row.get("rm"),
            "aum": row["aum"],
            "risk_grade": row.get("risk_grade"),
            "risk_expires": row.get("risk_expires"),
            "marketing_consent": row["marketing_consent"],
            "contact_status": row.get("contact_status") or "ok",
            "birthday": row.get("birthday"),
        }
        for row in rows
    ]
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
    return [
        {
            "line": row.get("line", 0),
            "column": ".".join(str(x) for x in e["loc"]),
            "value": "",
            "reason": e["msg"],
            "code": "invalid",
        }
        for e in errors
    ]


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
