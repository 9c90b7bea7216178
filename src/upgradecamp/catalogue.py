"""The event catalogue: one JSON Schema per event type and version, generated from the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from upgradecamp.domain.events import EVENT_TYPES, LEGACY_EVENT_TYPES, DomainEvent


def _all_models() -> list[type[DomainEvent]]:
    return sorted([*EVENT_TYPES.values(), *LEGACY_EVENT_TYPES], key=lambda m: (m.TYPE, m.VERSION))


def schemas() -> dict[str, dict[str, Any]]:
    """File name → schema, e.g. `ClientRegistered.v2.json`."""
    out = {}
    for model in _all_models():
        schema = model.model_json_schema()
        schema["title"] = model.TYPE
        schema["$id"] = f"upgradecamp:event:{model.TYPE}:v{model.VERSION}"
        schema["x-schema-version"] = model.VERSION
        schema["x-current"] = not model.__dict__.get("LEGACY", False)
        out[f"{model.TYPE}.v{model.VERSION}.json"] = schema
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_catalogue(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = directory / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written
