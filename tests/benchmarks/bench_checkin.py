"""The check-in desk's speed on a 1,000,000-client register, side by side with bare sqlite3.

Run: python tests/benchmarks/bench_checkin.py [--clients 1000000] [--queries 1000]
         [--checkins 600] [--db PATH]
     (an existing PATH from an earlier run is reused: building 1,000,000 clients takes ~2 min)

(a) search latency p50/p99 of `queries.search.search_clients` per kind of query — check-in
    code, Chinese name, pinyin initials, full pinyin prefix, mobile last 4 — each over
    --queries queries (target p99 < 5 ms), against bare sqlite3 running the same statements
    (the index range scans, the invitees of the session, the rows shown) without SQLAlchemy;
    and, to show why prefixes are range scans, a bare `pinyin LIKE 'x%'` (SQLite's LIKE is
    case-insensitive, so the column's BINARY index cannot serve it: it scans the table).
(b) a CheckIn command end to end through `Services.execute` (decide, append to the log,
    project, commit with synchronous=FULL) p50/p99 over --checkins check-ins (target p50 <
    2 ms), against a bare sqlite3 transaction of one insert with the same durability.

The register is built fast and NOT through the event log: synthetic ClientRegistered,
SessionPlanned and InvitationIssued events are projected by the real projection functions
straight into the read tables (clients, client_search and its extra keys, sessions,
invitations), 100,000 clients per transaction. That is fine for (a), which reads only read
tables; (b) plans and opens its sessions through the real handlers, so its log is genuine.
Not collected by pytest (tests/benchmarks is ignored); do not run it in a loop.
"""

from __future__ import annotations

import argparse
import gc
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from upgradecamp.domain.clock import business_date  # noqa: E402
from upgradecamp.domain.commands import (  # noqa: E402
    AddStaff,
    CheckIn,
    OpenSession,
    PlanSessions,
)
from upgradecamp.domain.invitations import new_code  # noqa: E402
from upgradecamp.domain.names import full_pinyin, pinyin_initials  # noqa: E402
from upgradecamp.domain.staff import Actor  # noqa: E402
from upgradecamp.projections import project  # noqa: E402
from upgradecamp.projections.rowstore import RowStore  # noqa: E402
from upgradecamp.queries.search import search_clients  # noqa: E402
from upgradecamp.service.bus import bootstrap  # noqa: E402
from upgradecamp.service.setup import initialise  # noqa: E402
from upgradecamp.store.db import write_transaction  # noqa: E402
from upgradecamp.store.eventlog import StoredEvent  # noqa: E402
from upgradecamp.store.tables import ClientRow  # noqa: E402
from upgradecamp.store.tables.invitations import InvitationRow  # noqa: E402

ADMIN = Actor(code="admin1", role="admin", branch="B01", name="管理员")
# Common surnames by rough frequency (王李张刘陈 alone are about a third of China), a few
# polyphonic ones (曾 单 解 区 仇 朴) and compound ones.
SURNAMES = (
    "王" * 7
    + "李" * 7
    + "张" * 7
    + "刘" * 5
    + "陈" * 5
    + "杨" * 3
    + "黄" * 2
    + "赵" * 2
    + "吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    + "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    + "龚邵万钱严覃武戴莫孔向汤单解区仇朴"
)
COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫")
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌波宇浩凯鹏辉"
    "婷雪琳晨欣怡子涵梓轩浩然思雨佳琪俊杰雅婷嘉怡博文天宇一诺梦瑶诗雨晓东海燕春梅小龙"
    "家豪晶晶亮飞鑫磊振华金凤淑珍秀兰桂芳丹阳宏伟德明永强玉梅志强国庆"
)
BRANCHES = ("B01", "B02", "B03", "B04", "B05")
CHUNK = 100_000
SESSIONS = 2_000  # past sessions with invitations, for code lookups
INVITES_PER_SESSION = 15
DAY = datetime(2026, 11, 20, tzinfo=UTC)  # the benchmark's "today" (Shanghai: same date)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def names(rng: random.Random) -> Iterator[str]:
    while True:
        surname = rng.choice(COMPOUND) if rng.random() < 0.01 else rng.choice(SURNAMES)
        yield surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _event(position: int, type_: str, payload: dict) -> StoredEvent:
    return StoredEvent(
        position,
        "bench",
        1,
        type_,
        1,
        payload,
        {"actor": "bench", "terminal": "bench"},
        DAY - timedelta(days=60),
        "",
    )


