"""Masking of a mobile number (SPEC §5, `138****5678`) and how refusals name a client:
by name and masked mobile, never by an id alone where a name is known."""

from __future__ import annotations

from upgradecamp.domain.privacy import is_forgotten_mobile


def mask_mobile(mobile: str | None) -> str:
    if not mobile or is_forgotten_mobile(mobile):
        return ""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"


def person(name: str, mobile: str, client_id: str) -> str:
    """A client as messages name them: `张三 (138****5678)`, else `张三 (C001)`, else the id."""
    masked = mask_mobile(mobile) if mobile and "*" not in mobile else mobile
    if name and masked:
        return f"{name} ({masked})"
    if name and client_id:
        return f"{name} ({client_id})"
    return name or client_id
