"""Projection of the sessions events into their read tables."""

from __future__ import annotations

HANDLERS: dict = {}
