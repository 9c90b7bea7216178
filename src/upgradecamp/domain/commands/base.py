"""The base class of every command."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    pass