def build(path: str, clients: int) -> dict:
    """A register of `clients` clients, 2,000 past sessions with 15 invitations each."""
    clock = Clock(DAY.replace(hour=0, minute=30) - timedelta(days=40))
    services = bootstrap(path, clock=clock, terminal="bench", rng=random.Random(7))
    initialise(services, admin_code="admin1", admin_name="管理员", admin_pin="123409")
    for branch in BRANCHES:
        for role, n in (("organizer", 1), ("checkin", 1)):
            services.execute(
                AddStaff(
                    code=f"{branch}-{role[:2].upper()}{n}",
                    name=f"员工{n}",
                    role=role,
                    branch=branch,
                    pin="246809",
                ),
                ADMIN,
            )
    rng = random.Random(2026)
    gen = names(rng)
    tables = [ClientRow.__table__, InvitationRow.__table__]
    indexes = [ix for t in tables for ix in t.indexes]
    started = time.perf_counter()
    with write_transaction(services.engine) as conn:
        for ix in indexes:
            ix.drop(conn)
    position = 10_000_000
    mobiles: set[str] = set()
    for start in range(0, clients, CHUNK):
        with write_transaction(services.engine) as conn:
            store = RowStore(conn, tables_empty=True)
            events = []
            for i in range(start, min(start + CHUNK, clients)):
                mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
                while mobile in mobiles:
                    mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
                mobiles.add(mobile)
                position += 1
                events.append(
                    _event(
                        position,
                        "ClientRegistered",
                        {
                            "client_id": f"{7_000_000_000 + i}",
                            "name": next(gen),
                            "mobile": mobile,
                            "id_last4": f"{i % 10_000:04d}",
                            "branch": BRANCHES[i % 5],
                            "rm": None,
                            "aum": f"{rng.randrange(0, 50_000_000) / 100:.2f}",
                            "risk_grade": "C3",
                            "risk_expires": "2027-06-30",
                            "marketing_consent": True,
                            "contact_status": "ok",
                        },
                    )
                )
            project(store, events)
            store.flush()
        done = min(start + CHUNK, clients)
        print(f"  {done:>9,} clients  {time.perf_counter() - started:6.1f} s", flush=True)
    del mobiles
    taken: set[str] = set()
    with write_transaction(services.engine) as conn:
        store = RowStore(conn, tables_empty=True)
        events = []
        for s in range(SESSIONS):
            starts = DAY - timedelta(days=60 + s // 10, hours=s % 10)
            session_id = f"{BRANCHES[s % 5]}-X{s:05d}"
            position += 1
            events.append(
                _event(
                    position,
                    "SessionPlanned",
                    {
                        "session_id": session_id,
                        "series_id": None,
                        "branch": BRANCHES[s % 5],
                        "venue": "贵宾室",
                        "starts_at": starts.isoformat(),
                        "duration_minutes": 40,
                        "capacity": 10,
                        "theme": "财富升级",
                        "host": "admin1",
                        "presenter": "admin1",
                    },
                )
            )
            for k in range(INVITES_PER_SESSION):
                client = 7_000_000_000 + rng.randrange(clients)
                code = new_code(rng, taken)
                taken.add(code)
                position += 1
                events.append(
                    _event(
                        position,
                        "InvitationIssued",
                        {
                            "invitation_id": f"{session_id}-I{k:02d}",
                            "session_id": session_id,
                            "client_id": str(client),
                            "code": code,
                            "segment": "potential",
                            "aum": "80000.00",
                        },
                    )
                )
        project(store, events)
        store.flush()
        for ix in indexes:
            ix.create(conn)
    with write_transaction(services.engine) as conn:
        conn.exec_driver_sql("ANALYZE")
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    services.engine.dispose()
    return {}


# -- (a) search ----------------------------------------------------------------------------


def samples(path: str, n: int) -> tuple[str, dict[str, list[str]]]:
    """The session searched from, and n query texts of each kind drawn from the register."""
    conn = sqlite3.connect(path)
    rng = random.Random(5)
    total = conn.execute("SELECT count(*) FROM clients").fetchone()[0]
    picked = [
        conn.execute(
            "SELECT name FROM clients WHERE client_id = ?",
            (str(7_000_000_000 + rng.randrange(total)),),
        ).fetchone()[0]
        for _ in range(n)
    ]
    codes = [
        r[0] for r in conn.execute("SELECT code FROM invitations ORDER BY random() LIMIT ?", (n,))
    ]
    session = conn.execute(
        "SELECT session_id FROM sessions ORDER BY session_id LIMIT 1"
    ).fetchone()[0]
    conn.close()
    return session, {
        "code": codes,
        "chinese name": [name[: rng.choice((1, 2, 2, 3))] for name in picked],
        "pinyin initials": [pinyin_initials(name)[: rng.choice((2, 3))] for name in picked],
        "full pinyin prefix": [full_pinyin(name)[: rng.choice((4, 5, 6, 8))] for name in picked],
        "mobile last 4": [f"{rng.randrange(10_000):04d}" for _ in range(n)],
    }


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    return statistics.median(ordered) * 1000, p99 * 1000


def timed(fn: Callable[[str], object], texts: list[str]) -> tuple[float, float]:
    for text in texts[:20]:  # warm caches and prepared statements
        fn(text)
    times = []
    for text in texts:
        t0 = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - t0)
    return percentiles(times)


