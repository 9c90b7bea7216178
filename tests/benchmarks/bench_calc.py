"""Forms per second of `calculate`, in-process (target: 20,000 or more).

Run: python tests/benchmarks/bench_calc.py [FORMS]. Seeded, so runs compare.
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from upgradecamp.domain.calculator import calculate  # noqa: E402
from upgradecamp.domain.points import FormLine  # noqa: E402
from upgradecamp.domain.rules import SOURCES, RuleSet, load_rule_set  # noqa: E402
from upgradecamp.domain.tiers import load_tier_ladder  # noqa: E402


def random_form(rng: random.Random, rule_set: RuleSet) -> tuple[Decimal, list[FormLine], list[str]]:
    aum = Decimal(rng.randrange(0, 30_000_000)) / 100
    lines = []
    for _ in range(rng.randint(1, 6)):
        product = rng.choice(list(rule_set.products.values()))
        if product.kind == "count":
            value = Decimal(rng.randint(1, 3))
        else:
            value = Decimal(rng.randrange(100, 20_000_000)) / 100
        lines.append(FormLine(product.code, value, rng.choice(SOURCES)))
    actions = rng.sample(list(rule_set.actions), rng.randint(0, len(rule_set.actions)))
    return aum, lines, actions


def forms_per_second(count: int = 10_000) -> float:
    """Best of three passes over `count` seeded forms."""
    rule_set = load_rule_set(ROOT / "fixtures/rules/2026Q4.toml")
    ladder = load_tier_ladder(ROOT / "fixtures/rules/tiers.toml")
    rng = random.Random(20261001)
    forms = [(random_form(rng, rule_set), rng.random() < 0.7) for _ in range(count)]
    best = 0.0
    for _ in range(3):
        started = time.perf_counter()
        for (aum, lines, actions), on_site in forms:
            calculate(rule_set, ladder, aum, lines, actions, on_site)
        elapsed = time.perf_counter() - started
        best = max(best, count / elapsed)
    return best


def main(count: int = 10_000) -> float:
    best = forms_per_second(count)
    print(f"{count} forms, best of 3: {best:,.0f} forms/s")
    return best


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
