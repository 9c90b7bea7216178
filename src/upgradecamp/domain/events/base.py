"""The base of every domain event, the registry of types and the upcasters between versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

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
