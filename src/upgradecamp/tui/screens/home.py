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
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from upgradecamp.domain.clock import business_date, to_local
from upgradecamp.domain.errors import BadInput
from upgradecamp.tui.errors import describe_error
from upgradecamp.tui.i18n import event_name, role_name, t
from upgradecamp.tui.messages import LogAdvanced
from upgradecamp.tui.widgets import aligned, column_widths
from upgradecamp.tui.widgets.integrity_notice import IntegrityNotice
from upgradecamp.tui.widgets.quarter_warning import QuarterWarning
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.workers import Failure, desk_of, in_place, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries import EventSummary
    from upgradecamp.service.bus import Services

ACTIVITY_ROWS = 10
RETRY_SECONDS = 2.0
# Cell limits of the activity columns: when, what, who, about what.
ACTIVITY_COLUMN_LIMITS = (11, 16, 10, 200)

PLACES = (
    "planning",
    "clients",
    "checkin_desk",
    "registration",
    "approval_desk",
    "followups",
    "reports",
    "calculator",
    "rules",
    "staff",
)
PLACES_BY_ROLE: dict[str, tuple[str, ...]] = {
    "organizer": ("planning", "clients", "reports", "followups", "rules", "wall", "books"),
    "checkin": ("checkin_desk",),
    "marketer": ("registration", "calculator", "followups", "rules", "rewards", "my_clients"),
    "branch_head": (
        "approval_desk",
        "reports",
        "followups",
        "calculator",
        "rules",
        "wall",
        "review",
    ),
    "admin": PLACES,  # the wall is for organizers and branch heads (admins: `upgradecamp wall`)
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
    "wall": lazy_screen("upgradecamp.tui.screens.wall_picker", "WallPickerScreen"),
    "staff": lazy_screen("upgradecamp.tui.screens.staff_admin", "StaffAdminScreen"),
    "rewards": lazy_screen("upgradecamp.tui.screens.rewards", "RewardsScreen"),
    "my_clients": lazy_screen("upgradecamp.tui.screens.books", "MyClientsScreen"),
    "books": lazy_screen("upgradecamp.tui.screens.books", "BooksScreen"),
    "review": lazy_screen("upgradecamp.tui.screens.review", "ReviewScreen"),
}

# Who hears, two weeks ahead, that the rule set in force ends with no successor published:
# those who price or publish forms' points.
WARNED_ROLES = ("organizer", "marketer", "branch_head", "admin")

# Payload fields that identify what an event is about, in the order they are shown.
SUMMARY_FIELDS = ("code", "client_id", "name", "role", "branch", "version", "session_id")


def places_for(role: str) -> tuple[str, ...]:
    return PLACES_BY_ROLE.get(role, ())


def place_key(number: int) -> str:
    """The digit that opens the `number`th place: 1 to 9, then 0 for the tenth."""
    return str(number % 10)


def activity_cells(event: EventSummary, today: date) -> list[str]:
    """One event as the activity panel shows it: when (local), what, who, about what."""
    try:
        when = to_local(event["recorded_at"])
        clock = when.strftime("%H:%M:%S" if when.date() == today else "%m-%d %H:%M")
    except (KeyError, TypeError, ValueError, BadInput):
        clock = "--:--:--"
    payload = event.get("payload") or {}
    about = []
    for name in SUMMARY_FIELDS:
        value = payload.get(name)
        if value in (None, "") or isinstance(value, dict | list):
            continue
        about.append(role_name(str(value)) if name == "role" else str(value))
    return [
        clock,
        event_name(event.get("type", "?")),
        str(event.get("actor") or ""),
        " ".join(about),
    ]


def activity_lines(events: list[EventSummary], now: datetime) -> list[str]:
    """The panel's lines, newest first, in columns as wide as their widest cell; an event of
    today (by the services' clock) shows only its time."""
    today = business_date(now)
    rows = [activity_cells(ev, today) for ev in reversed(events)]
    widths = column_widths(rows, ACTIVITY_COLUMN_LIMITS)
    return [aligned(row, widths) for row in rows]


@dataclass(frozen=True)
class HomeLoad:
    """The recent activity, the cluster's counts and a rule set ending soon (if warned of)."""

    events: list[EventSummary]
    counts: dict[str, int]
    now: datetime
    rules_ending: Any = None
    checkpoint: Any = None
    drift: list[str] = field(default_factory=list)


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
            yield Static(
                t("home.later", place=t(f"place.{self.place}")), id="later-text", markup=False
            )
            yield Static(t("home.later_back"), id="later-back", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)


