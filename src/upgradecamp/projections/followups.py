"""Follow-ups (see `domain/commands/followups.py`)."""

from __future__ import annotations

HANDLERS: dict = {}
