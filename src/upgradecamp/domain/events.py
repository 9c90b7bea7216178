"""Domain events: what happened, as frozen models with a schema version.

Each event type registers itself under its `TYPE` name; `events/` holds a JSON Schema per type
and version generated from these classes (`upgradecamp events export`). A change to a payload
is a new `VERSION` plus an upcaster from the previous one, so old rows stay readable.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["organizer", "checkin", "marketer", "branch_head", "admin"]
BranchKind = Literal["core", "satellite"]

EVENT_TYPES: dict[str, type[DomainEvent]] = {}
LEGACY_EVENT_TYPES: list[type[DomainEvent]] = []
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


class DomainEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1
    LEGACY: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "TYPE" not in cls.__dict__:
            return
        if cls.__dict__.get("LEGACY"):
            LEGACY_EVENT_TYPES.append(cls)
        else:
            EVENT_TYPES[cls.TYPE] = cls

    def stream_id(self) -> str:
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def upcaster(event_type: str, from_version: int):
    """Register a function turning a payload of `from_version` into `from_version + 1`."""

    def register(fn: Callable[[dict[str, Any]], dict[str, Any]]):
        UPCASTERS[(event_type, from_version)] = fn
        return fn

    return register


def upcast(event_type: str, version: int, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Bring a stored payload up to the current schema version of its type."""
    current = EVENT_TYPES[event_type].VERSION if event_type in EVENT_TYPES else version
    while version < current:
        payload = UPCASTERS[(event_type, version)](payload)
        version += 1
    return version, payload


def parse_event(event_type: str, payload: dict[str, Any]) -> DomainEvent:
    return EVENT_TYPES[event_type].model_validate(payload)


# -- cluster set-up -------------------------------------------------------------------------
class BranchRegistered(DomainEvent):
    """A branch (网点) joined the cluster: the core branch or a themed satellite."""

    TYPE: ClassVar[str] = "BranchRegistered"
    code: str = Field(pattern=r"^[A-Z0-9]{2,10}$")
    name: str
    kind: BranchKind
    theme: str

    def stream_id(self) -> str:
        return f"branch-{self.code}"


class RuleSetPublished(DomainEvent):
    """A points/conversion rule set version was published; it never changes afterwards."""

    TYPE: ClassVar[str] = "RuleSetPublished"
    version: str
    effective_from: date
    effective_to: date
    rules: dict[str, Any]

    def stream_id(self) -> str:
        return f"ruleset-{self.version}"


class TierLadderPublished(DomainEvent):
    """The tier ladder (客户分层) by converted AUM."""

    TYPE: ClassVar[str] = "TierLadderPublished"
    ladder: dict[str, Any]

    def stream_id(self) -> str:
        return "tier-ladder"


class BenefitsPublished(DomainEvent):
    """The benefits package shown to clients: four parts, each a list of titled items."""

    TYPE: ClassVar[str] = "BenefitsPublished"
    parts: dict[str, list[dict[str, str]]]

    def stream_id(self) -> str:
        return "benefits"


# -- staff ----------------------------------------------------------------------------------
class StaffAdded(DomainEvent):
    """A staff member got an account; only the PIN's argon2 hash is kept, never the PIN."""

    TYPE: ClassVar[str] = "StaffAdded"
    code: str = Field(pattern=r"^[A-Za-z0-9_.-]{2,32}$")
    name: str
    role: Role
    branch: str
    pin_hash: str

    def stream_id(self) -> str:
        return f"staff-{self.code}"


class StaffPinRejected(DomainEvent):
    """A wrong PIN was entered; `failed_attempts` counts consecutive failures."""

    TYPE: ClassVar[str] = "StaffPinRejected"
    code: str
    failed_attempts: int
    terminal: str

    def stream_id(self) -> str:
        return f"staff-{self.code}"


