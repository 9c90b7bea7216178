"""Enter at scanner speed: keys typed after an Enter land where the Enter led, never before it.

Textual hands each key to the focused widget's own queue. An Input posts `Submitted` only when
it gets round to its Enter; by then the keys typed after it (a scanner or a paste sends up to
100 a second) are queued to the same field, so `王小明` Enter `139…` filled one field. Here
Enter is a priority binding of the screen, run as the key arrives: it moves the focus at once
(so later keys go to the next field) and posts `FieldDone` into the queue of the field it
leaves, behind the keys typed before the Enter. `OrderedInput` notes its value as the message
passes, so the screen reads exactly what was typed before that Enter.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class FieldDone(Message):
    """Enter was pressed in `field`; `value` is its text as of that Enter."""

    def __init__(self, field: Input) -> None:
        super().__init__()
        self.field = field
        self.value = field.value


class OrderedInput(Input):
    """An Input that notes its value when `FieldDone` reaches it (then the message bubbles).

    With `segments`, one field takes Enter after Enter (a scanner's codes, each with its
    Enter): each `FieldDone` carries only what was typed since the Enter before it; the screen
    `drop`s what it handled from the start of the field, or `release`s it to be taken again.
    """

    def __init__(self, *args: Any, segments: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.segments = segments
        self._taken = 0  # characters at the start already sent with an Enter

    def on_field_done(self, message: FieldDone) -> None:
        if message.field is not self:
            return
        if self.segments:
            message.value = self.value[self._taken :]
            self._taken = len(self.value)
        else:
            message.value = self.value

    def release(self, text: str) -> None:
        """`text` was handled and stays: with no Enter after it, the next Enter takes it too."""
        if self._taken == len(text):
            self._taken = 0

    def drop(self, count: int) -> None:
        """Take the first `count` characters off (handled); keys typed since stay."""
        self.value = self.value[count:]
        self._taken = max(0, self._taken - count)


ENTER = Binding("enter", "ordered_enter", show=False, priority=True, id="fields.enter")


class OrderedFields:
    """A screen whose fields take Enter in order; mix into a Screen with `ENTER` in BINDINGS.

    `FIELD_ORDER` lists the field ids Enter moves through. `field_done(field_id, value)` is
    called once a field took every key typed before its Enter; `fields_complete(values)` once
    Enter in the last field arrived and every earlier Enter was accounted for, with each
    field's value as of its last Enter. Enter anywhere else (a list, a button) does what it
    would have done.
    """

    FIELD_ORDER: ClassVar[tuple[str, ...]] = ()

    def next_field(self, field_id: str) -> str | None:
        order = self.FIELD_ORDER
        i = order.index(field_id)
        return order[i + 1] if i + 1 < len(order) else None

    def action_ordered_enter(self) -> None:
        screen: Any = self
        field = screen.focused
        if not isinstance(field, Input) or field.id not in self.FIELD_ORDER:
            if field is not None:  # not one of ours: the key goes on as if unbound
                from textual import events

                field._forward_event(events.Key("enter", None))
            return
        self._awaiting().add(field.id)
        field.post_message(FieldDone(field))
        nxt = self.next_field(field.id)
        if nxt is not None:
            target = screen.query_one(f"#{nxt}", Input)
            target.disabled = False
            screen.set_focus(target)  # now, not later: the next key goes there

    def _awaiting(self) -> set[str]:
        if not hasattr(self, "_fields_awaiting"):
            self._fields_awaiting: set[str] = set()
            self._fields_typed: dict[str, str] = {}
            self._fields_finish = False
        return self._fields_awaiting

    def on_field_done(self, message: FieldDone) -> None:
        message.stop()
        field_id = message.field.id or ""
        awaiting = self._awaiting()
        awaiting.discard(field_id)
        self._fields_typed[field_id] = message.value
        if self.next_field(field_id) is None:
            self._fields_finish = True
        self.field_done(field_id, message.value)
        if self._fields_finish and not awaiting:
            self._fields_finish = False
            screen: Any = self
            values = {
                f: self._fields_typed.get(f, screen.query_one(f"#{f}", Input).value)
                for f in self.FIELD_ORDER
            }
            self._fields_typed.clear()
            self.fields_complete(values)

    def field_done(self, field_id: str, value: str) -> None:
        """One field's Enter, in order (nothing by default)."""

    def fields_complete(self, values: dict[str, str]) -> None:  # pragma: no cover
        raise NotImplementedError
