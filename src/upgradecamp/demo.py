"""The demo branch cluster (Faker zh_CN), built through the command handlers.

Everything goes through `Services.execute`, so the demo's log is a real, verifiable log and its
read tables are exactly what a replay gives. Everything comes from the seed and the demo's
"today" — data, PINs, PIN salts, ids, the clock and the terminal — so the same seed on the
same day (`--today`) gives byte-identical `event_log` rows (same hashes), and a demo can be
rebuilt to reproduce what someone saw. The story is anchored on today, so this week's and the
coming weeks' sessions are really ahead of whoever opens the demo. A `DemoBuilt` event marks
the database as a demo and records the seed its PINs come from (`demo_staff.py`). Its key file
is derived from the seed too (store/keyfile.demo_secret): a random key would make every build's
chain hashes differ, and a demo holds no real data to protect.
"""

from __future__ import annotations

import heapq
import random
import time as timer
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from upgradecamp.demo_clients import ClientFactory
from upgradecamp.demo_progress import BuildProgress
from upgradecamp.demo_staff import demo_pin
from upgradecamp.domain.clock import at_local, business_date, system_clock

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

# The demo's log starts this long before its "today", at 09:00 local, and runs 1 ms per tick.
HISTORY = timedelta(days=42)
DEMO_TERMINAL = "demo"
ADMIN_CODE = "admin"
CLIENTS_PER_COMMAND = 1_000  # small enough that progress is said every few seconds

# Staff per branch: role, code suffix, how many (B02-MK1, B02-MK2, …).
STAFF_PLAN = (
    ("organizer", "OR", 1),
    ("checkin", "CK", 2),
    ("marketer", "MK", 2),
    ("branch_head", "BH", 1),
)
CORE_WEIGHT, SATELLITE_WEIGHT = 2, 1


@dataclass(frozen=True)
class DemoReport:
    clients: int
    events: int
    seconds: float
    staff: list[dict[str, str]]


class DemoClock:
    """A clock that starts at a fixed instant and moves 1 ms each time it is read."""

    def __init__(self, start: datetime):
        self._now = start.astimezone(UTC)
        self._tick = timedelta(milliseconds=1)

    def __call__(self) -> datetime:
        now = self._now
        self._now = now + self._tick
        return now

    def jump(self, to: datetime) -> None:
        """Move on to `to` (never back: the log's times only grow)."""
        self._now = max(self._now, to.astimezone(UTC))


def run_stories(
    clock: DemoClock,
    stories: list[Iterator[datetime]],
    on_step: Callable[[datetime], Any] | None = None,
) -> None:
    """Play several stories on one clock, always the one whose next step comes first.

    A story is a generator that yields the instant of its next step and acts when resumed;
    each is started at once (its set-up happens now, in the given order).
    """
    queue: list[tuple[datetime, int, Iterator[datetime]]] = []
    for n, story in enumerate(stories):
        first = next(story, None)
        if first is not None:
            heapq.heappush(queue, (first, n, story))
    while queue:
        when, n, story = heapq.heappop(queue)
        clock.jump(when)
        following = next(story, None)
        if on_step is not None:
            on_step(when)
        if following is not None:
            heapq.heappush(queue, (following, n, story))


def demo_start(today: date) -> datetime:
    return at_local(today - HISTORY, time(9, 0))


def shanghai_today() -> date:
    return business_date(system_clock())


def seeded_ids(seed: int) -> Callable[[], str]:
    """uuid4-looking hex ids from their own seeded stream (so they do not shift the data)."""
    ids = random.Random(f"upgradecamp-demo-ids-{seed}")
    return lambda: f"{ids.getrandbits(128):032x}"


