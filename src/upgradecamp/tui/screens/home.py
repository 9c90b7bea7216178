"""The home screen (首页) of a signed-in staff member: their role's places and live activity.

The places are the role's work (planning, client import, the check-in desk, registration, the
approval desk, follow-ups, reports, the calculator, the rules), each opened lazily; a place
without a screen says so instead of showing anything made up. The activity panel shows the
last events of every terminal and reloads when the log head moves, so staff see what the
other desks are doing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from upgradecamp.tui.app import LogAdvanced, describe_error
from upgradecamp.tui.i18n import event_name, role_name, t
from upgradecamp.tui.widgets import aligned, column_widths
from upgradecamp.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor

SHANGHAI = ZoneInfo("Asia/Shanghai")
ACTIVITY_ROWS = 10
RETRY_SECONDS = 2.0
# Cell limits of the activity columns: when, what, who, about what.
ACTIVITY_COLUMN_LIMITS = (11, 16, 10, 200)

PLACES = ("planning", "clients", "checkin_desk", "registration", "approval_desk", "followups",
          "reports", "calculator", "rules")
PLACES_BY_ROLE: dict[str, tuple[str, ...]] = {
    "organizer": ("planning", "clients", "reports", "followups", "rules"),
    "checkin": ("checkin_desk",),
    "marketer": ("registration", "calculator", "followups", "rules"),
    "branch_head": ("approval_desk", "reports", "followups", "calculator", "rules"),
    "admin": PLACES,
}

ScreenFactory = Callable[["Actor"], Screen[Any]]


def lazy_screen(module: str, name: str) -> ScreenFactory:
    """A place's screen, imported only when first opened (start-up imports nothing extra)."""

    def open_screen(actor: Actor) -> Screen[Any]:
        return getattr(importlib.import_module(module), name)(actor)

    return open_screen


# The screen of each place; a place missing here opens `PlaceLaterScreen`.
PLACE_SCREENS: dict[str, ScreenFactory] = {
    "planning": lazy_screen("upgradecamp.tui.screens.sessions", "SessionsScreen"),
    "clients": lazy_screen("upgradecamp.tui.screens.client_import", "ClientImportScreen"),
    "checkin_desk": lazy_screen("upgradecamp.tui.screens.checkin_desk", "CheckInDeskScreen"),
    "registration": lazy_screen("upgradecamp.tui.screens.registration", "RegistrationScreen"),
    "approval_desk": lazy_screen("upgradecamp.tui.screens.approval_desk", "ApprovalDeskScreen"),
    "followups": lazy_screen("upgradecamp.tui.screens.followups", "FollowUpsScreen"),
    "reports": lazy_screen("upgradecamp.tui.screens.reports", "ReportsScreen"),
    "calculator": lazy_screen("upgradecamp.tui.screens.calculator", "CalculatorScreen"),
    "rules": lazy_screen("upgradecamp.tui.screens.rules", "RulesScreen"),
}

# Payload fields that identify what an event is about, in the order they are shown.
SUMMARY_FIELDS = ("code", "client_id", "name", "role", "branch", "version", "session_id")


def places_for(role: str) -> tuple[str, ...]:
    return PLACES_BY_ROLE.get(role, ())


def activity_cells(event: dict[str, Any], today: date) -> list[str]:
    """One event as the activity panel shows it: when (local), what, who, about what."""
    try:
        when = datetime.fromisoformat(event["recorded_at"]).astimezone(SHANGHAI)
        clock = when.strftime("%H:%M:%S" if when.date() == today else "%m-%d %H:%M")
    except (KeyError, TypeError, ValueError):
        clock = "--:--:--"
    payload = event.get("payload") or {}
    about = []
    for name in SUMMARY_FIELDS:
        value = payload.get(name)
        if value in (None, "") or isinstance(value, dict | list):
            continue
        about.append(role_name(str(value)) if name == "role" else str(value))
    return [clock, event_name(event.get("type", "?")), str(event.get("actor") or ""),
            " ".join(about)]


def activity_lines(events: list[dict[str, Any]], now: datetime | None = None) -> list[str]:
    """The panel's lines, newest first, in columns as wide as their widest cell."""
    today = (now or datetime.now(SHANGHAI)).astimezone(SHANGHAI).date()
    rows = [activity_cells(ev, today) for ev in reversed(events)]
    widths = column_widths(rows, ACTIVITY_COLUMN_LIMITS)
    return [aligned(row, widths) for row in rows]


class HomeLoaded(Message):
    def __init__(self, events: list[dict[str, Any]], counts: dict[str, int]) -> None:
        super().__init__()
        self.events = events
        self.counts = counts


