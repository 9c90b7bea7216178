"""Crossing the quarter in the TUI: the home warning near the quarter's end, and drafting,
editing, comparing and publishing the next rule set on the rules screen."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import Input, OptionList

from tests.conftest import FakeClock
from tests.tui.conftest import (
    ADMIN,
    STAFF,
    add_staff,
    screen_text,
    settle,
    sign_in,
    tail,
    widget_text,
)
from upgradecamp.service.bus import bootstrap
from upgradecamp.tui import i18n
from upgradecamp.tui.app import create_app
from upgradecamp.tui.screens.home import HomeScreen
from upgradecamp.tui.screens.rule_draft import RuleDraftScreen
from upgradecamp.tui.screens.rule_publish import PublishPinScreen
from upgradecamp.tui.screens.rules import RulesScreen
from upgradecamp.tui.widgets.quarter_warning import QuarterWarning

STAFF_PIN = "234509"
# 10:00 in Shanghai on 2026-12-20: 11 days before 2026Q4 ends.
NEAR_THE_END = datetime(2026, 12, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NEAR_THE_END)


@pytest.fixture
def services(tmp_path, clock):
    svc = bootstrap(str(tmp_path / "q.db"), terminal="test-terminal", clock=clock)
    add_staff(svc)
    return svc


def warning_shown(app) -> str | None:
    """The home warning's text, or None while it is hidden."""
    warning = app.screen.query_one(QuarterWarning)
    if not warning.display:
        return None
    return "\n".join(line.removeprefix("█") for line in widget_text(warning).splitlines())


async def press_down(pilot, times: int) -> None:
    await pilot.press(*["down"] * times)


@pytest.mark.parametrize("role, place", [("organizer", 5), ("marketer", 4), ("branch_head", 5)])
async def test_home_warns_who_prices_forms_that_the_rules_end(services, role, place):
    code, _ = STAFF[role]
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, code, STAFF_PIN)
        assert isinstance(app.screen, HomeScreen)
        shown = warning_shown(app)
        assert shown is not None, "the home screen shows no quarter warning on 2026-12-20"
        flat = " ".join(shown.split())
        assert "Rule set 2026Q4 ends on 2026-12-31 (11 days left)" in flat
        assert "registration forms will be refused from 2027-01-01" in flat
        if role == "marketer":
            assert "Ask an organizer or the branch head to publish 2027Q1" in flat
        else:
            assert f"Publish 2027Q1: Rules (key {place}) → n drafts it" in flat
            assert "`upgradecamp rules draft 2027Q1 --from 2026Q4 --out 2027Q1.toml`" in flat


async def test_no_warning_15_days_ahead_nor_for_the_check_in_desk(services, clock):
    clock.now = datetime(2026, 12, 16, 2, 0, tzinfo=UTC)  # 15 days before the end
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "org1", STAFF_PIN)
        assert warning_shown(app) is None
        assert "ends on" not in screen_text(pilot)
        clock.now = datetime(2026, 12, 17, 2, 0, tzinfo=UTC)  # 14 days before: the first day
        await pilot.press("r")
        await settle(pilot)
        assert "(14 days left)" in " ".join((warning_shown(app) or "").split())
        await pilot.press("s")
        await settle(pilot)
        await sign_in(pilot, "ck1", STAFF_PIN)
        assert isinstance(app.screen, HomeScreen)
        assert warning_shown(app) is None


async def test_the_warning_in_chinese(services):
    app = create_app(services, "zh_CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "bh1", STAFF_PIN)
        flat = "".join((warning_shown(app) or "").split())
        assert "积分规则2026Q4将于2026-12-31到期（还剩11天）" in flat
        assert "自2027-01-01起升级确认单将被拒绝" in flat


async def test_organizer_drafts_edits_compares_and_publishes_the_next_quarter(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "org1", STAFF_PIN)
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        await pilot.press("n")
        await settle(pilot)
        draft = app.screen
        assert isinstance(draft, RuleDraftScreen)
        assert "Draft 2027Q1 (2027-01-01 → 2027-03-31), copied from 2026Q4" in widget_text(
            draft.query_one("#draft-title")
        )
        assert "No changes yet" in widget_text(draft.query_one("#draft-changes"))

        # fund's coefficient is the sixth line; a value that is no number is refused
        await press_down(pilot, 5)
        await pilot.press("enter")
        value = draft.query_one("#draft-value", Input)
        assert value.has_focus and value.value == "1.5"
        await pilot.press(
            "backspace", "backspace", "backspace", "1", "full_stop", "full_stop", "8", "enter"
        )
        assert "“1..8” is not a number of 0 or more" in widget_text(
            draft.query_one("#draft-problem")
        )
        await pilot.press(*["backspace"] * 4, "1", "full_stop", "8", "enter")
        assert "Fund coef.: 1.5 → 1.8" in widget_text(draft.query_one("#draft-problem"))
        fields = draft.query_one("#draft-fields", OptionList)
        assert fields.has_focus

        # mobile banking's points: the eleventh line
        await press_down(pilot, 5)
        await pilot.press("enter", "backspace", "backspace", "backspace", "2", "5", "0", "enter")
        changes = widget_text(draft.query_one("#draft-changes"))
        assert "Changes from 2026Q4" in widget_text(draft.query_one("#draft-main"))
        lines = [" ".join(line.split()) for line in changes.splitlines()]
        assert lines[0] == "What Was Now"
        assert lines[1:] == ["Fund coef. 1.5 → 1.8", "Mobile banking points 200 → 250"]

        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PublishPinScreen)
        assert "2 change(s) from 2026Q4" in screen_text(pilot)
        await pilot.press("9", "9", "9", "9", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PublishPinScreen), "a wrong PIN closed the dialog"
        assert "Wrong PIN for org1. 4 more" in widget_text(app.screen.query_one("#publish-problem"))
        assert tail(services, 1)[-1].type == "StaffPinRejected"
        await pilot.press(*STAFF_PIN, "enter")
        await settle(pilot)

        assert isinstance(app.screen, RulesScreen)
        assert "Published 2027Q1 (2027-01-01 → 2027-03-31)" in widget_text(
            app.screen.query_one("#rules-message")
        )
        published = tail(services, 1)[-1]
        assert (published.type, published.payload["version"], published.meta["actor"]) == (
            "RuleSetPublished",
            "2027Q1",
            "org1",
        )
        rules = published.payload["rules"]
        assert {p["code"]: p["coefficient"] for p in rules["products"]}["fund"] == "1.8"
        assert {a["code"]: a["points"] for a in rules["actions"]}["mobile_banking"] == 250
        assert "2027Q1 2027-01-01→2027-03-31" in widget_text(
            app.screen.query_one("#rules-versions")
        )

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert warning_shown(app) is None, "the warning stays after 2027Q1 was published"


async def test_a_published_version_cannot_be_drafted_again_and_marketers_cannot_draft(services):
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "mk1", STAFF_PIN)
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RulesScreen)
        assert "Only organizers and branch heads publish rule sets" in widget_text(
            app.screen.query_one("#rules-message")
        )
    from tests.helpers import publish_next_quarter

    publish_next_quarter(services, ADMIN)
    app = create_app(services, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "bh1", STAFF_PIN)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("n")  # from 2026Q4, shown as the version in force
        await pilot.pause()
        assert isinstance(app.screen, RulesScreen)
        assert "Rule set 2027Q1 already exists" in widget_text(
            app.screen.query_one("#rules-message")
        )
