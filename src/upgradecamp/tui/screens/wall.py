"""The room's screen (the wall): a read-only full-screen view of one session for the room's TV.

Big figures (arrivals against the expected, forms submitted and approved, the amount
subscribed), the agenda's current step and minutes left from the injected clock, a welcome for
the latest arrival and a congratulation for the latest upgrade, by surname and title only
(`queries/wall.py` never hands over more). It reloads when the log head moves, so it follows
a check-in or an approval within a poll, and on a timer for the minutes. It keeps only the
latest state, so it can stay up unattended all afternoon.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Digits, Static

from upgradecamp.domain.agenda import BEFORE, OVER, agenda, agenda_now
from upgradecamp.domain.rules import shanghai
from upgradecamp.tui import i18n
from upgradecamp.tui.i18n import t
from upgradecamp.tui.messages import LogAdvanced
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.workers import run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.wall import Arrival, Upgrade, WallSession, WallState
    from upgradecamp.service.bus import Services

CLOCK_SECONDS = 15.0  # the minutes left move without any event
NEW_SECONDS = 20.0  # how long the newest welcome or congratulation stays highlighted
FIGURES = ("arrived", "forms", "approved", "subscribed")


def grouped(amount: str) -> str:
    """ "1230000.00" → "1 230 000": whole yuan in groups the big digits can draw."""
    whole = int(Decimal(amount))
    return f"{whole:,}".replace(",", " ")


def tier_label(item: Upgrade) -> str:
    if i18n.language() == "zh_CN":
        return str(item["tier_name"])
    key = f"checkin_desk.tier.{item['tier']}"
    return t(key) if i18n.has(key) else str(item["tier"])


def agenda_text(session: WallSession, now: datetime) -> str:
    where = agenda_now(session["starts_at"], session["duration_minutes"], now)
    if where.phase == BEFORE:
        first = agenda(session["duration_minutes"])[0]
        return t("wall.before", minutes=where.to_start, step=t(f"wall.step.{first.code}"))
    if where.phase == OVER:
        return t("wall.over")
    assert where.step is not None
    return t(
        "wall.now",
        step=t(f"wall.step.{where.step.code}"),
        step_left=where.step_left,
        session_left=where.session_left,
    )


def agenda_bar(session: WallSession, now: datetime) -> Text:
    """The four steps in a row with the current one lit."""
    where = agenda_now(session["starts_at"], session["duration_minutes"], now)
    current = where.step.code if where.step else None
    bar = Text()
    for n, step in enumerate(agenda(session["duration_minutes"]), 1):
        label = f" {n} {t(f'wall.step.{step.code}')} {step.start}–{step.end}′ "
        bar.append(label, style="bold reverse" if step.code == current else "dim")
        bar.append(" ")
    return bar


def wall_lines(state: WallState) -> dict[str, str]:
    """The wall's texts (but the big figures and the agenda) from a `wall_state`."""
    session, arrivals, upgrades = state["session"], state["arrivals"], state["upgrades"]
    starts = session["starts_at"].astimezone(shanghai())
    ends = starts + timedelta(minutes=session["duration_minutes"])
    lines = {
        "title": t(
            "wall.title",
            branch=session["branch_name"],
            venue=session["venue"],
            theme=session["theme"],
            time=f"{starts:%H:%M}",
            end=f"{ends:%H:%M}",
        ),
        "arrived_note": t("wall.expected", expected=state["expected"], walk_ins=state["walk_ins"]),
        "greeting": (
            t("wall.welcome", who=arrivals[0]["who"]) if arrivals else t("wall.welcome_none")
        ),
        "arrivals": (
            t("wall.earlier", names="  ".join(a["who"] for a in arrivals[1:]))
            if len(arrivals) > 1
            else ""
        ),
        "celebration": (
            t("wall.celebrate", who=upgrades[0]["who"], tier=tier_label(upgrades[0]))
            if upgrades
            else ""
        ),
        "upgrades": "\n".join(
            t("wall.celebrate", who=u["who"], tier=tier_label(u)) for u in upgrades[1:]
        ),
    }
    return lines


