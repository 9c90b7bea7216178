"""The check-in desk's one search field: a code, a Chinese name, pinyin, or a mobile's tail.

`search_clients(engine, text, session_id=…)` tells the kind of query from the text itself:

- a check-in code (6 characters of the code alphabet, typed or scanned; a scanner's Enter is
  the caller's business) → the invitation with that code; if the text is also plain letters
  (`wanghu` could be pinyin), pinyin matches follow;
- Chinese characters → names starting with them, then names containing them (张 finds 张三,
  三 finds 张三 too: the index holds every suffix of each name);
- latin letters → full pinyin prefix (`zhangs`) or initials prefix (`zs`), tones ignored, ü
  typed as v or u (`lv` and `lu` both find 吕);
- 4 digits → the mobile's last 4; 5 to 11 digits → mobiles ending so (11: one number);
- anything else → a client id, exactly.

Each kind is one statement of index range scans over `client_search` and its extra keys
(see store/tables/search.py), stopped by a LIMIT, plus one query for the rows shown, so a
search costs about the same on 1,000 or 1,000,000 clients.
Invitees of the session come first; results carry the invitation's state and, if the client
is already checked in here, by whom, at which terminal and when.

Tier shown: the client's standard tier from AUM (the published ladder), or their experience
tier (升级体验期) while it runs and is higher — what the registration screen starts from.
Converted AUM from forms not yet approved is not counted. Mobiles are masked (SPEC §5).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Executable, bindparam, literal_column, union_all
from sqlmodel import and_, col, select

from upgradecamp.domain.clock import local_iso
from upgradecamp.domain.invitations import looks_like_code, normalise_code
from upgradecamp.domain.names import compact, is_cjk
from upgradecamp.domain.tiers import TierLadder
from upgradecamp.io.masking import mask_mobile
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientPointsRow, ClientRow, TierLadderRow
from upgradecamp.store.tables.invitations import InvitationRow
from upgradecamp.store.tables.search import ClientSearchRow, SearchKeyRow
from upgradecamp.store.tables.sessions import CheckInRow

KINDS = ("code", "name", "pinyin", "mobile", "client", "none")
_SEPARATORS = str.maketrans({"'": None, "-": None, "·": None, "ü": "v", "Ü": "v"})
_MOBILE_MIN, _MOBILE_MAX = 4, 11
# A mobile tail longer than 4 digits is found by its last 4, then filtered: about one client
# in 10,000 shares a tail, so this many covers any register of a few million.
_TAIL_SCAN = 2_000

_S, _K = ClientSearchRow, SearchKeyRow


def _arm(column: Any, low: str, high: str, match: str) -> Any:
    """Client ids whose `column` starts with the prefix bound to `low`…`high`, labelled."""
    return select(column.table.c.client_id, literal_column(f"'{match}'").label("match")).where(
        column >= bindparam(low), column < bindparam(high)
    )


# One statement per kind of query: index range scans in the order results are shown, the
# LIMIT stopping the scans as soon as enough clients are found.
_SCANS: dict[str, Executable] = {
    "name": union_all(
        _arm(_S.name, "lo", "hi", "name"),
        _arm(_S.given, "lo", "hi", "name"),
        _arm(_S.tail, "lo", "hi", "name"),
        _arm(_K.key, "nlo", "nhi", "name"),
    ).limit(bindparam("n")),
    "pinyin": union_all(
        _arm(_S.pinyin, "lo", "hi", "pinyin"),
        _arm(_S.short, "lo", "hi", "pinyin"),
        _arm(_K.key, "plo", "phi", "pinyin"),
        _arm(_S.initials, "lo", "hi", "initials"),
        _arm(_K.key, "ilo", "ihi", "initials"),
    ).limit(bindparam("n")),
    "mobile": (
        select(_S.client_id, literal_column("'mobile'").label("match"))
        .where(_S.mobile_last4 == bindparam("m"))
        .limit(bindparam("n"))
    ),
}
_INVITEES = (
    select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
        InvitationRow.client_id,
        _S.name,
        _S.given,
        _S.tail,
        _S.pinyin,
        _S.initials,
        _S.short,
        _S.mobile_last4,
        _S.extra,
    )
    .join(_S, _S.client_id == InvitationRow.client_id)
    .where(InvitationRow.session_id == bindparam("sid"))
)
_BY_CODE = select(InvitationRow.client_id, InvitationRow.session_id).where(
    InvitationRow.code == bindparam("code")
)
_BY_ID = select(ClientRow.client_id).where(ClientRow.client_id == bindparam("cid"))
_SESSION_INVITATION = and_(
    InvitationRow.client_id == ClientRow.client_id, InvitationRow.session_id == bindparam("sid")
)
_SESSION_CHECKIN = and_(
    CheckInRow.client_id == ClientRow.client_id,
    CheckInRow.session_id == bindparam("sid"),
    col(CheckInRow.annulled).is_(False),
)
_DETAILS = (
    select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
        ClientRow.client_id,
        ClientRow.name,
        ClientRow.mobile,
        ClientRow.aum_cents,
        ClientRow.segment,
        ClientPointsRow.experience_tier,
        ClientPointsRow.experience_ends,
        InvitationRow.invitation_id,
        InvitationRow.state,
        CheckInRow.checkin_id,
        CheckInRow.by,
        CheckInRow.terminal,
        CheckInRow.at,
    )
    .outerjoin(ClientPointsRow, col(ClientPointsRow.client_id) == ClientRow.client_id)
    .outerjoin(InvitationRow, _SESSION_INVITATION)
    .outerjoin(CheckInRow, _SESSION_CHECKIN)
    .where(col(ClientRow.client_id).in_(bindparam("ids", expanding=True)))
)
_LADDER = select(TierLadderRow.ladder)

_ladders: dict[str, TierLadder] = {}


def query_kind(text: str) -> str:
    """What the search field holds: one of KINDS ("none" when there is nothing to look up)."""
    plain = compact(text)
    if not plain:
        return "none"
    if any(map(is_cjk, plain)):
        return "name"
    if plain.isdigit():
        return "mobile" if _MOBILE_MIN <= len(plain) <= _MOBILE_MAX else "none"
    if looks_like_code(plain):
        return "code"
    if _pinyin(plain).isalpha() and _pinyin(plain).isascii():
        return "pinyin"
    return "client"


def _pinyin(text: str) -> str:
    return compact(text).translate(_SEPARATORS).lower()


def _prefixes(kind: str, text: str) -> tuple[str, list[tuple[str, str]]]:
    """The scan to run and the (key prefix, match) pairs it looks for, in `search_keys` form
    (kind letter + text), for matching the invitees of the session in Python."""
    plain = compact(text)
    if kind == "name":
        return "name", [("n" + plain, "name")]
    if kind == "mobile":
        return "mobile", [("m" + plain[-4:], "mobile")]
    pinyin = _pinyin(plain)
    if kind == "pinyin" or (kind == "code" and pinyin.isalpha() and pinyin.isascii()):
        return "pinyin", [("p" + pinyin, "pinyin"), ("i" + pinyin, "initials")]
    return "", []


def _keys(row: Any) -> list[str]:
    """A client_search row's keys in `search_keys` form."""
    keys = [
        kind + value
        for kind, value in zip(
            "nnnpipm",
            (row.name, row.given, row.tail, row.pinyin, row.initials, row.short, row.mobile_last4),
            strict=True,
        )
        if value
    ]
    return keys + row.extra.split()


