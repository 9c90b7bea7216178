"""Client register events (CRM import, demo, contact and consent changes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import Field

from upgradecamp.domain.events import streams
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


class ClientRegisteredV2(DomainEvent):
    """Second shape of ClientRegistered, before the birthday (MM-DD) was kept."""

    TYPE: ClassVar[str] = "ClientRegistered"
    VERSION: ClassVar[int] = 2
    LEGACY: ClassVar[bool] = True
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


class ClientRegistered(DomainEvent):
    """A client came in from the CRM (import or demo)."""

    TYPE: ClassVar[str] = "ClientRegistered"
    VERSION: ClassVar[int] = 3
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
    birthday: str | None = Field(default=None, pattern=r"^\d{2}-\d{2}$")  # MM-DD, no year

    def stream_id(self) -> str:
        return streams.client(self.client_id)


@upcaster("ClientRegistered", 1)
def _client_registered_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "contact_status": "ok"}


@upcaster("ClientRegistered", 2)
def _client_registered_v2_v3(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "birthday": None}


ContactStatus = Literal["ok", "unreachable"]


class ClientDetailsChangedV1(DomainEvent):
    """First shape of ClientDetailsChanged, before the birthday."""

    TYPE: ClassVar[str] = "ClientDetailsChanged"
    VERSION: ClassVar[int] = 1
    LEGACY: ClassVar[bool] = True
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


class ClientDetailsChanged(DomainEvent):
    """A re-import found new CRM values for a client; only the changed fields are set.

    `cleared` names optional fields the CRM now leaves empty (rm, risk_grade,
    risk_expires, birthday).
    """

    TYPE: ClassVar[str] = "ClientDetailsChanged"
    VERSION: ClassVar[int] = 2
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
    birthday: str | None = Field(default=None, pattern=r"^\d{2}-\d{2}$")
    cleared: list[Literal["rm", "risk_grade", "risk_expires", "birthday"]] = []

    def stream_id(self) -> str:
        return streams.client(self.client_id)


@upcaster("ClientDetailsChanged", 1)
def _client_details_changed_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """v1 knew no birthday: nothing to add (the field defaults to unchanged)."""
    return dict(payload)


class ClientsImported(DomainEvent):
    """Who imported which CRM file and what it did: the audit line of an import."""

    TYPE: ClassVar[str] = "ClientsImported"
    source: str
    rows: int
    registered: int
    updated: int
    unchanged: int
    skipped_rows: list[int] = []
    left_out_rows: list[int] = []  # rows of forgotten clients (PIPL), neither bad nor imported

    def stream_id(self) -> str:
        return streams.CLIENT_IMPORTS


class ClientMarkedUnreachable(DomainEvent):
    """A call found the number wrong: leave the client out of invitation waves until fixed."""

    TYPE: ClassVar[str] = "ClientMarkedUnreachable"
    client_id: str
    reason: str
    invitation_id: str | None = None

    def stream_id(self) -> str:
        return streams.client(self.client_id)


class ClientConsentWithdrawn(DomainEvent):
    """The client opted out (SMS reply R, or said so on a call): no more marketing.

    A later CRM import saying Y does not give consent back; only the client can.
    """

    TYPE: ClassVar[str] = "ClientConsentWithdrawn"
    client_id: str
    channel: Literal["sms", "call", "wechat", "desk"]
    invitation_id: str | None = None

    def stream_id(self) -> str:
        return streams.client(self.client_id)


class ClientAssigned(DomainEvent):
    """The client's relationship manager (客户经理) changed by assignment (分客户), not by a
    CRM re-import; `previous` is the manager before (None: unassigned)."""

    TYPE: ClassVar[str] = "ClientAssigned"
    client_id: str
    rm: str = Field(min_length=1)
    previous: str | None = None

    def stream_id(self) -> str:
        return streams.client(self.client_id)


class ClientForgotten(DomainEvent):
    """The client's personal data was forgotten (被遗忘): their data key is destroyed with this
    event (store/sealing.py), so every personal field sealed under it reads as a placeholder
    from now on, in replay too. Amounts and points stay; `purge` marks a walk-in prospect
    forgotten by `privacy purge` rather than at the client's request."""

    TYPE: ClassVar[str] = "ClientForgotten"
    client_id: str
    reason: str = Field(min_length=1)
    forgotten_by: str
    purge: bool = False

    def stream_id(self) -> str:
        return streams.client(self.client_id)
