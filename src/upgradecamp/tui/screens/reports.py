"""The reports screen (报表): a campaign's or a session's figures, as tables and as charts.

The scope is a campaign (the sessions starting within two dates, all branches or one) or one
session picked from the campaign's list. Beside the cluster's figures are three charts drawn
with block characters in plain Static widgets: the funnel from invited to approved, the amounts
subscribed by product, and the sessions per week; below them the branches, the marketers and
the sessions as tables. What each figure counts is said in `domain/reports.py`. The screen
follows the log: a check-in or an approval at any terminal shows within a poll.

Keys: `b` next branch, `d` dates, `[` `]` the period before or after, `s` a session, `c` back to
the campaign, `t` a marketer's month targets (target_dialog.py), `r` reload, Esc back. The
drawing is report_charts.py, the dialogs report_dialogs.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from upgradecamp.tui.i18n import t
from upgradecamp.tui.messages import LogAdvanced
from upgradecamp.tui.screens.report_charts import (
    FIGURES_CELLS,
    figures_lines,
    funnel_lines,
    group_lines,
    products_lines,
    weeks_lines,
)
from upgradecamp.tui.screens.report_dialogs import DatesScreen, SessionPickScreen
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.keys_line import KeysLine
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.workers import Failure, clock_of, in_place, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

RETRY_SECONDS = 2.0


# -- messages from the worker ---------------------------------------------------------------
# -- the screen -------------------------------------------------------------------------------
class ReportsScreen(Screen[None]):
    """A campaign's or a session's figures with the funnel, products and weeks drawn."""

    AUTO_FOCUS = "#reports-body"
    BINDINGS = [
        Binding("b", "next_branch", show=False, id="reports.branch"),
        Binding("d", "dates", show=False, id="reports.dates"),
        Binding("left_square_bracket", "shift(-1)", show=False, id="reports.earlier"),
        Binding("right_square_bracket", "shift(1)", show=False, id="reports.later"),
        Binding("s", "pick_session", show=False, id="reports.session"),
        Binding("c", "campaign", show=False, id="reports.campaign"),
        Binding("t", "set_target", show=False, id="reports.target"),
        Binding("r", "reload", show=False, id="reports.reload"),
        Binding("escape", "back", show=False, id="reports.back"),
    ]
    DEFAULT_CSS = stylesheet("reports_screen")

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.first: date | None = None  # None until the first load: the last 30 days
        self.last: date | None = None
        self.branch: str | None = None
        self.session_id: str | None = None
        self.branches: list[dict[str, Any]] = []
        self.doc: dict[str, Any] | None = None
        self.campaign_sessions: list[dict[str, Any]] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static(t("reports.title"), classes="screen-title", markup=False)
        yield Static(t("home.loading"), id="reports-scope", markup=False)
        with VerticalScroll(id="reports-body"):
            with Horizontal(id="reports-top"):
                with Vertical(id="reports-figures-box"):
                    yield Static(t("reports.figures"), classes="box-title", markup=False)
                    yield Static("", id="reports-figures", markup=False)
                with Vertical(id="reports-charts"):
                    yield Static(t("reports.funnel"), classes="box-title", markup=False)
                    yield Static("", id="reports-funnel", markup=False)
                    yield Static(t("reports.products"), classes="box-title", markup=False)
                    yield Static("", id="reports-products", markup=False)
                    yield Static(t("reports.weeks"), classes="box-title", markup=False)
                    yield Static("", id="reports-weeks", markup=False)
            yield Static(t("reports.branches"), classes="box-title", markup=False)
            yield Static("", id="reports-branches", markup=False)
            yield Static(t("reports.marketers"), classes="box-title", markup=False)
            yield Static("", id="reports-marketers", markup=False)
            yield Static(t("reports.sessions_title"), classes="box-title", markup=False)
            yield Static("", id="reports-sessions", markup=False)
        yield Static("", id="reports-message", markup=False)
        yield KeysLine(t("reports.keys"), t("reports.keys_short"), classes="keys")
        yield StatusBar()

    def on_mount(self) -> None:
        self.action_reload()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self.action_reload()

    def on_resize(self) -> None:
        if not in_place(self):
            return
        if self.doc is not None:
            self.call_after_refresh(self._draw)

    # -- loading ----------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load(self.session_id, self.first, self.last, self.branch)

    def load(
        self, session_id: str | None, first: date | None, last: date | None, branch: str | None
    ) -> None:
        def load(services: Services) -> tuple[dict[str, Any], list[dict[str, Any]]]:
            self.actor.require("reports.read", "read reports")
            from upgradecamp.domain.clock import business_date
            from upgradecamp.queries import branches
            from upgradecamp.queries.reports import campaign_report, session_report

            now = services.clock()
            if session_id is not None:
                doc = session_report(services.engine, session_id, now)
            else:
                doc = campaign_report(
                    services.engine,
                    today=business_date(now),
                    start=first,
                    end=last,
                    branch=branch,
                    now=now,
                )
            return doc, branches(services.engine)

        run_in_thread(self, load, self._loaded, self._load_failed, group="reports-load")

    def _loaded(self, loaded: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
        doc, self.branches = loaded
        self.loaded = True
        self.doc = doc
        if doc["scope"]["kind"] == "campaign":
            self.first = date.fromisoformat(doc["scope"]["from"])
            self.last = date.fromisoformat(doc["scope"]["to"])
            self.campaign_sessions = doc["sessions"]
        self._say("")
        self._draw()

    def _load_failed(self, failure: Failure) -> None:
        from upgradecamp.domain.errors import DomainError

        self._say(failure.text, error=True)
        if not self.loaded:
            self.query_one("#reports-scope", Static).update("")
        if not isinstance(failure.error, DomainError):  # waiting may help: busy, not refused
            self.set_timer(RETRY_SECONDS, self.action_reload)

    def _say(self, text: str, *, error: bool = False) -> None:
        view = self.query_one("#reports-message", Static)
        view.update(text)
        view.set_class(error, "-error")

    # -- drawing ----------------------------------------------------------------------------
    def _draw(self) -> None:
        doc = self.doc
        if doc is None:
            return
        self.query_one("#reports-scope", Static).update(self._scope_text(doc))
        # The screen's width less the body's padding and its scrollbar.
        body = max(40, self.size.width - 6)
        self.query_one("#reports-figures", Static).update(
            "\n".join(figures_lines(doc["cluster"], FIGURES_CELLS))
        )
        charts = max(20, body - FIGURES_CELLS - 2)
        if not doc["sessions"]:
            empty = t("reports.no_sessions")
            for name in ("funnel", "products", "weeks", "branches", "marketers", "sessions"):
                self.query_one(f"#reports-{name}", Static).update(empty if name == "funnel" else "")
            return
        self.query_one("#reports-funnel", Static).update(
            "\n".join(funnel_lines(doc["cluster"], charts))
        )
        products = products_lines(doc["products"], charts)
        self.query_one("#reports-products", Static).update(
            "\n".join(products) if products else t("reports.no_products")
        )
        self.query_one("#reports-weeks", Static).update(
            "\n".join(weeks_lines(doc["weeks"], charts))
        )
        self.query_one("#reports-branches", Static).update(
            "\n".join(
                group_lines(
                    doc["branches"],
                    [("branch", t("reports.col_branch")), ("name", t("reports.col_name"))],
                    body,
                )
            )
        )
        marketers = group_lines(
            doc["marketers"],
            [("marketer", t("reports.col_marketer")), ("name", t("reports.col_name"))],
            body,
        )
        self.query_one("#reports-marketers", Static).update(
            "\n".join(marketers) if doc["marketers"] else t("reports.no_marketers")
        )
        self.query_one("#reports-sessions", Static).update(
            "\n".join(
                group_lines(
                    [{**s, "when": f"{s['date'][5:]} {s['time']}"} for s in doc["sessions"]],
                    [("when", t("reports.col_when")), ("branch", t("reports.col_branch"))],
                    body,
                )
            )
        )

    def _scope_text(self, doc: dict[str, Any]) -> str:
        s = doc["scope"]
        branch = (
            f"{s['branch']} {s.get('branch_name') or ''}".strip()
            if s["branch"]
            else t("reports.all_branches")
        )
        if s["kind"] == "session":
            first = doc["sessions"][0] if doc["sessions"] else {}
            return t(
                "reports.scope_session",
                session=s["session_id"],
                date=s["from"],
                time=first.get("time", ""),
                branch=branch,
                status=t(f"reports.status_{first.get('status', 'planned')}"),
            )
        return t(
            "reports.scope_campaign",
            start=s["from"],
            end=s["to"],
            branch=branch,
            sessions=doc["cluster"]["sessions"],
        )

    # -- scope ------------------------------------------------------------------------------
    def action_next_branch(self) -> None:
        codes = [None, *(b["code"] for b in self.branches)]
        position = codes.index(self.branch) if self.branch in codes else 0
        self.branch = codes[(position + 1) % len(codes)]
        self.session_id = None
        self.action_reload()

    def action_dates(self) -> None:
        if self.first is None or self.last is None:
            return

        def chosen(dates: tuple[date, date] | None) -> None:
            if dates:
                self.first, self.last = dates
                self.session_id = None
                self.action_reload()

        self.app.push_screen(DatesScreen(self.first, self.last), chosen)

    def action_shift(self, direction: int) -> None:
        """The period of the same length just before (-1) or after (1) the current one."""
        if self.first is None or self.last is None:
            return
        length = (self.last - self.first).days + 1
        step = timedelta(days=length * direction)
        self.first, self.last = self.first + step, self.last + step
        self.session_id = None
        self.action_reload()

    def action_pick_session(self) -> None:
        def chosen(session_id: str | None) -> None:
            if session_id:
                self.session_id = session_id
                self.action_reload()

        self.app.push_screen(SessionPickScreen(self.campaign_sessions), chosen)

    def action_campaign(self) -> None:
        if self.session_id is not None:
            self.session_id = None
            self.action_reload()

    def action_set_target(self) -> None:
        """A marketer's month targets (the per-marketer table's targets), as in the review."""
        from upgradecamp.domain.clock import business_date
        from upgradecamp.tui.screens.target_dialog import TargetDialog, saved_text

        if not self.actor.may("targets.set"):
            self.notify(t("targets.not_allowed"), severity="warning")
            return
        month = f"{self.last or business_date(clock_of(self.app)):%Y-%m}"

        def saved(result: dict[str, Any] | None) -> None:
            if result is not None:
                self.notify(saved_text(result))

        self.app.push_screen(TargetDialog(self.actor, {"month": month}), saved)

    def action_back(self) -> None:
        self.app.pop_screen()