class HomeScreen(Screen[None]):
    """The places of the signed-in role, cluster counts and the live activity panel."""

    AUTO_FOCUS = "#places"
    BINDINGS = [
        *(
            Binding(place_key(n), f"open_place({n})", show=False, id=f"home.place_{n}")
            for n in range(1, len(PLACES) + 1)
        ),
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
        yield Static(
            t(
                "home.title",
                name=actor.name,
                code=actor.code,
                role=role_name(actor.role),
                branch=actor.branch or "",
            ),
            id="home-title",
            classes="screen-title",
            markup=False,
        )
        yield Static(t("home.loading"), id="counts", markup=False)
        yield QuarterWarning(id="quarter-warning")
        yield IntegrityNotice(id="integrity-notice")
        with Horizontal(id="home-body"):
            with Vertical(id="places-box"):
                yield Static(t("home.places"), classes="box-title", markup=False)
                yield OptionList(
                    *(
                        Option(Content(f"{place_key(n)}  {t(f'place.{place}')}"), id=place)
                        for n, place in enumerate(self.places, 1)
                    ),
                    id="places",
                )
                yield Static("", id="place-hint", markup=False)
            with Vertical(id="activity-box"):
                yield Static(t("home.activity"), classes="box-title", markup=False)
                yield Static(t("home.loading"), id="activity", markup=False)
        last = len(self.places) if len(self.places) < 10 else "9, 0"
        yield Static(t("home.keys", count=last), id="keys", classes="keys", markup=False)
        yield StatusBar()

    def on_screen_resume(self) -> None:
        self.call_after_refresh(self.action_reload)  # after layout, so the panel's height is known

    def on_resize(self) -> None:
        self.action_reload()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        if not in_place(self):  # a resize, a new event or a retry reaching a closing screen
            return
        # At least the last ten events; as many as the panel holds on a taller terminal.
        self.load_activity(max(ACTIVITY_ROWS, self.query_one("#activity").size.height))

    def load_activity(self, rows: int) -> None:
        def load(services: Services) -> HomeLoad:
            from upgradecamp import queries
            from upgradecamp.queries.integrity import checkpoint_status
            from upgradecamp.service.integrity import read_model_problems

            events = queries.recent_events(services.engine, services.log, rows)
            counts = queries.cluster_counts(services.engine)
            now = services.clock()
            ending = (
                queries.rules_ending_on(services.engine, now)
                if self.actor.role in WARNED_ROLES
                else None
            )
            checkpoint = (
                checkpoint_status(services.engine, now) if self.actor.role == "admin" else None
            )
            return HomeLoad(events, counts, now, ending, checkpoint, read_model_problems(services))

        run_in_thread(self, load, self._loaded, self._load_failed, group="home-activity")

    def _loaded(self, loaded: HomeLoad) -> None:
        self.query_one("#counts", Static).update(t("home.counts", **loaded.counts))
        rules_key = str(self.places.index("rules") + 1) if "rules" in self.places else "?"
        self.query_one(QuarterWarning).show_ending(
            loaded.rules_ending, self.actor.may("rules.publish"), rules_key
        )
        self.query_one(IntegrityNotice).show_status(loaded.checkpoint, loaded.drift)
        lines = activity_lines(loaded.events, loaded.now)
        activity = self.query_one("#activity", Static)
        activity.update("\n".join(lines) if lines else t("home.activity_empty"))
        activity.remove_class("-error")

    def _load_failed(self, failure: Failure) -> None:
        activity = self.query_one("#activity", Static)
        activity.update(failure.text)
        activity.add_class("-error")
        self.set_timer(RETRY_SECONDS, self.action_reload)

    @on(OptionList.OptionHighlighted, "#places")
    def _place_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one("#place-hint", Static).update(t(f"place_hint.{event.option.id}"))

    @on(OptionList.OptionSelected, "#places")
    def _place_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open_place_screen(event.option.id)

    def help_text(self, binding: Binding) -> str | None:
        """A numbered key opens this role's place of that number; other numbers are idle."""
        if not binding.action.startswith("open_place("):
            return None
        number = int(binding.action[len("open_place(") : -1])
        if number > len(self.places):
            return ""
        place = self.places[number - 1]
        return t("help.go_to", place=t(f"place.{place}"))

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
        desk_of(self.app).sign_out()
