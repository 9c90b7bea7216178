"""The decisions need no database: every domain module (events and commands included) imports
nothing from the service, store, io, projections, queries or the UIs."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "upgradecamp" / "domain"
OUTSIDE = ("service", "store", "io", "projections", "queries", "tui", "cli")


def test_domain_modules_import_only_the_domain():
    offenders = {}
    for path in DOMAIN.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.module
                else []
            )
            for name in names:
                parts = name.split(".")
                if parts[0] == "upgradecamp" and len(parts) > 1 and parts[1] in OUTSIDE:
                    offenders.setdefault(str(path.relative_to(DOMAIN)), []).append(name)
    assert offenders == {}
