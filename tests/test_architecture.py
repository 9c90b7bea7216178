"""Layering rules: the import contracts hold, there is no import cycle, one clock, a light CLI.

The contracts themselves are in pyproject.toml (`[tool.importlinter]`), where they say what each
layer may import and list every exception with its reason.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "upgradecamp"
FORBIDDEN_IN_DOMAIN = ("textual", "sqlmodel", "sqlalchemy", "typer")
CLOCK_MODULES = {SRC / "domain" / "clock.py", SRC / "store" / "types.py"}
# The wall clock and the machine's zone: only the clock module may read them.
WALL_CLOCK = re.compile(
    r"\b(?:date\.today\(|datetime\.now\(|datetime\.utcnow\(|time\.localtime\()"
    r"|\bZoneInfo\("
)
# Private copies of the clock's conversions (the shape they used to have), and the guess that
# a naive value is UTC (the column types return aware values: nothing is left to guess).
CLOCK_COPIES = re.compile(r"^\s*def _(?:aware|local)\w*\(", re.M)
NAIVE_UTC = re.compile(r"replace\(tzinfo=(?:UTC|timezone\.utc)\)")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_import_contracts_hold(capsys):
    """import-linter's report is printed when a contract is broken: it names the import."""
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out


def test_domain_imports_no_ui_cli_or_database():
    """Every module under domain/, its subpackages (events/, commands/) included."""
    offenders = {
        str(p.relative_to(SRC)): sorted(_imports(p) & set(FORBIDDEN_IN_DOMAIN))
        for p in (SRC / "domain").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_import_cycle_in_the_package():
    """Imports that run (TYPE_CHECKING-only ones left out, function-level ones counted)."""
    graph = grimp.build_graph("upgradecamp", exclude_type_checking_imports=True)
    edges = {
        m: {i for i in graph.find_modules_directly_imported_by(m) if i.startswith("upgradecamp")}
        for m in graph.modules
    }
    cycles = []
    for module in sorted(edges):
        for imported in sorted(edges[module]):
            if imported != module and graph.chain_exists(imported=module, importer=imported):
                chain = graph.find_shortest_chain(importer=imported, imported=module)
                cycles.append(" -> ".join([module, *(chain or [])]))
    assert cycles == []


def test_only_the_clock_reads_the_wall_clock():
    """`date.today()` is the machine's zone and `datetime.now()` bypasses the injected clock:
    everything else asks `Services.clock` (or the app's `clock()`) and `domain/clock.py`."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path in CLOCK_MODULES:
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            if WALL_CLOCK.search(line) or NAIVE_UTC.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
        for match in CLOCK_COPIES.finditer(text):
            number = text.count("\n", 0, match.start()) + 1
            found.append(
                f"{path.relative_to(ROOT)}:{number}: a copy of the clock's "
                f"conversions ({match.group().strip()}); use upgradecamp.domain.clock"
            )
    assert found == [], "\n".join(found)


def test_importing_the_cli_loads_no_database_or_ui():
    code = (
        "import sys, upgradecamp.cli; "
        "print(','.join(m for m in ('sqlalchemy','textual','faker','pypinyin') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
