"""The demo branch cluster (Faker zh_CN), built through the command handlers.

Everything goes through `Services.execute`, so the demo's log is a real, verifiable log and its
read tables are exactly what a replay gives. Everything comes from the seed and the demo's
"today" — data, PINs, PIN salts, ids, the clock and the terminal — so the same seed on the
same day (`--today`) gives byte-identical `event_log` rows (same hashes), and a demo can be
rebuilt to reproduce what someone saw. The story is anchored on today, so this week's and the
coming weeks' sessions are really ahead of whoever opens the demo.
"""

from __future__ import annotations

import heapq
import math
import random
import time as timer
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from upgradecamp.domain.rules import shanghai

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

SHANGHAI = shanghai()
# The demo's log starts this long before its "today", at 09:00 local, and runs 1 ms per tick.
HISTORY = timedelta(days=42)
DEMO_TERMINAL = "demo"
ADMIN_CODE = "admin"
CLIENTS_PER_COMMAND = 5_000

# Staff per branch: role, code suffix, how many (B02-MK1, B02-MK2, …).
STAFF_PLAN = (("organizer", "OR", 1), ("checkin", "CK", 2), ("marketer", "MK", 2),
              ("branch_head", "BH", 1))
CORE_WEIGHT, SATELLITE_WEIGHT = 2, 1

# AUM bands (SPEC §3.1 segments) as (share, low, high) in cents, high exclusive, and a shape:
# balances crowd at the low end of each band, as in a real branch's client book.
LONG_TAIL, POTENTIAL, MID_HIGH, PRIVATE = "long_tail", "potential", "mid_high", "private"
AUM_BANDS = (
    (0.91, LONG_TAIL, 0, 5_000_000),
    (0.06, POTENTIAL, 5_000_000, 20_000_000),
    (0.025, MID_HIGH, 20_000_000, 800_000_000),
    (0.005, PRIVATE, 800_000_000, 20_000_000_000),
)
# Log-uniform inside a band, bent towards its low end for the wide upper bands (Pareto-like).
AUM_BEND = {LONG_TAIL: 1.0, POTENTIAL: 1.2, MID_HIGH: 1.8, PRIVATE: 2.5}
DORMANT_SHARE = 0.08  # of the long tail: near-empty accounts under 100 CNY
UNREACHABLE_SHARE = 0.30
CONSENT_SHARE = 0.85
GRADED_SHARE = 0.82
NO_RM_SHARE = 0.12
RISK_GRADES = ("C1", "C2", "C3", "C4", "C5")
RISK_WEIGHTS = (8, 22, 38, 22, 10)
# Days from the demo's first day to a grade's expiry; below zero is an expired assessment (~20%).
RISK_EXPIRY_DAYS = (-180, 720)
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182",
    "183", "185", "186", "187", "188", "189", "191", "198", "199",
)


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


def run_stories(clock: DemoClock, stories: list[Iterator[datetime]]) -> None:
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
        if following is not None:
            heapq.heappush(queue, (following, n, story))


def demo_start(today: date) -> datetime:
    return datetime.combine(today - HISTORY, time(9, 0), SHANGHAI)


def shanghai_today() -> date:
    return datetime.now(SHANGHAI).date()


def seeded_ids(seed: int) -> Callable[[], str]:
    """uuid4-looking hex ids from their own seeded stream (so they do not shift the data)."""
    ids = random.Random(f"upgradecamp-demo-ids-{seed}")
    return lambda: f"{ids.getrandbits(128):032x}"


def build_demo(db: str, *, customers: int = 20_000, seed: int = 2026, today: date | None = None,
               echo: Callable[[str], Any] = print) -> DemoReport:
    """Create and fill a demo database at `db` (path or URL) through the command handlers.

    `today` (default: today in Asia/Shanghai) anchors the story: clients and staff six weeks
    back, sessions from tomorrow for six weeks, invitations and calls in between.
    """
    from faker import Faker
    from sqlalchemy import select

    from upgradecamp.demo_calendar import calendar_story, calendar_summary
    from upgradecamp.demo_event_day import event_day_stories, event_day_summary
    from upgradecamp.domain.commands import RegisterClients
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import bootstrap
    from upgradecamp.service.setup import initialise
    from upgradecamp.store.db import read_transaction
    from upgradecamp.store.eventlog import EventLog
    from upgradecamp.store.tables import BranchRow

    started = timer.perf_counter()
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    today = today or shanghai_today()
    clock = DemoClock(demo_start(today))
    services = bootstrap(db, clock=clock, new_id=seeded_ids(seed), terminal=DEMO_TERMINAL,
                         rng=random.Random(f"upgradecamp-demo-codes-{seed}"))
    try:
        admin_pin = _pin(rng)
        initialise(services, admin_code=ADMIN_CODE, admin_name="管理员", admin_pin=admin_pin,
                   pin_salt=rng.randbytes(16))
        with read_transaction(services.engine) as conn:
            branches = [(r.code, r.kind) for r in
                        conn.execute(select(BranchRow.code, BranchRow.kind)
                                     .order_by(BranchRow.code))]
        # The demo acts as staff it has just created and whose PINs it chose, so it does not
        # sign them in: a sign-in would only add argon2 checks and nothing to the log.
        core = next((c for c, kind in branches if kind == "core"), branches[0][0])
        admin = Actor(code=ADMIN_CODE, role="admin", branch=core, name="管理员")
        staff = [{"code": ADMIN_CODE, "pin": admin_pin, "role": "admin", "branch": core,
                  "name": admin.name}]
        staff += _add_staff(services, admin, [c for c, _k in branches], rng, fake)
        echo(f"cluster: {len(branches)} branches, {len(staff)} staff "
             f"({timer.perf_counter() - started:.1f} s)")

        organizer = next(s for s in staff if s["role"] == "organizer" and s["branch"] == core)
        acting = Actor(code=organizer["code"], role="organizer", branch=core,
                       name=organizer["name"])
        marketers = {code: [s["code"] for s in staff
                            if s["role"] == "marketer" and s["branch"] == code]
                     for code, _kind in branches}
        weights = [CORE_WEIGHT if kind == "core" else SATELLITE_WEIGHT for _c, kind in branches]
        rows = ClientFactory(rng, fake, [c for c, _k in branches], weights, marketers,
                             today - HISTORY)
        done = 0
        while done < customers:
            batch = rows.make(min(CLIENTS_PER_COMMAND, customers - done))
            services.execute(RegisterClients(clients=batch), acting)
            done += len(batch)
            echo(f"clients: {done:,} / {customers:,} ({timer.perf_counter() - started:.1f} s)")
        made: dict[str, int] = {}
        run_stories(clock, [calendar_story(services, today, branches, staff, rng, made),
                            *event_day_stories(services, today, staff, rng, made)])
        echo(calendar_summary(made))
        echo(event_day_summary(made))

        with read_transaction(services.engine) as conn:
            events, _hash = EventLog.head(conn)
    finally:
        services.engine.dispose()
    return DemoReport(clients=customers, events=events,
                      seconds=timer.perf_counter() - started, staff=staff)