DETAILS_SQL = (
    "SELECT c.client_id, c.name, c.mobile, c.aum_cents, c.segment, p.experience_tier, "
    "p.experience_ends, i.invitation_id, i.state, k.checkin_id, k.by, k.terminal, k.at "
    "FROM clients c LEFT JOIN client_points p ON p.client_id = c.client_id "
    "LEFT JOIN invitations i ON i.client_id = c.client_id AND i.session_id = ? "
    "LEFT JOIN checkins k ON k.client_id = c.client_id AND k.session_id = ? AND k.annulled = 0 "
    "WHERE c.client_id IN ({})"
)


def _arm(table: str, column: str, low: str, high: str, match: str) -> str:
    return (
        f"SELECT client_id, '{match}' FROM {table} WHERE {column} >= :{low} AND {column} < :{high}"
    )


BARE_SCANS = {
    "name": " UNION ALL ".join(
        [
            _arm("client_search", "name", "lo", "hi", "name"),
            _arm("client_search", "given", "lo", "hi", "name"),
            _arm("client_search", "tail", "lo", "hi", "name"),
            _arm("client_search_keys", "key", "nlo", "nhi", "name"),
        ]
    )
    + " LIMIT :n",
    "pinyin": " UNION ALL ".join(
        [
            _arm("client_search", "pinyin", "lo", "hi", "pinyin"),
            _arm("client_search", "short", "lo", "hi", "pinyin"),
            _arm("client_search_keys", "key", "plo", "phi", "pinyin"),
            _arm("client_search", "initials", "lo", "hi", "initials"),
            _arm("client_search_keys", "key", "ilo", "ihi", "initials"),
        ]
    )
    + " LIMIT :n",
    "mobile": "SELECT client_id, 'mobile' FROM client_search WHERE mobile_last4 = :m LIMIT :n",
}
BARE_INVITEES = (
    "SELECT i.client_id, s.name, s.given, s.tail, s.pinyin, s.initials, s.short, "
    "s.mobile_last4, s.extra FROM invitations i JOIN client_search s "
    "ON s.client_id = i.client_id WHERE i.session_id = ?"
)


