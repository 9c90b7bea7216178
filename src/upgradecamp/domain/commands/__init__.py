"""Commands: what a user asked for. Handlers in `service/` decide what happens.

The set-up and points commands are here; each later area keeps its own module in this package
(clients, sessions, invitations, check-ins), re-exported at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from upgradecamp.domain.commands.base import Command


@dataclass(frozen=True)
class InitialiseDatabase(Command):
    """`upgradecamp init`: the cluster, rules, tiers, benefits and the first admin."""

    admin_code: str
    admin_name: str
    admin_pin: str
    branches: list[dict[str, str]]
    rule_sets: list[dict[str, Any]]
    tier_ladder: dict[str, Any]
    benefits: dict[str, list[dict[str, str]]]
    admin_branch: str = "B01"
    admin_pin_salt: bytes | None = field(default=None, repr=False)
    rewards: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class AddStaff(Command):
    code: str
    name: str
    role: str
    branch: str
    pin: str
    pin_salt: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class VerifyPin(Command):
    """Check a staff member's PIN (sign-in or signature); counts failures, locks after five."""

    code: str
    pin: str = field(repr=False)
    record_sign_in: bool = False


@dataclass(frozen=True)
class RegisterClients(Command):
    """Register a batch of clients at once (CRM import, demo). All or nothing."""

    clients: list[dict[str, Any]]


@dataclass(frozen=True)
class PublishRuleSet(Command):
    """Publish a rule set; from the TUI the publisher signs with their PIN (`pin`), checked
    like a sign-in, since a set once published prices every form of its quarter."""

    version: str
    effective_from: str
    effective_to: str
    rules: dict[str, Any]
    pin: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CreditFormPoints(Command):
    """Credit an approved form's points (the approval desk's handler calls this)."""

    client_id: str
    reference: str
    lines: list[tuple[str, str, str]]
    actions: list[str]
    on_site: bool
    submitted_at: str


@dataclass(frozen=True)
class ReverseFormPoints(Command):
    """Take back exactly what an approved form credited, when the form is cancelled."""

    client_id: str
    reference: str
    reason: str


@dataclass(frozen=True)
class AccrueHoldingPoints(Command):
    """Monthly holding points for every client; running it twice for a month adds nothing."""

    month: str


@dataclass(frozen=True)
class CloseExperiencePeriods(Command):
    """End experience periods whose last day is before `on`: lapse or sustained by AUM."""

    on: str


@dataclass(frozen=True)
class SetTarget(Command):
    """`targets set`: a marketer's targets for a month (None: no target for that figure)."""

    staff: str
    month: str
    forms: int | None = None
    upgrades: int | None = None
    converted_aum: str | None = None


@dataclass(frozen=True)
class CreditBonus(Command):
    """Credit an appointment bonus or a referral reward (policies of the session flows)."""

    client_id: str
    kind: str
    reference: str
    on: str
    session_day: str | None = None
    referred_client: str | None = None


from upgradecamp.domain.commands.checkins import *  # noqa: E402, F403
from upgradecamp.domain.commands.clients import *  # noqa: E402, F403
from upgradecamp.domain.commands.exports import *  # noqa: E402, F403
from upgradecamp.domain.commands.followups import *  # noqa: E402, F403
from upgradecamp.domain.commands.forms import *  # noqa: E402, F403
from upgradecamp.domain.commands.invitations import *  # noqa: E402, F403
from upgradecamp.domain.commands.maintenance import *  # noqa: E402, F403
from upgradecamp.domain.commands.rewards import *  # noqa: E402, F403
from upgradecamp.domain.commands.sessions import *  # noqa: E402, F403
from upgradecamp.domain.commands.staff import *  # noqa: E402, F403
