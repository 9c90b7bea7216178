"""Handlers of the checkins commands (see `domain/commands/checkins.py`)."""

from __future__ import annotations

HANDLERS: dict = {}