def _upper(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def bare_search(conn: sqlite3.Connection, session: str, kind: str) -> Callable[[str], object]:
    """The statements search_clients runs for `kind`, straight through sqlite3."""
    scan = {"chinese name": "name", "mobile last 4": "mobile"}.get(kind, "pinyin")

    def run(text: str) -> object:
        conn.execute("BEGIN")
        try:
            ids: list[str] = []
            if kind == "code":
                ids = [
                    r[0]
                    for r in conn.execute(
                        "SELECT client_id, session_id FROM invitations WHERE code = ?", (text,)
                    )
                ]
                text = text.lower()
            if scan == "mobile":
                params = {"m": text, "n": 20}
                prefixes = ["m" + text]
            else:
                params = {"lo": text, "hi": _upper(text), "n": 20}
                letters = "n" if scan == "name" else "pi"
                for letter in letters:
                    params[f"{letter}lo"] = letter + text
                    params[f"{letter}hi"] = _upper(letter + text)
                prefixes = [letter + text for letter in letters]
            for row in conn.execute(BARE_INVITEES, (session,)):
                keys = [k + v for k, v in zip("nnnpipm", row[1:8], strict=True) if v]
                keys += row[8].split()
                if any(k.startswith(p) for p in prefixes for k in keys):
                    ids.append(row[0])
            if len(ids) < 20 and (kind != "code" or text.isalpha()):
                params["n"] = 20 + len(ids)
                ids.extend(r[0] for r in conn.execute(BARE_SCANS[scan], params))
            ids = list(dict.fromkeys(ids))[:20]
            rows = (
                conn.execute(
                    DETAILS_SQL.format(",".join("?" * len(ids))), (session, session, *ids)
                ).fetchall()
                if ids
                else []
            )
            conn.execute("SELECT ladder FROM tier_ladder").fetchone()
            return rows
        finally:
            conn.execute("COMMIT")

    return run


def bare_like(conn: sqlite3.Connection) -> Callable[[str], object]:
    def run(prefix: str) -> object:
        return conn.execute(
            "SELECT client_id FROM client_search WHERE pinyin LIKE ? LIMIT 20", (prefix + "%",)
        ).fetchall()

    return run


def bench_search(path: str, n: int) -> list[tuple[str, float, float, float, float]]:
    from upgradecamp.store.db import make_engine

    session, kinds = samples(path, n)
    engine = make_engine(path)
    bare = sqlite3.connect(path, isolation_level=None)
    clients, keys = (
        bare.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("clients", "client_search_keys")
    )
    size = Path(path).stat().st_size / 2**20
    print(
        f"  {clients:,} clients, {keys:,} search keys ({keys / clients:.1f} per client), "
        f"database {size:,.0f} MiB"
    )
    on = business_date(datetime.now(UTC))  # a benchmark, outside the package: the wall clock
    out = []
    for kind, texts in kinds.items():
        shown = statistics.mean(
            len(search_clients(engine, t, session_id=session, on=on)) for t in texts[:200]
        )
        ours = timed(lambda t: search_clients(engine, t, session_id=session, on=on), texts)
        raw = timed(bare_search(bare, session, kind), texts)
        out.append((kind, *ours, *raw))
        print(
            f"  {kind:<20} ours p50 {ours[0]:6.3f} ms p99 {ours[1]:6.3f} ms   "
            f"bare p50 {raw[0]:6.3f} ms p99 {raw[1]:6.3f} ms   ({shown:.1f} results)",
            flush=True,
        )
    misses = ["zhangq", "xx", "shzz", "qq", "zzz"] * 10
    like = timed(bare_like(bare), misses)
    print(
        f"  bare pinyin LIKE 'x%' (a scan) for rare prefixes: p50 {like[0]:.1f} ms "
        f"p99 {like[1]:.1f} ms"
    )
    bare.close()
    engine.dispose()
    return out


# -- (b) check-in end to end ----------------------------------------------------------------


def free_day(path: str) -> datetime:
    """The first day from DAY on with no session planned, so runs on one database add up."""
    conn = sqlite3.connect(path)
    day = DAY
    while conn.execute(
        "SELECT 1 FROM sessions WHERE session_id LIKE ?", (f"%-{day:%Y%m%d}-%",)
    ).fetchone():
        day += timedelta(days=1)
    conn.close()
    return day


def bench_checkins(path: str, count: int) -> tuple[float, float, float, float]:
    day = free_day(path)
    clock = Clock(day.replace(hour=0, minute=10))  # 08:10 in Shanghai, the sessions' day
    services = bootstrap(path, clock=clock, terminal="desk-1", rng=random.Random(3))
    per_session = 20
    sessions = []
    hour = 9
    while len(sessions) * per_session < count:
        for branch in BRANCHES:
            planned = services.execute(
                PlanSessions(
                    branch=branch,
                    start=f"{day:%Y-%m-%d} {hour:02d}:00",
                    capacity=per_session,
                    venue=f"会议室{hour}",
                ),
                ADMIN,
            )
            sessions.append(planned["sessions"][0]["session_id"])
        hour += 1
    for session_id in sessions:
        services.execute(OpenSession(session_id=session_id), ADMIN)
    desk = Actor(code="B01-CH1", role="checkin", branch="B01")
    rng = random.Random(11)
    conn = sqlite3.connect(path)
    total = conn.execute("SELECT count(*) FROM clients").fetchone()[0]
    conn.close()
    chosen = rng.sample(range(total), count)
    times = []
    gc.collect()
    for i, n in enumerate(chosen):
        cmd = CheckIn(session_id=sessions[i // per_session], client_id=str(7_000_000_000 + n))
        t0 = time.perf_counter()
        services.execute(cmd, desk)
        times.append(time.perf_counter() - t0)
    services.engine.dispose()
    ours = percentiles(times)

    bare = sqlite3.connect(path, isolation_level=None)
    bare.execute("PRAGMA synchronous=FULL")
    bare.execute("CREATE TABLE IF NOT EXISTS bench_commit (id INTEGER PRIMARY KEY, v TEXT)")
    raw = []
    for i in range(count):
        t0 = time.perf_counter()
        bare.execute("BEGIN IMMEDIATE")
        bare.execute("INSERT INTO bench_commit (v) VALUES (?)", (f"check-in {i}",))
        bare.execute("COMMIT")
        raw.append(time.perf_counter() - t0)
    bare.execute("DROP TABLE bench_commit")
    bare.close()
    return (*ours, *percentiles(raw))


def measure(clients: int, queries: int, checkins: int) -> dict:
    """Search (p50, p99, bare p50, bare p99 by kind) and CheckIn (ours and bare p50, p99)."""
    with tempfile.TemporaryDirectory(prefix="bench_checkin_") as tmp:
        path = str(Path(tmp) / "desk.db")
        build(path, clients)
        rows = bench_search(path, queries)
        c50, c99, d50, d99 = bench_checkins(path, checkins)
    return {
        "search": {kind: rest for kind, *rest in rows},
        "checkin": (c50, c99),
        "bare_commit": (d50, d99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--checkins", type=int, default=600)
    parser.add_argument("--db", help="database file (reused if it exists)")
    args = parser.parse_args()
    path = args.db or str(Path(tempfile.mkdtemp(prefix="bench_checkin_")) / "desk.db")
    if not Path(path).exists():
        print(f"building {args.clients:,} clients in {path}", flush=True)
        build(path, args.clients)
    else:
        print(f"reusing {path}")
    print(f"\n(a) search, {args.queries:,} queries of each kind (session with invitees)")
    rows = bench_search(path, args.queries)
    print(f"\n(b) CheckIn end to end, {args.checkins:,} check-ins")
    c50, c99, d50, d99 = bench_checkins(path, args.checkins)
    print(f"  services.execute(CheckIn)    p50 {c50:6.3f} ms  p99 {c99:6.3f} ms")
    print(f"  bare insert + durable commit p50 {d50:6.3f} ms  p99 {d99:6.3f} ms")

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    print(
        f"\n{'check':<40} {'p50 ms':>8} {'p99 ms':>8} {'bare p50':>9} {'bare p99':>9}  "
        "target       verdict"
    )
    for kind, p50, p99, b50, b99 in rows:
        print(
            f"search: {kind:<32} {p50:8.3f} {p99:8.3f} {b50:9.3f} {b99:9.3f}  p99 < 5 ms   "
            f"{verdict(p99 < 5)}"
        )
    print(
        f"{'CheckIn end to end':<40} {c50:8.3f} {c99:8.3f} {d50:9.3f} {d99:9.3f}  p50 < 2 ms   "
        f"{verdict(c50 < 2)}"
    )


if __name__ == "__main__":
    main()
