"""Follow-up commands: create them for a closed session, record an outcome, reschedule,
reassign."""

from __future__ import annotations

from dataclasses import dataclass

from upgradecamp.domain.commands.base import Command


@dataclass(frozen=True)
class CreateFollowUps(Command):
    """Create the follow-ups a closed session owes (the SessionClosed policy runs this);
    running it again creates only what is still missing."""

    session_id: str


@dataclass(frozen=True)
class RecordFollowUpOutcome(Command):
    followup_id: str
    outcome: str
    note: str = ""


@dataclass(frozen=True)
class RescheduleFollowUp(Command):
    followup_id: str
    due: str
    reason: str = ""


@dataclass(frozen=True)
class ReassignFollowUp(Command):
    followup_id: str
    assignee: str