def _scan_params(scan: str, text: str, n: int) -> dict[str, Any]:
    plain = compact(text)
    if scan == "mobile":
        return {"m": plain[-4:], "n": n}
    bare = plain if scan == "name" else _pinyin(plain)
    params = {"lo": bare, "hi": _upper(bare), "n": n}
    for letter in ("n",) if scan == "name" else ("p", "i"):
        params[f"{letter}lo"] = letter + bare
        params[f"{letter}hi"] = _upper(letter + bare)
    return params


def _upper(prefix: str) -> str:
    """The least string above every string starting with `prefix` (code-point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _ladder(conn: Connection) -> TierLadder | None:
    text = conn.execute(_LADDER).scalar()
    if text is None:
        return None
    ladder = _ladders.get(text)
    if ladder is None:
        ladder = _ladders[text] = TierLadder.from_payload(json.loads(text))
    return ladder


def _tier(ladder: TierLadder | None, row: Any, on: date) -> tuple[str, str, bool]:
    if ladder is None:
        return "", "", False
    standard = ladder.tier_for(Decimal(row.aum_cents) / 100)
    if row.experience_tier and row.experience_ends and row.experience_ends >= on:
        held = ladder.tier(row.experience_tier)
        if ladder.rank(held) > ladder.rank(standard):
            return held.code, held.name_zh, True
    return standard.code, standard.name_zh, False


@dataclass(frozen=True)
class SearchResult:
    """One client a desk search found, with how it matched and where they stand this session.

    tier and tier_name are the tier held today (`experience` when it is a running experience
    period); invitation_* and checked_in_* are for the session searched; checked_in_at is ISO
    8601 in Beijing time; match is code, name, pinyin, initials, mobile or client.
    """

    client_id: str
    name: str
    mobile: str
    tier: str
    tier_name: str
    experience: bool
    segment: str
    invited: bool
    invitation_id: str | None
    invitation_state: str | None
    checked_in: bool
    checkin_id: str | None
    checked_in_by: str | None
    checked_in_terminal: str | None
    checked_in_at: str | None
    match: str


def _result(row: Any, match: str, ladder: TierLadder | None, on: date) -> SearchResult:
    tier, tier_name, experience = _tier(ladder, row, on)
    return SearchResult(
        client_id=row.client_id,
        name=row.name,
        mobile=mask_mobile(row.mobile),
        tier=tier,
        tier_name=tier_name,
        experience=experience,
        segment=row.segment,
        invited=row.invitation_id is not None,
        invitation_id=row.invitation_id,
        invitation_state=row.state,
        checked_in=row.checkin_id is not None,
        checkin_id=row.checkin_id,
        checked_in_by=row.by,
        checked_in_terminal=row.terminal,
        checked_in_at=(local_iso(row.at, "seconds") if row.at is not None else None),
        match=match,
    )


def search_clients(
    engine: Engine, text: str, *, session_id: str | None = None, limit: int = 20, on: date
) -> list[SearchResult]:
    """Clients the text names, at most `limit`, mobiles masked: invitees of `session_id`
    still expected first, then those already in, then everyone else (`SearchResult`).
    `on` is the business date experience periods are judged on (today, by the caller's clock).
    """
    kind = query_kind(text)
    if kind == "none" or limit <= 0:
        return []
    plain = compact(text)
    scan, prefixes = _prefixes(kind, text)
    tail = plain if kind == "mobile" and len(plain) > 4 else None
    found: dict[str, str] = {}  # client id → how it matched, in the order shown
    with read_transaction(engine) as conn:
        if kind == "code":
            coded = conn.execute(_BY_CODE, {"code": normalise_code(plain)}).all()
            for r in sorted(coded, key=lambda r: r.session_id != session_id):
                found.setdefault(r.client_id, "code")
        elif kind == "client":
            if conn.execute(_BY_ID, {"cid": plain}).first() is not None:
                found[plain] = "client"
        if session_id is not None and prefixes:
            for invitee in conn.execute(_INVITEES, {"sid": session_id}):
                keys = _keys(invitee)
                for prefix, match in prefixes:
                    if any(k.startswith(prefix) for k in keys):
                        found.setdefault(invitee.client_id, match)
                        break
        if scan and (len(found) < limit or tail is not None):
            wanted = _TAIL_SCAN if tail else limit + len(found)
            for client_id, match in conn.execute(_SCANS[scan], _scan_params(scan, text, wanted)):
                found.setdefault(client_id, match)
        if not found:
            return []
        rows = {
            r.client_id: r for r in conn.execute(_DETAILS, {"ids": list(found), "sid": session_id})
        }
        ladder = _ladder(conn)
    out: list[SearchResult] = []
    for client_id, match in found.items():
        row = rows.get(client_id)
        if row is None or (tail is not None and not row.mobile.endswith(tail)):
            continue
        out.append(_result(row, match, ladder, on))
        if len(out) >= limit:
            break
    out.sort(key=_rank)  # stable: within a rank, the order found
    return out


def _rank(result: SearchResult) -> int:
    """Enter takes the top row: an invitee still expected, then invitees already in, then
    everyone else (not invited here) — a code's own match always first."""
    if result.match == "code":
        return 0
    if result.invited:
        return 2 if result.checked_in else 1
    return 3
