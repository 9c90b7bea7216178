"""The session's paper from the sessions view: p writes the briefing, k the cards, and a
cancellation offers the SMS file for the invitees to tell.

The clock is fixed at Friday 2026-11-20 10:00 Beijing time; the B02 session on 2026-12-22 has
王小明 and 李四 confirmed and 张三 still to call.
"""

from __future__ import annotations

import stat
from datetime import UTC, datetime

import pytest
from textual.widgets import Input

from tests.conftest import FakeClock
from tests.helpers import client_row
from tests.tui.conftest import ADMIN, add_staff, settle, sign_in, widget_text
from upgradecamp.domain.commands import RegisterClients
from upgradecamp.domain.commands.invitations import BuildInviteList, RecordInvitationOutcome
from upgradecamp.domain.commands.sessions import PlanSessions
from upgradecamp.domain.staff import Actor
from upgradecamp.service.bus import bootstrap
from upgradecamp.store.db import read_transaction
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.paper_export import PaperExportScreen
from upgradecamp.tui.screens.sessions import CancelReasonScreen, SessionsScreen

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
SESSION = "B02-20261222-1500"
ORG = Actor(code="org1", role="organizer", branch="B02", name="李四")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def services(db_path):
    svc = bootstrap(db_path, terminal="test-terminal-1", clock=FakeClock(NOW))
    add_staff(svc)
    svc.execute(
        RegisterClients(
            clients=[
                client_row(1, name="王小明"),
                client_row(2, name="李四"),
                client_row(3, name="张三"),
            ]
        ),
        ADMIN,
    )
    svc.execute(PlanSessions(branch="B02", start="2026-12-22 15:00"), ORG)
    built = svc.execute(BuildInviteList(session_id=SESSION), ORG)
    for inv in built["invitations"][:2]:
        svc.execute(
            RecordInvitationOutcome(
                invitation=inv["invitation_id"], channel="call", result="confirmed"
            ),
            ORG,
        )
    return svc


def exported(services) -> list[str]:
    with read_transaction(services.engine) as conn:
        return [
            ev.payload["what"]
            for ev in services.log.tail(conn, 100)
            if ev.type == "PersonalDataExported"
        ]


def said(widget) -> str:
    """A widget's text with its wrapping undone."""
    return " ".join(widget_text(widget).split())


async def open_planning(pilot) -> SessionsScreen:
    await sign_in(pilot, "org1")
    await pilot.press("1")
    await settle(pilot)
    assert isinstance(pilot.app.screen, SessionsScreen)
    return pilot.app.screen


async def write_to(pilot, path: str) -> PaperExportScreen:
    dialog = pilot.app.screen
    assert isinstance(dialog, PaperExportScreen)
    dialog.query_one("#paper-path", Input).value = path
    await pilot.press("enter")
    await settle(pilot)
    return dialog


async def test_p_writes_the_briefing_and_k_the_cards(services, tmp_path):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        planning = await open_planning(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert app.screen.query_one("#paper-path", Input).value.endswith(f"{SESSION}-brief.html")
        dialog = await write_to(pilot, str(tmp_path / "brief.html"))
        assert "Briefing written to" in said(dialog.query_one("#paper-result"))
        assert "(2 confirmed attendee(s))" in said(dialog.query_one("#paper-result"))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is planning

        await pilot.press("k")
        await settle(pilot)
        (tmp_path / "png").mkdir()
        app.screen.query_one("#paper-png", Input).value = str(tmp_path / "png")
        dialog = await write_to(pilot, str(tmp_path / "cards.html"))
        assert "2 card(s) written" in said(dialog.query_one("#paper-result"))
        assert len(list((tmp_path / "png").glob("*.png"))) == 2
    assert "王小明" in (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert exported(services) == ["sessions.brief", "invitations.cards"]


async def test_a_refusal_is_said_in_the_dialog_and_nothing_is_recorded(services, tmp_path):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_planning(pilot)
        await pilot.press("p")
        await settle(pilot)
        dialog = await write_to(pilot, str(tmp_path / "missing" / "brief.html"))
        result = dialog.query_one("#paper-result")
        assert result.has_class("-error") and "does not exist" in said(result)
    assert exported(services) == []


async def test_cancelling_offers_the_sms_file_for_the_invitees_to_tell(services, tmp_path):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_planning(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, CancelReasonScreen)
        await pilot.press(*"typhoon", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PaperExportScreen) and dialog.kind == "cancel_sms"
        assert "for the 3 invitee(s) to tell" in said(dialog.query_one("#paper-intro"))
        out = tmp_path / "cancel.csv"
        await write_to(pilot, str(out))
        assert "3 SMS written" in said(dialog.query_one("#paper-result"))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SessionsScreen)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 4
    with read_transaction(services.engine) as conn:
        calls = [
            ev.payload["kind"]
            for ev in services.log.tail(conn, 100)
            if ev.type == "FollowUpCreated"
        ]
    assert calls == ["cancel_call", "cancel_call"]
    assert exported(services) == ["invitations.cancel_sms"]


async def test_in_a_browser_tab_the_file_is_a_download_and_cards_have_no_png_field(
    services, monkeypatch, tmp_path
):
    from upgradecamp.tui.screens import paper_export

    sent = []
    monkeypatch.setattr(paper_export, "in_browser", lambda app: True)
    monkeypatch.setattr(paper_export, "export_path", lambda app, typed: tmp_path / typed)
    monkeypatch.setattr(paper_export, "deliver", lambda app, path: sent.append(path.name))
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_planning(pilot)
        await pilot.press("k")
        await settle(pilot)
        dialog = app.screen
        assert dialog.query_one("#paper-path", Input).value == f"{SESSION}-cards.html"
        assert not dialog.query("#paper-png")
        await pilot.press("enter")
        await settle(pilot)
        assert "sent to this browser as a download" in said(dialog.query_one("#paper-result"))
    assert sent == [f"{SESSION}-cards.html"]
    assert exported(services) == ["invitations.cards"]
