"""Handlers of the clients commands (see `domain/commands/clients.py`)."""

from __future__ import annotations

HANDLERS: dict = {}
