"""Seats and the waiting list (候补名单) of a session's call round. Pure.

A confirmation by phone books a seat while one is free; beyond capacity it joins the waiting
list, in the order the confirmations came. Seats are taken by confirmed invitations and by
everyone already at the door who is not one of them (walk-ins, invitees who came without
confirming): so a confirmed client who declines, or a check-in annulled before the session
starts, frees a seat, and the first on the list is offered it (the call list shows them).
The list keeps its order: a new confirmation waits behind those already waiting.

The door does not read this list: there the head count alone decides (`domain/checkin.py`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Seats:
    """A session's seats as the read tables show them.

    `confirmed` counts confirmed invitations (without the one being decided), `arrived_other`
    the live check-ins of anyone else; `waiting` the waitlisted invitation ids in list order,
    those already at the door left out.
    """

    capacity: int
    confirmed: int
    arrived_other: int
    waiting: tuple[str, ...] = ()

    @property
    def free(self) -> int:
        return max(self.capacity - self.confirmed - self.arrived_other, 0)


def confirmation_waits(seats: Seats, invitation_id: str) -> bool:
    """Whether a client confirming now joins (or stays on) the waiting list.

    One already on the list gets a seat when their place on it is within the free seats;
    anyone else only when a seat is free after everyone waiting got theirs.
    """
    if invitation_id in seats.waiting:
        return seats.waiting.index(invitation_id) >= seats.free
    return seats.free <= len(seats.waiting)


def offered(seats: Seats) -> tuple[str, ...]:
    """The waitlisted invitations to call now: as many from the top as seats are free."""
    return seats.waiting[: seats.free]