class HomeLoadFailed(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class PlaceLaterScreen(ModalScreen[None]):
    """What a place not built yet shows: that it arrives in a later version."""

    BINDINGS = [
        Binding("escape", "close", show=False, id="later.close"),
        Binding("enter", "close", show=False, id="later.close_enter"),
    ]

    def __init__(self, place: str) -> None:
        super().__init__()
        self.place = place

    def compose(self) -> ComposeResult:
        with Vertical(id="later-box"):
            yield Static(t(f"place.{self.place}"), id="later-title", markup=False)
            yield Static(t("home.later", place=t(f"place.{self.place}")), id="later-text",
                         markup=False)
            yield Static(t("home.later_back"), id="later-back", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)


class HomeScreen(Screen[None]):
    """The places of the signed-in role, cluster counts and the live activity panel."""

    AUTO_FOCUS = "#places"
    BINDINGS = [
        *(Binding(str(n), f"open_place({n})", show=False, id=f"home.place_{n}")
          for n in range(1, len(PLACES) + 1)),
        Binding("r", "reload", show=False, id="home.refresh"),
        Binding("s", "sign_out", show=False, id="home.sign_out"),
        Binding("q", "app.quit", show=False, id="home.quit"),
    ]

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.places = places_for(actor.role)

    def compose(self) -> ComposeResult:
        actor = self.actor
        yield Static(t("home.title", name=actor.name, code=actor.code,
                       role=role_name(actor.role), branch=actor.branch or ""),
                     id="home-title", classes="screen-title", markup=False)
        yield Static(t("home.loading"), id="counts", markup=False)
        with Horizontal(id="home-body"):
            with Vertical(id="places-box"):
                yield Static(t("home.places"), classes="box-title", markup=False)
                yield OptionList(*(Option(Content(f"{n}  {t(f'place.{place}')}"), id=place)
                                   for n, place in enumerate(self.places, 1)), id="places")
                yield Static("", id="place-hint", markup=False)
            with Vertical(id="activity-box"):
                yield Static(t("home.activity"), classes="box-title", markup=False)
                yield Static(t("home.loading"), id="activity", markup=False)
        yield Static(t("home.keys", count=len(self.places)), id="keys", classes="keys",
                     markup=False)
        yield StatusBar()

    def on_screen_resume(self) -> None:
        self.call_after_refresh(self.action_reload)  # after layout, so the panel's height is known

    def on_resize(self) -> None:
        self.action_reload()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        # At least the last ten events; as many as the panel holds on a taller terminal.
        self.load_activity(max(ACTIVITY_ROWS, self.query_one("#activity").size.height))

    @work(thread=True, exclusive=True, group="home-activity", exit_on_error=False)
    def load_activity(self, rows: int) -> None:
        try:
            services = self.app.get_services()
            from upgradecamp import queries

            events = queries.recent_events(services.engine, services.log, rows)
            counts = queries.cluster_counts(services.engine)
        except Exception as exc:  # shown in the panel; the next log change reloads
            self.post_message(HomeLoadFailed(describe_error(exc)))
            return
        self.post_message(HomeLoaded(events, counts))

    def on_home_loaded(self, message: HomeLoaded) -> None:
        self.query_one("#counts", Static).update(t("home.counts", **message.counts))
        lines = activity_lines(message.events)
        activity = self.query_one("#activity", Static)
        activity.update("\n".join(lines) if lines else t("home.activity_empty"))
        activity.remove_class("-error")

    def on_home_load_failed(self, message: HomeLoadFailed) -> None:
        activity = self.query_one("#activity", Static)
        activity.update(message.text)
        activity.add_class("-error")
        self.set_timer(RETRY_SECONDS, self.action_reload)

    @on(OptionList.OptionHighlighted, "#places")
    def _place_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one("#place-hint", Static).update(t(f"place_hint.{event.option.id}"))

    @on(OptionList.OptionSelected, "#places")
    def _place_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open_place_screen(event.option.id)

    def action_open_place(self, number: int) -> None:
        if 1 <= number <= len(self.places):
            self.open_place_screen(self.places[number - 1])

    def open_place_screen(self, place: str) -> None:
        factory = PLACE_SCREENS.get(place)
        if factory is None:
            self.app.push_screen(PlaceLaterScreen(place))
            return
        try:
            screen = factory(self.actor)
        except Exception as exc:  # a broken place must not take the home screen down with it
            self.app.notify(describe_error(exc), severity="error", timeout=10)
            return
        self.app.push_screen(screen)

    def action_sign_out(self) -> None:
        self.app.sign_out()
