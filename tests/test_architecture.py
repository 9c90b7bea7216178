"""Layering rules: the domain stays pure; the CLI stays light at import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "upgradecamp"
FORBIDDEN_IN_DOMAIN = ("textual", "sqlmodel", "sqlalchemy", "typer")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_domain_imports_no_ui_cli_or_database():
    offenders = {p.name: sorted(_imports(p) & set(FORBIDDEN_IN_DOMAIN))
                 for p in (SRC / "domain").glob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_the_cli_loads_no_database_or_ui():
    code = ("import sys, upgradecamp.cli; "
            "print(','.join(m for m in ('sqlalchemy','textual','faker','pypinyin') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""