def _add_staff(services: Services, admin: Actor, branches: list[str], rng: random.Random,
               fake: Any) -> list[dict[str, str]]:
    """Every role at every branch (STAFF_PLAN), each with a seeded PIN and PIN salt."""
    from upgradecamp.domain.commands import AddStaff

    staff = []
    for branch in branches:
        for role, suffix, count in STAFF_PLAN:
            for n in range(1, count + 1):
                member = {"code": f"{branch}-{suffix}{n}", "pin": _pin(rng), "role": role,
                          "branch": branch, "name": fake.name()}
                services.execute(AddStaff(code=member["code"], name=member["name"], role=role,
                                          branch=branch, pin=member["pin"],
                                          pin_salt=rng.randbytes(16)), admin)
                staff.append(member)
    return staff


def _pin(rng: random.Random) -> str:
    return f"{rng.randrange(1_000_000):06d}"


class ClientFactory:
    """CRM-like client rows: names, contacts, branch, RM, AUM, risk grade, consent."""

    def __init__(self, rng: random.Random, fake: Any, branches: list[str], weights: list[int],
                 marketers: dict[str, list[str]], today: date):
        self.rng = rng
        self.fake = fake
        self.branches = branches
        self.cum_weights = list(accumulate(weights))
        self.marketers = marketers
        self.today = today
        self._ids: set[int] = set()
        self._mobiles: set[str] = set()

    def make(self, count: int) -> list[dict[str, Any]]:
        return [self.client() for _ in range(count)]

    def client(self) -> dict[str, Any]:
        rng = self.rng
        branch = rng.choices(self.branches, cum_weights=self.cum_weights)[0]
        team = self.marketers.get(branch) or []
        rm = rng.choice(team) if team and rng.random() >= NO_RM_SHARE else None
        if rng.random() < GRADED_SHARE:
            grade = rng.choices(RISK_GRADES, weights=RISK_WEIGHTS)[0]
            expires = self.today + timedelta(days=rng.randint(*RISK_EXPIRY_DAYS))
        else:
            grade, expires = None, None
        return {
            "client_id": self._client_id(),
            "name": self.fake.name(),
            "mobile": self._mobile(),
            "id_last4": f"{rng.randrange(1000):03d}"
                        + ("X" if rng.random() < 1 / 11 else str(rng.randrange(10))),
            "branch": branch,
            "rm": rm,
            "aum": Decimal(aum_cents(rng)).scaleb(-2),
            "risk_grade": grade,
            "risk_expires": expires,
            "marketing_consent": rng.random() < CONSENT_SHARE,
            "contact_status": "unreachable" if rng.random() < UNREACHABLE_SHARE else "ok",
        }

    def _client_id(self) -> str:
        while True:
            value = self.rng.randrange(1_000_000_000, 10_000_000_000)
            if value not in self._ids:
                self._ids.add(value)
                return str(value)

    def _mobile(self) -> str:
        while True:
            mobile = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"
            if mobile not in self._mobiles:
                self._mobiles.add(mobile)
                return mobile


def aum_cents(rng: random.Random) -> int:
    """An AUM in integer cents: pick a band by its share, then a skewed point inside it.

    Floats only choose the integer; the stored amount is exact cents (Decimal with 2 places).
    """
    band, low, high = _band(rng.random())
    if band == LONG_TAIL and rng.random() < DORMANT_SHARE:
        return rng.randrange(0, 10_000)
    if band == LONG_TAIL:
        low = 10_000
    span = math.log(high / low)
    cents = int(low * math.exp(span * rng.random() ** AUM_BEND[band]))
    return min(max(cents, low), high - 1)


def _band(u: float) -> tuple[str, int, int]:
    for share, band, low, high in AUM_BANDS:
        if u < share:
            return band, low, high
        u -= share
    _share, band, low, high = AUM_BANDS[-1]
    return band, low, high
