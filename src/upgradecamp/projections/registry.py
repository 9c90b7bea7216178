"""Which events a read model folds in, by event class.

A handler names its event class in its signature, as with `functools.singledispatch`, and
`Projection.register` reads it from there (a union registers each member): the class is
written once, and the handler reads typed attributes, never payload keys. Dispatch is one dict
lookup on the event's class, so replay pays nothing for it.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from sqlmodel import SQLModel

from upgradecamp.domain.events import DomainEvent
from upgradecamp.projections.rowstore import RowStore
from upgradecamp.store.eventlog import StoredEvent

E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[RowStore, E, StoredEvent], None]
"""A handler: the rows, the event, and where and by whom it was stored (time, actor)."""
Projector = Callable[[RowStore, Any, StoredEvent], None]
Reads = Callable[[Any], Iterable[tuple[type[SQLModel], Any]]]
"""The rows (model, key) a handler will `get` for an event: a hint to read them in bulk."""


class Projection:
    """The handlers of one read model, keyed by the event class each one takes."""

    def __init__(self) -> None:
        self.handlers: dict[type[DomainEvent], Projector] = {}
        self.reads: dict[type[DomainEvent], Reads] = {}

    def register(self, fn: Handler[E]) -> Handler[E]:
        for cls in _event_classes(fn):
            if cls in self.handlers:
                raise ValueError(
                    f"{cls.__name__} is already projected by {self.handlers[cls].__name__}"
                )
            self.handlers[cls] = fn
        return fn

    def prefetch(self, fn: Callable[[E], Iterable[tuple[type[SQLModel], Any]]]) -> Reads:
        """Register the rows the handler of `fn`'s event class reads, so that `project` can
        read a batch's rows in a few queries instead of one per event (a file import). Only a
        speed-up: a row not named here is still read when the handler asks for it."""
        for cls in _event_classes(fn, 0):
            self.reads[cls] = fn
        return fn


def _event_classes(fn: Callable[..., Any], at: int = 1) -> list[type[DomainEvent]]:
    """The event classes a handler's second parameter (or the one `at`) is annotated with."""
    name = list(inspect.signature(fn).parameters)[at]
    annotation = get_type_hints(fn)[name]
    if get_origin(annotation) in (Union, types.UnionType):
        classes = list(get_args(annotation))
    else:
        classes = [annotation]
    for cls in classes:
        if not (isinstance(cls, type) and issubclass(cls, DomainEvent)):
            raise TypeError(f"{fn.__name__} must take an event class, not {cls!r}")
    return classes