class StaffLocked(DomainEvent):
    """Too many wrong PINs: the account is locked until `locked_until` (UTC)."""

    TYPE: ClassVar[str] = "StaffLocked"
    code: str
    locked_until: datetime

    def stream_id(self) -> str:
        return f"staff-{self.code}"


class StaffSignedIn(DomainEvent):
    """A correct PIN after failures, or a TUI login: the failure count starts again at zero."""

    TYPE: ClassVar[str] = "StaffSignedIn"
    code: str
    terminal: str

    def stream_id(self) -> str:
        return f"staff-{self.code}"


# -- clients --------------------------------------------------------------------------------
class ClientRegisteredV1(DomainEvent):
    """First shape of ClientRegistered, before contact status was tracked."""

    TYPE: ClassVar[str] = "ClientRegistered"
    VERSION: ClassVar[int] = 1
    LEGACY: ClassVar[bool] = True
    client_id: str
    name: str
    mobile: str
    id_last4: str
    branch: str
    rm: str | None = None
    aum: Decimal
    risk_grade: str | None = None
    risk_expires: date | None = None
    marketing_consent: bool


class ClientRegistered(DomainEvent):
    """A client came in from the CRM (import or demo)."""

    TYPE: ClassVar[str] = "ClientRegistered"
    VERSION: ClassVar[int] = 2
    client_id: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1)
    mobile: str = Field(pattern=r"^1\d{10}$")
    id_last4: str = Field(pattern=r"^[0-9]{3}[0-9Xx]$")
    branch: str
    rm: str | None = None
    aum: Decimal = Field(ge=0, decimal_places=2)
    risk_grade: Literal["C1", "C2", "C3", "C4", "C5"] | None = None
    risk_expires: date | None = None
    marketing_consent: bool
    contact_status: Literal["ok", "unreachable"] = "ok"

    def stream_id(self) -> str:
        return f"client-{self.client_id}"


@upcaster("ClientRegistered", 1)
def _client_registered_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "contact_status": "ok"}


# -- points ledger --------------------------------------------------------------------------
class LedgerLine(BaseModel):
    """One explained line of a credit: what was counted, under which rule, for how many points."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    line: int
    item: str
    source: str | None = None
    value: Decimal | None = None
    coefficient: Decimal | None = None
    multiplier: Decimal | None = None
    converted_delta: Decimal = Decimal("0.00")
    formula: str
    points: int


class PointsCredited(DomainEvent):
    """Points (积分) credited to a client; `credit_key` is unique so nothing is credited twice."""

    TYPE: ClassVar[str] = "PointsCredited"
    client_id: str
    credit_key: str
    kind: Literal["form", "holding", "appointment_bonus", "referral_checkin",
                  "referral_approval"]
    reference: str
    business_date: date
    rule_set: str
    lines: list[LedgerLine]
    points: int = Field(ge=0)
    converted_delta: Decimal

    def stream_id(self) -> str:
        return f"points-{self.client_id}"


class PointsReversed(DomainEvent):
    """An approved form was cancelled: exactly the points it credited are taken back."""

    TYPE: ClassVar[str] = "PointsReversed"
    client_id: str
    credit_key: str
    reason: str
    business_date: date
    points: int = Field(ge=0)

    def stream_id(self) -> str:
        return f"points-{self.client_id}"


class ExperienceStarted(DomainEvent):
    """An approved form lifted converted AUM above the standard tier: hold it for a while."""

    TYPE: ClassVar[str] = "ExperienceStarted"
    client_id: str
    credit_key: str
    tier: str
    standard_tier: str
    starts: date
    ends: date

    def stream_id(self) -> str:
        return f"points-{self.client_id}"


class ExperienceEnded(DomainEvent):
    """The experience period ended: lapsed, sustained by imported AUM, or its form cancelled."""

    TYPE: ClassVar[str] = "ExperienceEnded"
    client_id: str
    tier: str
    on: date
    outcome: Literal["lapsed", "sustained", "cancelled"]

    def stream_id(self) -> str:
        return f"points-{self.client_id}"
