"""Handlers of the sessions commands (see `domain/commands/sessions.py`)."""

from __future__ import annotations

HANDLERS: dict = {}
