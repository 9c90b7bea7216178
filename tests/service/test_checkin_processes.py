"""Four check-in desks at once on one SQLite file, as four OS processes.

Each process has its own Services (engine, terminal) and checks in an overlapping share of the
same people: invitees by code, known clients and new prospects as walk-ins, for one session
whose capacity they run into. Afterwards every client is checked in at most once, every refusal
says why (already checked in, with the desk that did it; or the room is full), and nobody,
invitee or walk-in, was let in while the room was full.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN, ADMIN_PIN, FakeClock
from tests.helpers import client_row

SESSION = "B02-20261120-1500"
DESKS = 4
CAPACITY = 10
INVITEES = 8
KNOWN_WALK_INS = 8
PROSPECTS = 4
JOIN_SECONDS = 120


def _desk(
    db: str, desk: int, items: list[tuple[str, str]], ready: Any, go: Any, results: Any
) -> None:
    """One check-in desk: wait for the others, then check its list in as fast as it can."""
    from upgradecamp.domain.commands import CheckIn
    from upgradecamp.domain.errors import DomainError
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import bootstrap

    services = bootstrap(db, terminal=f"desk-{desk}")
    actor = Actor(code=f"ck{desk}", role="checkin", branch="B02")
    outcomes = []
    ready.put(desk)
    go.wait(JOIN_SECONDS)
    for kind, value in items:
        if kind == "code":
            cmd = CheckIn(session_id=SESSION, code=value)
        elif kind == "client":
            cmd = CheckIn(session_id=SESSION, client_id=value)
        else:
            cmd = CheckIn(
                session_id=SESSION, prospect_name=f"散客{value[-2:]}", prospect_mobile=value
            )
        try:
            result = services.execute(cmd, actor)
            outcomes.append((kind, value, "ok", result["client_id"], {}))
        except DomainError as err:
            outcomes.append((kind, value, "refused", err.code, dict(err.params)))
    services.engine.dispose()
    results.put((desk, outcomes))


@pytest.fixture
def session_db(tmp_path):
    from upgradecamp.domain.commands import (
        AddStaff,
        BuildInviteList,
        OpenSession,
        PlanSessions,
        RegisterClients,
    )
    from upgradecamp.service.bus import bootstrap
    from upgradecamp.service.setup import initialise

    path = str(tmp_path / "desks.db")
    clock = FakeClock()
    services = bootstrap(path, clock=clock, terminal="setup")
    initialise(services, admin_code=ADMIN.code, admin_name=ADMIN.name, admin_pin=ADMIN_PIN)
    for desk in range(DESKS):
        services.execute(
            AddStaff(
                code=f"ck{desk}", name=f"签到{desk}", role="checkin", branch="B02", pin="246809"
            ),
            ADMIN,
        )
    # Invitees within the default AUM range, walk-ins above it (never drawn for the list).
    clients = [client_row(n, aum="80000.00") for n in range(INVITEES)]
    clients += [client_row(100 + n, aum="300000.00") for n in range(KNOWN_WALK_INS)]
    services.execute(RegisterClients(clients=clients), ADMIN)
    clock.advance(days=-40)
    services.execute(PlanSessions(branch="B02", start="2026-11-20 15:00", capacity=CAPACITY), ADMIN)
    built = services.execute(
        BuildInviteList(session_id=SESSION, per_seat=str(INVITEES / CAPACITY)), ADMIN
    )
    clock.advance(days=40)
    services.execute(OpenSession(session_id=SESSION), ADMIN)
    services.engine.dispose()
    assert len(built["invitations"]) == INVITEES
    return path, built["invitations"]


def _lists(invitations: list[dict]) -> list[list[tuple[str, str]]]:
    """Every person goes to three of the four desks, each desk in its own order."""
    people = [("code", i["code"]) for i in invitations]
    people += [("client", client_row(100 + n)["client_id"]) for n in range(KNOWN_WALK_INS)]
    people += [("prospect", f"1360000{n:04d}") for n in range(PROSPECTS)]
    lists = []
    for desk in range(DESKS):
        mine = [p for i, p in enumerate(people) if i % DESKS != desk]
        shift = desk * len(mine) // DESKS
        lists.append(
            mine[shift:] + mine[:shift]
            if desk % 2 == 0
            else list(reversed(mine[shift:] + mine[:shift]))
        )
    return lists


def test_four_desks_check_in_overlapping_lists_at_once(session_db):
    from upgradecamp.service.bus import bootstrap
    from upgradecamp.store.db import read_transaction
    from upgradecamp.store.tables import ClientRow
    from upgradecamp.store.tables.sessions import CheckInRow, SessionRow

    path, invitations = session_db
    ctx = multiprocessing.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(target=_desk, args=(path, desk, items, ready, go, results))
        for desk, items in enumerate(_lists(invitations))
    ]
    for p in procs:
        p.start()
    try:
        for _ in procs:
            ready.get(timeout=JOIN_SECONDS)
        go.set()
        outcomes = dict(results.get(timeout=JOIN_SECONDS) for _ in procs)
    finally:
        for p in procs:
            p.join(JOIN_SECONDS)
            if p.is_alive():  # pragma: no cover - only when a desk hangs
                p.kill()
    assert [p.exitcode for p in procs] == [0] * DESKS

    services = bootstrap(path, terminal="check")
    with read_transaction(services.engine) as conn:
        rows = [dict(r) for r in conn.execute(select(CheckInRow)).mappings()]
        session = dict(
            conn.execute(select(SessionRow).where(SessionRow.session_id == SESSION))
            .mappings()
            .one()
        )
        prospects = list(
            conn.execute(select(ClientRow.mobile).where(ClientRow.client_id.like("P%"))).scalars()
        )
        events = list(services.log.read_stream(conn, f"session-{SESSION}"))
    services.engine.dispose()

    # Every client at most once; no prospect registered twice.
    per_client = Counter(r["client_id"] for r in rows)
    assert max(per_client.values()) == 1
    assert len(prospects) == len(set(prospects)) <= PROSPECTS
    # Each successful check-in was reported by exactly one desk.
    done = [o for desk in outcomes.values() for o in desk if o[2] == "ok"]
    assert sorted(o[3] for o in done) == sorted(per_client)
    # Refusals say why: already checked in (naming the desk that did it) or the room is full.
    terminal_of = {r["client_id"]: (r["terminal"], r["by"]) for r in rows}
    refused = [o for desk in outcomes.values() for o in desk if o[2] == "refused"]
    assert {o[3] for o in refused} <= {"already_checked_in", "session_full"}
    for _kind, _value, _, code, params in refused:
        if code == "already_checked_in":
            assert (params["terminal"], params["by"]) == terminal_of[params["client"]]
    fulls = [o for o in refused if o[3] == "session_full"]
    # In log order: nobody was let in while the room was full, invitees included.
    attended = 0
    for ev in events:
        if ev.type == "ClientCheckedIn":
            assert attended < CAPACITY, ev.payload
            attended += 1
        elif ev.type == "CheckInAnnulled":  # pragma: no cover - nobody annuls here
            attended -= 1
    assert attended == len(rows) == session["attended"]
    assert session["walk_ins"] == sum(r["walk_in"] for r in rows)
    # The desks ran into the capacity: some were told the room is full, and it is exactly full.
    assert fulls and session["attended"] == CAPACITY
