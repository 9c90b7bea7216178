"""Policies: event → follow-up command, run by the bus after the event's transaction commits.

The spine has none yet; later flows (session closed → follow-ups) register here. A policy's
errors surface to the caller rather than being logged and swallowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgradecamp.service.bus import Policy

POLICIES: dict[str, list[Policy]] = {}
