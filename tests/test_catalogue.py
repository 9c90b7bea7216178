"""The committed event catalogue (events/) must match what the code generates."""

from __future__ import annotations

from pathlib import Path

from upgradecamp.catalogue import render, schemas

EVENTS_DIR = Path(__file__).resolve().parent.parent / "events"


def test_committed_schemas_match_the_code():
    expected = {name: render(schema) for name, schema in schemas().items()}
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in EVENTS_DIR.glob("*.json")}
    missing = sorted(set(expected) - set(on_disk))
    stale = sorted(set(on_disk) - set(expected))
    changed = sorted(n for n in set(expected) & set(on_disk) if expected[n] != on_disk[n])
    assert not (missing or stale or changed), (
        f"events/ is out of date (missing {missing}, stale {stale}, changed {changed}); "
        "run `upgradecamp events export events/` and commit the result"
    )


def test_every_schema_names_its_type_and_version():
    for name, schema in schemas().items():
        event_type, version, _ = name.split(".")
        assert schema["title"] == event_type
        assert schema["x-schema-version"] == int(version[1:])
