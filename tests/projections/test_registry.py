"""Projections dispatch on the event class; a stored event parses into its class once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from upgradecamp.domain.events import (
    ClientRegistered,
    DomainEvent,
    ProspectRegistered,
    SessionOpened,
    StaffSignedIn,
)
from upgradecamp.projections import DISPATCH, search
from upgradecamp.projections.registry import Projection
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent

AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def stored(event_type: str, payload: dict) -> StoredEvent:
    return StoredEvent(1, "s", 1, event_type, 1, payload, {"actor": "a"}, AT, "")


def test_a_handler_is_registered_under_the_classes_of_its_signature():
    projection = Projection()

    @projection.register
    def opened(store: RowStore, event: SessionOpened, ev: StoredEvent) -> None:
        pass

    @projection.register
    def both(
        store: RowStore, event: ClientRegistered | ProspectRegistered, ev: StoredEvent
    ) -> None:
        pass

    assert projection.handlers == {
        SessionOpened: opened,
        ClientRegistered: both,
        ProspectRegistered: both,
    }
    assert DISPATCH[ProspectRegistered][-1] is search.client_registered


def test_a_class_is_projected_once_per_read_model_and_only_events_are_taken():
    projection = Projection()

    @projection.register
    def first(store: RowStore, event: SessionOpened, ev: StoredEvent) -> None:
        pass

    with pytest.raises(ValueError, match="SessionOpened is already projected by first"):

        @projection.register
        def second(store: RowStore, event: SessionOpened, ev: StoredEvent) -> None:
            pass

    with pytest.raises(TypeError, match="must take an event class"):

        @projection.register
        def untyped(store: RowStore, event: dict, ev: StoredEvent) -> None:
            pass


def test_the_stored_payload_parses_into_its_class_once():
    ev = stored("StaffSignedIn", {"code": "mk1", "terminal": "desk-1"})
    event = ev.event
    assert isinstance(event, StaffSignedIn) and isinstance(event, DomainEvent)
    assert (event.code, event.terminal) == ("mk1", "desk-1")
    assert ev.event is event
    assert ev == tuple(ev)  # still the named tuple it was: equality ignores the parsed event


def test_typed_values_come_back_from_their_json_form():
    payload = ClientRegistered(
        client_id="C1",
        name="张三",
        mobile="13800000001",
        id_last4="0409",
        branch="B01",
        aum="12345.60",
        risk_grade="C3",
        risk_expires="2027-06-30",
        marketing_consent=True,
    ).payload()
    event = stored("ClientRegistered", payload).event
    assert isinstance(event, ClientRegistered)
    assert str(event.aum) == "12345.60" and event.risk_expires.isoformat() == "2027-06-30"