class WallScreen(Screen[None]):
    """One session on the room's TV; Esc goes back (or quits a wall started on its own)."""

    BINDINGS = [Binding("escape", "back", show=False, id="wall.back")]
    DEFAULT_CSS = stylesheet("wall_screen")

    def __init__(self, actor: Actor, session_id: str, *, standalone: bool = False) -> None:
        super().__init__()
        self.actor = actor
        self.session_id = session_id
        self.standalone = standalone
        self.state: WallState | None = None
        self.now: datetime | None = None
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield Static(t("home.loading"), id="wall-title", markup=False)
        with Horizontal(id="wall-figures"):
            for name in FIGURES:
                with Vertical(classes="figure", id=f"figure-{name}"):
                    yield Static(t(f"wall.{name}"), classes="figure-label", markup=False)
                    yield Digits("0", id=f"wall-{name}")
                    yield Static("", classes="figure-note", id=f"wall-{name}-note", markup=False)
        yield Static("", id="wall-agenda", markup=False)
        yield Static("", id="wall-steps")
        yield Static("", id="wall-greeting", markup=False)
        yield Static("", id="wall-arrivals", markup=False)
        yield Static("", id="wall-celebration", markup=False)
        yield Static("", id="wall-upgrades", markup=False)
        yield Static("", id="wall-problem", markup=False)

    def on_mount(self) -> None:
        self.set_interval(CLOCK_SECONDS, self.reload, name="wall-clock")
        self.reload()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self.reload()

    def reload(self) -> None:
        self.load_wall()

    def load_wall(self) -> None:
        def load(services: Services) -> tuple[WallState, datetime]:
            from upgradecamp.queries.wall import check_watcher, wall_state

            check_watcher(self.actor)
            now = services.clock()
            return wall_state(services.engine, self.session_id, now), now

        run_in_thread(
            self,
            load,
            self._loaded,
            lambda failure: self.query_one("#wall-problem", Static).update(failure.text),
            group="wall-load",
        )

    def _loaded(self, loaded: tuple[WallState, datetime]) -> None:
        before, (state, now) = self.state, loaded
        self.state, self.now = state, now
        self.loads += 1
        lines = wall_lines(state)
        for name in ("title", "greeting", "arrivals", "celebration", "upgrades"):
            self.query_one(f"#wall-{name}", Static).update(lines[name])
        self.query_one("#wall-arrived-note", Static).update(lines["arrived_note"])
        self.query_one("#wall-subscribed-note", Static).update(
            t("wall.upgrades_count", count=state["upgrades_count"])
        )
        values = {
            "arrived": str(state["arrived"]),
            "forms": str(state["forms"]),
            "approved": str(state["approved"]),
            "subscribed": grouped(state["subscribed"]),
        }
        for name, value in values.items():
            self.query_one(f"#wall-{name}", Digits).update(value)
        self.query_one("#wall-agenda", Static).update(agenda_text(state["session"], self.now))
        self.query_one("#wall-steps", Static).update(agenda_bar(state["session"], self.now))
        self.query_one("#wall-problem", Static).update("")
        if before is not None:
            self._light("greeting", before["arrivals"], state["arrivals"])
            self._light("celebration", before["upgrades"], state["upgrades"])

    def _light(
        self, name: str, old: Sequence[Arrival | Upgrade], new: Sequence[Arrival | Upgrade]
    ) -> None:
        """Highlight a welcome or congratulation that has just appeared, for a while."""
        if new and (not old or new[0]["id"] != old[0]["id"]):
            widget = self.query_one(f"#wall-{name}", Static)
            widget.add_class("-new")
            self.set_timer(NEW_SECONDS, lambda: widget.remove_class("-new"))

    def action_back(self) -> None:
        if self.standalone:
            self.app.exit()
        else:
            self.app.pop_screen()
