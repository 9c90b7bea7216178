"""Registration forms (see `domain/commands/forms.py`)."""

from __future__ import annotations

HANDLERS: dict = {}
