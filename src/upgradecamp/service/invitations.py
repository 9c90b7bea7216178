"""Handlers of the invitations commands (see `domain/commands/invitations.py`)."""

from __future__ import annotations

HANDLERS: dict = {}
