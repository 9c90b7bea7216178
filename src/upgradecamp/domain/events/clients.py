"""Client register events (CRM import, demo, contact and consent changes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import Field

from upgradecamp.domain.events.base import DomainEvent, upcaster


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


ContactStatus = Literal["ok", "unreachable"]


class ClientDetailsChanged(DomainEvent):
    """A re-import found new CRM values for a client; only the changed fields are set.

    `cleared` names optional fields the CRM now leaves empty (rm, risk_grade, risk_expires).
    """

    TYPE: ClassVar[str] = "ClientDetailsChanged"
    client_id: str
    name: str | None = None
    mobile: str | None = Field(default=None, pattern=r"^1\d{10}$")
    id_last4: str | None = Field(default=None, pattern=r"^[0-9]{3}[0-9Xx]$")
    branch: str | None = None
    rm: str | None = None
    aum: Decimal | None = Field(default=None, ge=0, decimal_places=2)
    risk_grade: Literal["C1", "C2", "C3", "C4", "C5"] | None = None
    risk_expires: date | None = None
    marketing_consent: bool | None = None
    contact_status: ContactStatus | None = None
    cleared: list[Literal["rm", "risk_grade", "risk_expires"]] = []

    def stream_id(self) -> str:
        return f"client-{self.client_id}"


class ClientsImported(DomainEvent):
    """Who imported which CRM file and what it did: the audit line of an import."""

    TYPE: ClassVar[str] = "ClientsImported"
    source: str
    rows: int
    registered: int
    updated: int
    unchanged: int
    skipped_rows: list[int] = []

    def stream_id(self) -> str:
        return "client-imports"


class ClientMarkedUnreachable(DomainEvent):
    """A call found the number wrong: leave the client out of invitation waves until fixed."""

    TYPE: ClassVar[str] = "ClientMarkedUnreachable"
    client_id: str
    reason: str
    invitation_id: str | None = None

    def stream_id(self) -> str:
        return f"client-{self.client_id}"


class ClientConsentWithdrawn(DomainEvent):
    """The client opted out (SMS reply R, or said so on a call): no more marketing.

    A later CRM import saying Y does not give consent back; only the client can.
    """

    TYPE: ClassVar[str] = "ClientConsentWithdrawn"
    client_id: str
    channel: Literal["sms", "call", "wechat", "desk"]
    invitation_id: str | None = None

    def stream_id(self) -> str:
        return f"client-{self.client_id}"
