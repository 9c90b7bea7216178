"""Registration form events (升级确认单): submitted, returned, decided, cancelled, photographed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from upgradecamp.domain.events import streams
from upgradecamp.domain.events.base import DomainEvent, upcaster


class FormLineEntry(BaseModel):
    """One product line as the marketer typed it: product code, value, source of funds."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    product: str
    value: Decimal = Field(gt=0)
    source: Literal["existing", "new", "other_bank"] = "new"


class FormSubmitted(DomainEvent):
    """A marketer put a form in the branch head's queue; `revision` counts resubmissions."""

    TYPE: ClassVar[str] = "FormSubmitted"
    form_id: str
    session_id: str
    client_id: str
    marketer: str
    lines: list[FormLineEntry] = []
    actions: list[str] = []
    appointment: date | None = None
    on_site: bool
    revision: int = Field(default=0, ge=0)
    points: int = Field(ge=0)
    converted_delta: Decimal
    tier_before: str
    tier_after: str

    def stream_id(self) -> str:
        return streams.form(self.form_id)


class FormReturned(DomainEvent):
    """The branch head sent the form back to its marketer to fix and resubmit."""

    TYPE: ClassVar[str] = "FormReturned"
    form_id: str
    reason: str = Field(min_length=1)

    def stream_id(self) -> str:
        return streams.form(self.form_id)


class BonusPaid(BaseModel):
    """A credit the approval caused beside the form's own: the appointment bonus it fulfilled,
    the referrer's reward. Named here so a cancellation takes back exactly these."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    client_id: str
    credit_key: str
    points: int = Field(ge=0)


class FormApprovedV1(DomainEvent):
    """First shape of FormApproved, before it named the bonuses its approval paid."""

    TYPE: ClassVar[str] = "FormApproved"
    VERSION: ClassVar[int] = 1
    LEGACY: ClassVar[bool] = True
    form_id: str
    session_id: str
    client_id: str
    credit_key: str | None = None
    points: int = Field(ge=0)
    converted_delta: Decimal
    tier_before: str
    tier_after: str


class FormApproved(DomainEvent):
    """The branch head signed the form (PIN re-entered); its points are credited with it."""

    TYPE: ClassVar[str] = "FormApproved"
    VERSION: ClassVar[int] = 2
    form_id: str
    session_id: str
    client_id: str
    credit_key: str | None = None
    points: int = Field(ge=0)
    converted_delta: Decimal
    tier_before: str
    tier_after: str
    bonuses: list[BonusPaid] = []

    def stream_id(self) -> str:
        return streams.form(self.form_id)


@upcaster("FormApproved", 1)
def _form_approved_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """An approval recorded before v2 named no bonuses: cancelling it reverses the form's own
    points only, as it did then."""
    return {**payload, "bonuses": []}


class FormRejected(DomainEvent):
    """The branch head refused the form, with a reason; it is decided and stays so."""

    TYPE: ClassVar[str] = "FormRejected"
    form_id: str
    reason: str = Field(min_length=1)

    def stream_id(self) -> str:
        return streams.form(self.form_id)


class FormCancelled(DomainEvent):
    """The form was withdrawn; if it had been approved, its points were reversed with it."""

    TYPE: ClassVar[str] = "FormCancelled"
    form_id: str
    reason: str = Field(min_length=1)
    was_approved: bool = False

    def stream_id(self) -> str:
        return streams.form(self.form_id)


class PhotoTaken(DomainEvent):
    """The client was photographed with the branch head (合影): the excuse for a later visit."""

    TYPE: ClassVar[str] = "PhotoTaken"
    form_id: str

    def stream_id(self) -> str:
        return streams.form(self.form_id)


class ProspectRegistered(DomainEvent):
    """A walk-in who is not yet in the CRM, added at the door with a name and a mobile."""

    TYPE: ClassVar[str] = "ProspectRegistered"
    client_id: str
    name: str = Field(min_length=1)
    mobile: str = Field(pattern=r"^1\d{10}$")
    branch: str
    session_id: str

    def stream_id(self) -> str:
        return streams.client(self.client_id)
