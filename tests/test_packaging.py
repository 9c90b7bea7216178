"""The defaults ship inside the package: found beside the modules (or by importlib.resources in
a zipped install), listed as package data, and the repo's top-level fixtures/ is the same
folder."""

from __future__ import annotations

import filecmp
import tomllib
import zipfile
from pathlib import Path

import upgradecamp
from upgradecamp import config

REPO = Path(__file__).resolve().parent.parent
PACKAGE_FIXTURES = Path(upgradecamp.__file__).resolve().parent / "fixtures"


def test_fixtures_are_read_from_the_package(monkeypatch):
    monkeypatch.delenv("UPGRADECAMP_FIXTURES", raising=False)
    found = config.fixtures_dir()
    assert found.resolve() == PACKAGE_FIXTURES
    assert (found / "rules" / "2026Q4.toml").is_file()


def test_without_a_folder_beside_the_modules_importlib_resources_finds_them(monkeypatch, tmp_path):
    monkeypatch.delenv("UPGRADECAMP_FIXTURES", raising=False)
    monkeypatch.setattr(config, "__file__", str(tmp_path / "config.py"))
    found = config.fixtures_dir()
    assert found.resolve() == PACKAGE_FIXTURES


def test_the_environment_points_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setenv("UPGRADECAMP_FIXTURES", str(tmp_path))
    assert config.fixtures_dir() == tmp_path


def test_every_file_the_package_reads_is_package_data():
    """A file added to fixtures/ (or a stylesheet, a catalogue) but not to the package-data globs
    would be missing from the wheel, and only an installed copy would notice."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["upgradecamp"]
    package = REPO / "src" / "upgradecamp"
    shipped = {p for pattern in globs for p in package.glob(pattern)}
    data = {
        p
        for p in package.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    assert {p.relative_to(package).parts[0] for p in data} >= {"fixtures", "tui"}
    assert sorted(str(p.relative_to(package)) for p in data - shipped) == []


def test_the_top_level_fixtures_folder_is_the_package_folder():
    assert (REPO / "fixtures").resolve() == (REPO / "src" / "upgradecamp" / "fixtures")


def test_a_zipped_install_unpacks_the_defaults_once(monkeypatch, tmp_path):
    archive = tmp_path / "upgradecamp.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in PACKAGE_FIXTURES.rglob("*"):
            if path.is_file():
                zf.write(path, f"upgradecamp/fixtures/{path.relative_to(PACKAGE_FIXTURES)}")
    monkeypatch.setattr(config, "_UNPACKED", None)
    with zipfile.ZipFile(archive) as zf:
        root = config._unpacked(zipfile.Path(zf, "upgradecamp/fixtures/"))
        assert config._unpacked(zipfile.Path(zf, "upgradecamp/fixtures/")) == root
    compared = filecmp.dircmp(root, PACKAGE_FIXTURES, ignore=["__pycache__"])
    assert (compared.left_only, compared.right_only, compared.diff_files) == ([], [], [])
    assert sorted(compared.subdirs) == ["imports", "rules"]
    for sub in compared.subdirs.values():
        assert (sub.left_only, sub.right_only, sub.diff_files) == ([], [], [])
