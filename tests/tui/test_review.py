"""The branch head's review place: the month's results against targets, ranked, with the
satisfaction and complaints of the month."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import DataTable

from tests.conftest import FakeClock
from tests.helpers import client_row
from tests.tui.conftest import ADMIN, add_staff, sign_in, widget_text
from tests.waiting import wait_for, wait_for_screen
from upgradecamp.domain.commands import (
    CheckIn,
    GiveFeedback,
    OpenSession,
    PlanSessions,
    RegisterClients,
    SetTarget,
)
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.review import ReviewScreen

HEAD = Actor(code="bh1", role="branch_head", branch="B02")
DESK = Actor(code="ck1", role="checkin", branch="B02")
ORG = Actor(code="org1", role="organizer", branch="B02")


async def test_the_head_sees_targets_results_and_satisfaction(db_path):
    svc = bootstrap(
        db_path,
        terminal="test-terminal-1",
        clock=FakeClock(datetime(2026, 11, 20, 2, 0, tzinfo=UTC)),
    )
    add_staff(svc)
    svc.execute(RegisterClients(clients=[client_row(1, rm="mk1")]), ADMIN)
    svc.execute(PlanSessions(branch="B02", start="2026-11-20 15:00"), ORG)
    svc.execute(OpenSession(session_id="B02-20261120-1500"), DESK)
    svc.execute(CheckIn(session_id="B02-20261120-1500", client_id="C000001"), DESK)
    svc.execute(
        GiveFeedback(
            session_id="B02-20261120-1500", client_id="C000001", score=4, complaint="太吵"
        ),
        DESK,
    )
    svc.execute(SetTarget(staff="mk1", month="2026-11", forms=5), HEAD)
    app = create_app(svc, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "bh1")
        await pilot.press("7")
        screen = await wait_for_screen(pilot, ReviewScreen)
        table = screen.query_one("#review-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="mk1's row")
        row = [str(cell) for cell in table.get_row("mk1")]
        assert (row[0], row[2], row[5]) == ("1", "0/5", "0%")  # attended 1, no form yet
        shown = widget_text(screen.query_one("#review-satisfaction"))
        assert "B02: 1 feedback forms, average 4.00; complaints 1 open, 0 closed" in shown


def targets_recorded(services) -> list[dict]:
    from upgradecamp.store.db import read_transaction

    with read_transaction(services.engine) as conn:
        return [ev.payload for ev in services.log.tail(conn, 50) if ev.type == "TargetSet"]


async def test_the_head_sets_a_marketer_s_targets_in_a_burst_and_bad_fields_say_why(services):
    from textual.widgets import Input

    from tests.tui.keys import burst
    from upgradecamp.domain.clock import business_date
    from upgradecamp.tui.screens.target_dialog import TargetDialog

    month = f"{business_date(services.clock()):%Y-%m}"
    services.execute(SetTarget(staff="mk1", month=month, forms=5), HEAD)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "bh1")
        await pilot.press("7")
        screen = await wait_for_screen(pilot, ReviewScreen)
        table = screen.query_one("#review-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="mk1's row")
        await pilot.press("f2")
        dialog = await wait_for_screen(pilot, TargetDialog)
        assert dialog.query_one("#target-staff", Input).value == "mk1"
        assert dialog.query_one("#target-month", Input).value == month
        assert dialog.query_one("#target-forms", Input).value == "5"
        problem = dialog.query_one("#target-problem")
        # a bad month: one line, the month takes the focus, nothing typed is lost
        dialog.query_one("#target-month", Input).value = "2026-13"
        dialog.query_one("#target-upgrades", Input).value = "2"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "is not YYYY-MM" in widget_text(problem), what="the month refused"
        )
        assert dialog.focused is dialog.query_one("#target-month", Input)
        assert dialog.query_one("#target-upgrades", Input).value == "2"
        dialog.query_one("#target-month", Input).value = month
        dialog.query_one("#target-upgrades", Input).value = "-1"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "cannot be negative" in widget_text(problem), what="the negative"
        )
        dialog.query_one("#target-upgrades", Input).value = "two"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "not a whole number" in widget_text(problem), what="the non-number"
        )
        assert targets_recorded(services)[-1]["forms"] == 5  # nothing recorded yet
        # the whole form typed at scanner speed from the first field: every key lands in order
        for field in ("staff", "month", "forms", "upgrades", "converted-aum"):
            dialog.query_one(f"#target-{field}", Input).value = ""
        dialog.query_one("#target-staff", Input).focus()
        await burst(
            pilot,
            *"mk1",
            "enter",
            *month,
            "enter",
            *"8",
            "enter",
            *"3",
            "enter",
            *"500000",
            "enter",
        )
        result = screen.query_one("#review-result")
        await wait_for(
            pilot,
            lambda: f"Targets of mk1 for {month} set: forms 8, upgrades 3" in widget_text(result),
            what="the targets saved",
        )
        last = targets_recorded(services)[-1]
        assert (last["staff"], last["month"], last["forms"], last["upgrades"]) == (
            "mk1",
            month,
            8,
            3,
        )
        assert last["converted_aum"] == "500000.00"
        await wait_for(pilot, lambda: str(table.get_row("mk1")[2]) == "0/8", what="the table again")
