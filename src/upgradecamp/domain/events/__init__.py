"""Domain events: what happened, as frozen models with a schema version.

Each event type registers itself under its `TYPE` name when its module is imported; this
package imports every module, so `EVENT_TYPES` is complete once `upgradecamp.domain.events` is.
`events/` holds a JSON Schema per type and version generated from these classes
(`upgradecamp events export`). A change to a payload is a new `VERSION` plus an upcaster from
the previous one, so old rows stay readable.
"""

from upgradecamp.domain.events.base import (
    EVENT_TYPES,
    LEGACY_EVENT_TYPES,
    UPCASTERS,
    BranchKind,
    DomainEvent,
    Role,
    parse_event,
    upcast,
    upcaster,
)
from upgradecamp.domain.events.checkins import *  # noqa: F403
from upgradecamp.domain.events.clients import *  # noqa: F403
from upgradecamp.domain.events.cluster import *  # noqa: F403
from upgradecamp.domain.events.demo import *  # noqa: F403
from upgradecamp.domain.events.feedback import *  # noqa: F403
from upgradecamp.domain.events.followups import *  # noqa: F403
from upgradecamp.domain.events.forms import *  # noqa: F403
from upgradecamp.domain.events.holdings import *  # noqa: F403
from upgradecamp.domain.events.integrity import *  # noqa: F403
from upgradecamp.domain.events.invitations import *  # noqa: F403
from upgradecamp.domain.events.points import *  # noqa: F403
from upgradecamp.domain.events.rewards import *  # noqa: F403
from upgradecamp.domain.events.sessions import *  # noqa: F403
from upgradecamp.domain.events.staff import *  # noqa: F403
from upgradecamp.domain.events.targets import *  # noqa: F403

__all__ = [
    "EVENT_TYPES",
    "LEGACY_EVENT_TYPES",
    "UPCASTERS",
    "BranchKind",
    "DomainEvent",
    "Role",
    "parse_event",
    "upcast",
    "upcaster",
]
