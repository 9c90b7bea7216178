"""The admin's home shows the last checkpoint of the log and asks for one when it is over a
week old (issue 12); other roles see nothing of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.tui.conftest import ADMIN, settle, sign_in, widget_text
from tests.waiting import wait_for
from upgradecamp.domain.commands import RecordCheckpoint
from upgradecamp.domain.events import StaffAdded
from upgradecamp.queries.integrity import CheckpointStatus, checkpoint_status
from upgradecamp.tui.app import create_app
from upgradecamp.tui.widgets.integrity_notice import IntegrityNotice, notice_text


async def test_admin_is_asked_for_a_first_checkpoint_then_sees_the_last(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "admin1")
        await settle(pilot)
        notice = app.screen.query_one(IntegrityNotice)
        assert "No checkpoint of the event log yet" in widget_text(notice)
        assert notice.has_class("-due")
        services.execute(RecordCheckpoint(), ADMIN)
        app.screen.action_reload()
        await settle(pilot)
        await pilot.pause()
        text = widget_text(notice)
        assert "Last log checkpoint" in text and "by admin1" in text
        assert not notice.has_class("-due")


async def test_other_roles_see_no_checkpoint_notice(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "org1")
        await settle(pilot)
        assert not app.screen.query_one(IntegrityNotice).has_class("-shown")


def test_a_checkpoint_over_a_week_old_is_due(services):
    services.execute(RecordCheckpoint(), ADMIN)
    now = datetime.now(UTC)
    assert not checkpoint_status(services.engine, now + timedelta(days=6)).due
    old = checkpoint_status(services.engine, now + timedelta(days=8))
    assert old.due and old.days_old == 8
    assert "8 days old" in notice_text(old)
    assert notice_text(CheckpointStatus(None, None, None, None, True)).startswith("No checkpoint")


async def test_read_tables_that_disagree_with_the_log_are_shown_to_everyone(services):
    from sqlalchemy import text

    from upgradecamp.store.db import write_transaction

    with write_transaction(services.engine) as conn:
        conn.execute(text("INSERT INTO client_points (client_id, balance) VALUES ('C1', 900)"))
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ck1")
        await settle(pilot)
        await pilot.pause()
        notice = app.screen.query_one(IntegrityNotice)
        assert notice.has_class("-due")
        assert "read tables disagree with the event log" in widget_text(notice)


async def test_a_refused_follow_on_is_shown_at_the_terminal_whose_command_triggered_it(services):
    from upgradecamp.domain.commands import AddStaff
    from upgradecamp.domain.errors import RuleRefused

    def refused(_svc, _event, _stored):
        raise RuleRefused("no rule set is in force on 2027-01-04; publish 2027Q1")

    app = create_app(services, "en")
    told: list[str] = []
    shown = app.notify

    def notify(message: str, **kwargs) -> None:  # a toast wraps: keep its whole text
        told.append(message)
        shown(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "admin1")
        services.policies[StaffAdded] = [refused]
        services.execute(
            AddStaff(code="mk9", name="赵六", role="marketer", branch="B02", pin="135792"), ADMIN
        )
        await wait_for(
            pilot,
            lambda: any(
                "follow-on (Staff added) was refused: no rule set is in force" in m for m in told
            ),
            what="a notification of the refused follow-on",
            seen=lambda: told,
        )
