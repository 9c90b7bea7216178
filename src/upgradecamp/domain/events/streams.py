"""Stream ids, written once: each event's `stream_id()` and every reader of a stream use these.

A handler reads a stream's version under the same id its events will carry, so the version it
expects and the stream it appends to cannot drift apart (the optimistic-concurrency check
would silently stop working if they did).
"""

from __future__ import annotations

TIER_LADDER = "tier-ladder"
BENEFITS = "benefits"
INVITE_REGISTER = "invite-register"
EXPORTS = "exports"
CLIENT_IMPORTS = "client-imports"
POINTS_PREFIX = "points-"
HOLDINGS = "holdings"
DEMO = "demo"  # the DemoBuilt mark of a database the demo built
LOG_CHECKPOINTS = "log-checkpoints"


def branch(code: str) -> str:
    return f"branch-{code}"


def rule_set(version: str) -> str:
    return f"ruleset-{version}"


def staff(code: str) -> str:
    return f"staff-{code}"


def client(client_id: str) -> str:
    return f"client-{client_id}"


def session(session_id: str) -> str:
    """A session's life and its check-ins: the last free seat is decided on this stream."""
    return f"session-{session_id}"


def invitation(invitation_id: str) -> str:
    return f"invitation-{invitation_id}"


def form(form_id: str) -> str:
    return f"form-{form_id}"


def points(client_id: str) -> str:
    return f"{POINTS_PREFIX}{client_id}"


def followup(followup_id: str) -> str:
    return f"followup-{followup_id}"


def reward(code: str) -> str:
    """A reward's stock: the last item is decided on this stream."""
    return f"reward-{code}"


def feedback(session_id: str, client_id: str) -> str:
    """One attendee's feedback on one session: given once."""
    return f"feedback-{session_id}-{client_id}"


def targets(staff_code: str) -> str:
    """A marketer's monthly targets."""
    return f"targets-{staff_code}"
