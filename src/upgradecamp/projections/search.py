"""The client search index used at the check-in desk (see store/tables/search.py)."""

from __future__ import annotations

HANDLERS: dict = {}