def build_demo(
    db: str,
    *,
    customers: int = 20_000,
    seed: int = 2026,
    today: date | None = None,
    echo: Callable[[str], Any] = print,
    progress: BuildProgress | None = None,
) -> DemoReport:
    """Create and fill a demo database at `db` (path or URL) through the command handlers.

    `today` (default: today in Asia/Shanghai) anchors the story: clients and staff six weeks
    back, sessions from tomorrow for six weeks, invitations and calls in between. `echo` gets
    each phase's summary; `progress` (the CLI's goes to stderr) how far the build is.
    """
    from faker import Faker
    from sqlmodel import select

    from upgradecamp.demo_calendar import WEEKS, calendar_story, calendar_summary
    from upgradecamp.demo_event_day import event_day_stories, event_day_summary
    from upgradecamp.demo_year import year_story, year_summary
    from upgradecamp.domain.commands import RecordDemoBuilt, RegisterClients
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.auth import remembering_matches
    from upgradecamp.service.bus import bootstrap
    from upgradecamp.service.setup import initialise
    from upgradecamp.store.db import make_engine, read_transaction, write_transaction
    from upgradecamp.store.eventlog import EventLog
    from upgradecamp.store.keyfile import demo_secret
    from upgradecamp.store.policy_positions import advance
    from upgradecamp.store.tables import BranchRow

    started = timer.perf_counter()
    progress = progress or BuildProgress(lambda _line: None)
    progress.phase("the cluster, its rules and its staff")
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    today = today or shanghai_today()
    clock = DemoClock(demo_start(today))
    services = bootstrap(
        engine=make_engine(db, durable=False),
        clock=clock,
        new_id=seeded_ids(seed),
        terminal=DEMO_TERMINAL,
        rng=random.Random(f"upgradecamp-demo-codes-{seed}"),
    )
    try:
        with remembering_matches():
            admin_pin = demo_pin(seed, ADMIN_CODE)
            initialise(
                services,
                admin_code=ADMIN_CODE,
                admin_name="管理员",
                admin_pin=admin_pin,
                pin_salt=rng.randbytes(16),
                key_secret=demo_secret(seed),
            )
            with read_transaction(services.engine) as conn:
                branches = [
                    (r.code, r.kind)
                    for r in conn.execute(
                        select(BranchRow.code, BranchRow.kind).order_by(BranchRow.code)
                    )
                ]
            # The demo acts as staff it has just created and whose PINs it chose, so it does not
            # sign them in: a sign-in would only add argon2 checks and nothing to the log.
            core = next((c for c, kind in branches if kind == "core"), branches[0][0])
            admin = Actor(code=ADMIN_CODE, role="admin", branch=core, name="管理员")
            staff = [
                {
                    "code": ADMIN_CODE,
                    "pin": admin_pin,
                    "role": "admin",
                    "branch": core,
                    "name": admin.name,
                }
            ]
            staff += _add_staff(
                services, admin, [c for c, _k in branches], rng, fake, seed, progress
            )
            services.execute(
                RecordDemoBuilt(
                    seed=seed,
                    today=today.isoformat(),
                    customers=customers,
                    staff=[s["code"] for s in staff],
                ),
                admin,
            )
            echo(
                f"cluster: {len(branches)} branches, {len(staff)} staff "
                f"({timer.perf_counter() - started:.1f} s)"
            )

            organizer = next(s for s in staff if s["role"] == "organizer" and s["branch"] == core)
            acting = Actor(
                code=organizer["code"], role="organizer", branch=core, name=organizer["name"]
            )
            marketers = {
                code: [s["code"] for s in staff if s["role"] == "marketer" and s["branch"] == code]
                for code, _kind in branches
            }
            weights = [CORE_WEIGHT if kind == "core" else SATELLITE_WEIGHT for _c, kind in branches]
            rows = ClientFactory(
                rng, fake, [c for c, _k in branches], weights, marketers, today - HISTORY
            )
            done = 0
            progress.phase(f"clients 0 / {customers:,}")
            while done < customers:
                batch = rows.make(min(CLIENTS_PER_COMMAND, customers - done))
                services.execute(RegisterClients(clients=batch), acting)
                done += len(batch)
                progress.tick(f"clients {done:,} / {customers:,}")
            echo(f"clients: {done:,} / {customers:,} ({timer.perf_counter() - started:.1f} s)")
            made: dict[str, int] = {}
            first, days = today - HISTORY, HISTORY.days + 7 * WEEKS

            def story_step(when: datetime) -> None:
                day = business_date(when)
                progress.tick(
                    lambda: (
                        f"the story at {day} (day {(day - first).days + 1} of "
                        f"{days}: sessions, invitations, calls, event days)"
                    )
                )

            progress.phase(f"the story: {days} days of sessions, invitations, calls and event days")
            run_stories(
                clock,
                [
                    calendar_story(services, today, branches, staff, rng, made),
                    *event_day_stories(services, today, staff, rng, made),
                    year_story(services, demo_start(today), today, staff, made),
                ],
                story_step,
            )
            progress.phase("done")
            echo(year_summary(made))
            echo(calendar_summary(made))
            echo(event_day_summary(made))

            with write_transaction(services.engine) as conn:
                events, _hash = EventLog.head(conn)
                advance(conn, events)  # every policy ran here, in this process
    finally:
        services.engine.dispose()
    return DemoReport(
        clients=customers, events=events, seconds=timer.perf_counter() - started, staff=staff
    )


def _add_staff(
    services: Services,
    admin: Actor,
    branches: list[str],
    rng: random.Random,
    fake: Any,
    seed: int,
    progress: BuildProgress,
) -> list[dict[str, str]]:
    """Every role at every branch (STAFF_PLAN), each with a seeded PIN and PIN salt."""
    from upgradecamp.domain.commands import AddStaff

    staff = []
    total = len(branches) * sum(count for _role, _suffix, count in STAFF_PLAN)
    for branch in branches:
        for role, suffix, count in STAFF_PLAN:
            for n in range(1, count + 1):
                code = f"{branch}-{suffix}{n}"
                member = {
                    "code": code,
                    "pin": demo_pin(seed, code),
                    "role": role,
                    "branch": branch,
                    "name": fake.name(),
                }
                services.execute(
                    AddStaff(
                        code=member["code"],
                        name=member["name"],
                        role=role,
                        branch=branch,
                        pin=member["pin"],
                        pin_salt=rng.randbytes(16),
                    ),
                    admin,
                )
                staff.append(member)
                progress.tick(f"staff {len(staff)} / {total}")
    return staff
