"""Registration form commands: submit (or resubmit), approve with a PIN, reject, return,
cancel, mark the photo taken."""

from __future__ import annotations

from dataclasses import dataclass, field

from upgradecamp.domain.commands.base import Command


@dataclass(frozen=True)
class SubmitForm(Command):
    """A new form, or a returned one resubmitted (`form_id` given) with its corrections.

    Lines are (product, value, source) as typed: `parse_line_spec` in `domain/points.py`.
    """

    session_id: str
    client_id: str
    lines: tuple[tuple[str, str, str], ...] = ()
    actions: tuple[str, ...] = ()
    appointment: str | None = None
    form_id: str | None = None


@dataclass(frozen=True)
class ApproveForm(Command):
    """The branch head signs: their PIN again, checked like a sign-in (failures count)."""

    form_id: str
    pin: str = field(repr=False)


@dataclass(frozen=True)
class RejectForm(Command):
    form_id: str
    reason: str


@dataclass(frozen=True)
class ReturnForm(Command):
    form_id: str
    reason: str


@dataclass(frozen=True)
class CancelForm(Command):
    form_id: str
    reason: str


@dataclass(frozen=True)
class MarkPhotoTaken(Command):
    form_id: str
