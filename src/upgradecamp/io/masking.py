"""Masking of personal data for screens and exports (SPEC §5): `138****5678`, ID last 4 only."""

from __future__ import annotations

from typing import Any

from upgradecamp.domain.masking import mask_mobile

__all__ = ["SECRET_FIELDS", "mask_mobile", "mask_payload"]

SECRET_FIELDS = frozenset({"pin_hash", "pin"})


def mask_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A copy of an event payload fit to show: mobiles masked, PIN hashes hidden."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if key in SECRET_FIELDS:
            out[key] = "(hidden)"
        elif key == "mobile" and isinstance(value, str):
            out[key] = mask_mobile(value)
        elif isinstance(value, dict):
            out[key] = mask_payload(value)
        else:
            out[key] = value
    return out
