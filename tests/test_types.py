"""The headless core type-checks: mypy on the packages `[tool.mypy]` in pyproject.toml names.

It runs in the normal suite; `-m "not types"` leaves it out while iterating. mypy keeps its
cache in `.mypy_cache/` at the repository root, so a second run takes a second or two.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.types
def test_mypy_finds_no_error_in_the_typed_packages(monkeypatch):
    monkeypatch.chdir(ROOT)
    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml")])
    assert status == 0, f"mypy found problems (run `mypy` at the repo root):\n{stdout}{stderr}"
    assert stdout.startswith("Success: no issues found"), stdout
