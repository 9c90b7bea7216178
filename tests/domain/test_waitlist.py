"""Seats and the waiting list of the call round, on plain facts (domain/waitlist.py)."""

from __future__ import annotations

from upgradecamp.domain.invitations import outcome_changes
from upgradecamp.domain.waitlist import Seats, confirmation_waits, offered


def test_confirmations_take_free_seats_then_wait_in_order():
    assert not confirmation_waits(Seats(capacity=4, confirmed=3, arrived_other=0), "I5")
    full = Seats(capacity=4, confirmed=3, arrived_other=1)
    assert full.free == 0 and confirmation_waits(full, "I5")
    assert offered(Seats(capacity=4, confirmed=4, arrived_other=2, waiting=("I5",))) == ()


def test_a_freed_seat_goes_to_the_first_waiting_not_to_a_newcomer():
    freed = Seats(capacity=4, confirmed=3, arrived_other=0, waiting=("I5", "I6"))
    assert offered(freed) == ("I5",)
    assert not confirmation_waits(freed, "I5")  # the first on the list takes it
    assert confirmation_waits(freed, "I6")  # the second waits on
    assert confirmation_waits(freed, "I9")  # a newcomer queues behind them


def test_walk_ins_and_unconfirmed_arrivals_take_seats_too():
    seats = Seats(capacity=4, confirmed=2, arrived_other=2, waiting=("I5",))
    assert seats.free == 0 and offered(seats) == ()


def test_a_confirmation_beyond_capacity_puts_the_invitation_on_the_list():
    row = {"state": "sent", "calls": 0}
    assert outcome_changes(row, "call", "confirmed", waitlisted=True)["state"] == "waitlisted"
    assert outcome_changes(row, "call", "confirmed")["state"] == "confirmed"
    assert outcome_changes({"state": "waitlisted"}, "call", "declined")["state"] == "declined"
