"""Projection of the invitations events into their read tables."""

from __future__ import annotations

HANDLERS: dict = {}
