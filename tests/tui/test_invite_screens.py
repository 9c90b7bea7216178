"""The invite-list builder (live dry-run counts, then Build) and the call list (one key per
outcome), driven with Pilot as an organizer would."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from textual.widgets import DataTable, Input, Static

from tests.helpers import client_row
from tests.tui.conftest import ADMIN, screen_text, settle, sign_in, tail, widget_text
from tests.waiting import wait_for, wait_for_screen_text, wait_for_text
from upgradecamp.domain.commands import RegisterClients
from upgradecamp.domain.commands.invitations import BuildInviteList, RecordInvitationOutcome
from upgradecamp.domain.commands.sessions import CancelSession, PlanSessions
from upgradecamp.domain.rules import shanghai
from upgradecamp.domain.staff import Actor
from upgradecamp.queries import head_position
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientRow
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.call_list import CallListScreen, ConfirmOutcome
from upgradecamp.tui.screens.invite_builder import InviteBuilderScreen

ORGANIZER = Actor(code="org1", role="organizer", branch="B02")
# AUM of the potential clients C000001..C000012: 70,000 up to 180,000 in steps of 10,000.
POTENTIAL = {n: 60000 + 10000 * n for n in range(1, 13)}


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def start_in(days: int) -> str:
    """A local start time `days` from today: the services fixture runs on the real clock."""
    return (datetime.now(shanghai()) + timedelta(days=days)).strftime("%Y-%m-%d 15:00")


@pytest.fixture
def session_id(services) -> str:
    """A session 45 days ahead at B02 (capacity 10) and clients of every kind to invite."""
    rows = [client_row(n, aum=f"{aum}.00") for n, aum in POTENTIAL.items()]
    rows += [client_row(20 + n, aum="300000.00") for n in range(1, 5)]  # mid-high
    rows += [
        client_row(30, aum="30000.00"),  # long tail
        client_row(31, aum="90000.00", marketing_consent=False),
        client_row(32, aum="95000.00", contact_status="unreachable"),
    ]
    services.execute(RegisterClients(clients=rows), ADMIN)
    result = services.execute(PlanSessions(branch="B02", start=start_in(45)), ADMIN)
    return result["sessions"][0]["session_id"]


def events_since(services, position: int) -> list:
    return [ev for ev in tail(services, 200) if ev.position > position]


async def open_builder(pilot, session_id: str) -> InviteBuilderScreen:
    await sign_in(pilot, "org1")
    screen = InviteBuilderScreen(pilot.app.actor, session_id)
    await pilot.app.push_screen(screen)
    await wait_preview(pilot)
    return screen


async def wait_preview(pilot) -> None:
    """Until the debounced dry run has started and come back (or was ruled out)."""
    screen = pilot.app.screen
    await wait_for(
        pilot,
        lambda: screen.preview_settled,
        what="the invite list's dry run to come back (or be ruled out)",
    )
    await settle(pilot)


async def retype(pilot, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    await pilot.pause()
    field.cursor_position = len(field.value)
    await pilot.press(*["backspace"] * len(field.value))
    await pilot.press(*("full_stop" if ch == "." else ch for ch in text))


def preview(app) -> str:
    return widget_text(app.screen.query_one("#ib-preview-box"))


def message(app, selector: str) -> str:
    return widget_text(app.screen.query_one(selector, Static))


# -- the invite-list builder ------------------------------------------------------------------


async def test_the_preview_counts_follow_the_criteria_and_write_nothing(services, session_id):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_builder(pilot, session_id)
        before = head_position(services.engine)
        header = widget_text(screen.query_one("#ib-session"))
        assert "城东支行幸福路网点" in header and "capacity 10" in header
        assert "already invited 0" in header
        shown = preview(app)
        # 50,000 ≤ AUM < 200,000: the 12 potential clients plus the two left out.
        assert "Clients in the AUM range: 14 · can be invited: 12" in shown
        assert "To invite: 15 more" in shown
        assert "Would invite now: 12" in shown
        assert "No marketing consent" in shown and "Marked unreachable" in shown
        assert "Only 12 can be invited of the 15 wanted" in shown

        await retype(pilot, "#ib-aum-min", "150000")
        await wait_preview(pilot)
        shown = preview(app)
        # 150,000..180,000: C000009..C000012.
        assert "Clients in the AUM range: 4 · can be invited: 4" in shown
        assert "Would invite now: 4" in shown
        assert "No marketing consent" not in shown

        # With the 2:1 mix the segments decide: every potential and mid-high client counts,
        # the AUM fields are switched off, and the 4 mid-high clients leave 1 place to fill.
        app.screen.query_one("#ib-mix").focus()
        await pilot.press("space")
        await wait_preview(pilot)
        shown = preview(app)
        assert "On: 2/3 Potential + 1/3 Mid-high" in message(app, "#ib-mix-text")
        assert app.screen.query_one("#ib-aum-min", Input).disabled
        assert "The segments set the asset range: 50,000 to under 8,000,000" in shown
        assert "Clients in the AUM range: 18 · can be invited: 16" in shown
        assert "The mix asks for: Potential 10 · Mid-high 5" in shown
        assert "  Potential 11 · Mid-high 4" in shown
        assert head_position(services.engine) == before  # previews write nothing


async def test_a_bad_input_is_answered_inline_and_shows_no_count(services, session_id):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_builder(pilot, session_id)
        await retype(pilot, "#ib-aum-min", "5万")
        await wait_preview(pilot)
        assert "AUM from: “5万” is not a number" in message(app, "#ib-message")
        assert "No count yet" in preview(app) and "Would invite" not in preview(app)
        assert screen.preview is None

        await retype(pilot, "#ib-aum-min", "250000")
        await wait_preview(pilot)
        assert "AUM from (250,000) must be below AUM to (200,000)" in message(app, "#ib-message")
        assert "Would invite" not in preview(app)

        await retype(pilot, "#ib-aum-min", "60000")
        await retype(pilot, "#ib-per-seat", "9")
        await wait_preview(pilot)
        assert "at most 5" in message(app, "#ib-message")
        position = head_position(services.engine)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "No count yet" in message(app, "#ib-result")
        assert head_position(services.engine) == position

        await retype(pilot, "#ib-per-seat", "1")
        await wait_preview(pilot)
        assert message(app, "#ib-message") == ""
        assert "Would invite now: 10" in preview(app)


async def test_build_writes_the_list_and_says_how_many_were_issued(services, session_id):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_builder(pilot, session_id)
        position = head_position(services.engine)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await wait_preview(pilot)
        written = events_since(services, position)
        assert [ev.type for ev in written] == ["InviteListBuilt"] + ["InvitationIssued"] * 12
        assert written[0].payload["issued"] == 12
        assert "Issued 12 invitations (target 15)" in message(app, "#ib-result")
        header = app.screen.query_one("#ib-session")
        await wait_for_text(
            pilot,
            lambda: widget_text(header),
            "already invited 12",
            what="the header to follow the log",
        )
        # The next dry run sees them: nobody new, all 12 already invited here.
        shown = preview(app)
        assert "Would invite now: 0" in shown and "Already invited here" in shown

        position = head_position(services.engine)
        await pilot.click("#ib-build")
        await settle(pilot)
        assert "Nothing to build" in message(app, "#ib-result")
        assert head_position(services.engine) == position

        # One invitation per seat: 10 seats hold fewer than the 12 already invited.
        await retype(pilot, "#ib-per-seat", "1")
        await wait_preview(pilot)
        assert "The list is full: 12 invited" in preview(app)
        assert message(app, "#ib-message") == ""
        await pilot.press("escape")
        assert not isinstance(app.screen, InviteBuilderScreen)


async def test_the_builder_warns_of_a_session_less_than_30_days_away(services, session_id):
    soon = services.execute(PlanSessions(branch="B02", start=start_in(10)), ADMIN)
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_builder(pilot, soon["sessions"][0]["session_id"])
        shown = preview(app)
        assert "距开场仅 10 天：邀约应至少提前 30 天发出" in shown
        assert "未同意营销" in shown and "已标记失联" in shown


# -- the call list ----------------------------------------------------------------------------


@pytest.fixture
def invited(services, session_id) -> list[dict]:
    built = services.execute(BuildInviteList(session_id=session_id), ORGANIZER)
    return built["invitations"]


async def open_call_list(pilot, session_id: str) -> CallListScreen:
    await sign_in(pilot, "org1")
    screen = CallListScreen(pilot.app.actor, session_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


def outcomes_since(services, position: int) -> list[tuple[str, str, str, str]]:
    return [
        (
            ev.payload["invitation_id"],
            ev.payload["channel"],
            ev.payload["result"],
            ev.payload["note"],
        )
        for ev in events_since(services, position)
        if ev.type == "InvitationOutcomeRecorded"
    ]


def cursor_id(screen: CallListScreen) -> str:
    row = screen.current_row()
    assert row is not None
    return row["invitation_id"]


async def test_one_key_per_outcome_and_the_cursor_moves_on(services, session_id, invited):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_call_list(pilot, session_id)
        ids = [row["invitation_id"] for row in screen.rows]
        assert len(ids) == 12 and cursor_id(screen) == ids[0]
        counts = widget_text(screen.query_one("#cl-counts"))
        assert "Invited 12 · Confirmed 0" in counts and "To call 12" in counts
        position = head_position(services.engine)

        await pilot.press("y")
        await settle(pilot)
        assert outcomes_since(services, position) == [(ids[0], "call", "confirmed", "")]
        assert cursor_id(screen) == ids[1]
        assert "confirmed recorded" in message(app, "#cl-message").lower()

        await pilot.press("a")
        await settle(pilot)
        await pilot.press("m", *"ring at 6", "enter")
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert outcomes_since(services, position) == [
            (ids[0], "call", "confirmed", ""),
            (ids[1], "call", "no_answer", ""),
            (ids[2], "call", "call_back", "ring at 6"),
            (ids[3], "call", "declined", ""),
            (ids[4], "wechat", "added", ""),
            (ids[5], "sms", "sent", ""),
        ]
        assert cursor_id(screen) == ids[6]
        table = widget_text(screen.query_one("#cl-table"))
        assert "Call back" in table and "✓" in table
        counts = widget_text(screen.query_one("#cl-counts"))
        assert "Confirmed 1 · Declined 1 · No answer 1 · Call back 1" in counts

        # "Told" is only for a cancelled session: said on screen, nothing written.
        before = head_position(services.engine)
        await pilot.press("t")
        await settle(pilot)
        assert "only for the invitees of a cancelled session" in message(app, "#cl-message")
        assert head_position(services.engine) == before


async def test_a_note_typed_with_m_is_not_taken_for_outcome_keys(services, session_id, invited):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_call_list(pilot, session_id)
        position = head_position(services.engine)
        await pilot.press("m", *"sy ab", "escape")
        await settle(pilot)
        assert outcomes_since(services, position) == []
        assert not screen.query_one("#cl-note").display


async def test_wrong_number_asks_first_then_marks_the_client_unreachable(
    services, session_id, invited
):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_call_list(pilot, session_id)
        first = screen.current_row()
        position = head_position(services.engine)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmOutcome)
        assert "marked unreachable" in screen_text(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and "Nothing recorded" in message(app, "#cl-message")
        assert head_position(services.engine) == position

        await pilot.press("w")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        types = [ev.type for ev in events_since(services, position)]
        assert types == ["InvitationOutcomeRecorded", "ClientMarkedUnreachable"]
        with read_transaction(services.engine) as conn:
            status = conn.execute(
                select(ClientRow.contact_status).where(ClientRow.client_id == first["client_id"])
            ).scalar_one()
        assert status == "unreachable"
        assert cursor_id(screen) != first["invitation_id"]

        await pilot.press("r")
        await pilot.pause()
        assert "withdrawn" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert [ev.type for ev in events_since(services, position)] == types


async def test_an_outcome_from_another_terminal_shows_without_a_key(services, session_id, invited):
    app = create_app(services, "en", poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_call_list(pilot, session_id)
        table = screen.query_one("#cl-table", DataTable)
        table.move_cursor(row=3)
        await pilot.pause()
        kept = cursor_id(screen)
        other = screen.rows[5]["invitation_id"]
        services.execute(
            RecordInvitationOutcome(invitation=other, channel="call", result="declined"), ORGANIZER
        )
        await wait_for(
            pilot,
            lambda: screen.rows[5]["state"] == "declined",
            what="the outcome recorded elsewhere in the call list",
            seen=lambda: screen.rows[5],
        )
        await settle(pilot)
        assert "Declined 1" in widget_text(screen.query_one("#cl-counts"))
        assert cursor_id(screen) == kept


async def test_a_cancelled_sessions_invitees_are_told_with_t(services, session_id, invited):
    services.execute(CancelSession(session_id=session_id, reason="会议室维修"), ADMIN)
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_call_list(pilot, session_id)
        assert "本场已取消（会议室维修）" in widget_text(screen.query_one("#cl-cancelled"))
        first = cursor_id(screen)
        position = head_position(services.engine)
        await pilot.press("y")
        await settle(pilot)
        assert "本场已取消：只能记录" in message(app, "#cl-message")
        await pilot.press("t")
        await settle(pilot)
        assert outcomes_since(services, position) == [(first, "call", "informed", "")]
        assert cursor_id(screen) != first
        assert "待拨打 11" in widget_text(screen.query_one("#cl-counts"))

        await pilot.press("escape")
        await app.push_screen(InviteBuilderScreen(app.actor, session_id))
        await wait_preview(pilot)
        assert "本场状态为 已取消：只能为计划中的场次生成邀约名单" in message(app, "#ib-message")
        assert "本次将邀约" not in preview(app)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_both_screens_fit_80_by_24_and_never_show_a_full_mobile(
    services, session_id, invited, lang
):
    app = create_app(services, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_call_list(pilot, session_id)
        # The first invitee (the highest AUM), once the table has laid out its rows.
        shown = await wait_for_screen_text(pilot, "138****0012")
        assert not any(f"138{n:08d}" in shown for n in range(1, 40))
        assert ("确认参加" in shown) == (lang == "zh_CN")
        lines = shown.splitlines()
        assert len(lines) == 24
        keys = " ".join(lines[-3:-1])  # the outcome keys, on two lines above the status bar
        assert "y " in keys and "m " in keys and "Esc" in keys
        await pilot.press("escape")
        builder = InviteBuilderScreen(app.actor, session_id)
        await app.push_screen(builder)
        await wait_preview(pilot)
        shown = screen_text(pilot)
        wanted = "本次将邀约：0 人" if lang == "zh_CN" else "Would invite now: 0"
        assert wanted in shown
        assert "Ctrl+S" in shown


async def test_an_unknown_session_is_named_on_both_screens(services):
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_builder(pilot, "S-nope")
        assert "没有场次“S-nope”" in widget_text(app.screen.query_one("#ib-session"))
        assert "没有场次“S-nope”" in message(app, "#ib-message")
        await pilot.press("escape")
        await app.push_screen(CallListScreen(app.actor, "S-nope"))
        await settle(pilot)
        assert "没有场次“S-nope”" in message(app, "#cl-message")
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CallListScreen)


async def test_e_writes_the_sms_file_and_the_call_list_and_records_each_export(
    services, session_id, invited, tmp_path
):
    import csv

    from upgradecamp.tui.screens.wave_export import WaveExportScreen

    app = create_app(services, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_call_list(pilot, session_id)
        position = head_position(services.engine)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, WaveExportScreen)
        assert "Bulk-SMS file" in screen_text(pilot)
        sms = tmp_path / "wave-sms.csv"
        path = app.screen.query_one("#wave-path", Input)
        path.value = str(sms)
        await pilot.press("enter")
        await settle(pilot)
        assert "Wrote 12 rows" in widget_text(app.screen.query_one("#wave-result"))
        with sms.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert len(rows) == 13 and all(r[1].endswith("拒收请回复R") for r in rows[1:])

        await pilot.press("ctrl+l")  # the printable call list: mobiles masked
        printable = tmp_path / "wave-print.csv"
        path.value = str(printable)
        await pilot.press("enter")
        await settle(pilot)
        text = printable.read_text(encoding="utf-8-sig")
        assert "****" in text
        exports = [
            (ev.payload["what"], ev.payload["rows"], ev.payload["unmasked"])
            for ev in events_since(services, position)
            if ev.type == "PersonalDataExported"
        ]
        assert len(exports) == 2 and exports[0][1:] == (12, True) and exports[1][2] is False

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CallListScreen)
