"""The demo's client book: CRM-like rows (names, mobiles, branch, RM, AUM, risk grade, consent).

Apart from `demo.py` because this is the statistics of the demo (band shares, skew, shares of
unreachable, unconsented and ungraded clients) and a row factory driven only by a seeded
`random.Random` and Faker; `demo.py` is the story that sends those rows through the command
handlers. Keeping the shape of the book here lets it be tuned and tested on its own
(`aum_cents`) without touching how the demo is built.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

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
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)


class ClientFactory:
    """CRM-like client rows: names, contacts, branch, RM, AUM, risk grade, consent."""

    def __init__(
        self,
        rng: random.Random,
        fake: Any,
        branches: list[str],
        weights: list[int],
        marketers: dict[str, list[str]],
        today: date,
    ):
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
