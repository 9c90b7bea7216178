"""The reports screen (报表): a campaign's or a session's figures, as tables and as charts.

The scope is a campaign (the sessions starting within two dates, all branches or one) or one
session picked from the campaign's list. Beside the cluster's figures are three charts drawn
with block characters in plain Static widgets: the funnel from invited to approved, the amounts
subscribed by product, and the sessions per week; below them the branches, the marketers and
the sessions as tables. What each figure counts is said in `domain/reports.py`. The screen
follows the log: a check-in or an approval at any terminal shows within a poll.

Keys: `b` next branch, `d` dates, `[` `]` the period before or after, `s` a session, `c` back to
the campaign, `r` reload, Esc back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from upgradecamp.domain.reports import bar, column
from upgradecamp.tui.app import LogAdvanced, describe_error
from upgradecamp.tui.i18n import t
from upgradecamp.tui.widgets import fit
from upgradecamp.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor

RETRY_SECONDS = 2.0
# The cluster's figures, top to bottom, and how each is shown.
FIGURES: tuple[tuple[str, str], ...] = (
    ("sessions", "int"), ("invited", "int"), ("confirmed", "int"), ("attended", "int"),
    ("attended_invitees", "int"), ("walk_ins", "int"), ("attendance_rate", "rate"),
    ("potential_share", "rate"), ("forms", "int"), ("approved", "int"), ("pending", "int"),
    ("rejected", "int"), ("cancelled", "int"), ("appointments", "int"),
    ("amount_subscribed", "money"), ("converted_aum_added", "money"), ("tier_upgrades", "int"),
    ("points_credited", "int"))
KIND = dict(FIGURES)
INDENTED = ("attended_invitees", "walk_ins", "pending", "rejected", "cancelled")
FUNNEL = ("invited", "confirmed", "attended", "forms", "approved")
# Columns of the group tables, most telling first: a narrow terminal drops those at the end.
GROUP_COLUMNS = ("invited", "attended", "attendance_rate", "walk_ins", "forms", "approved",
                 "amount_subscribed", "points_credited", "appointments", "converted_aum_added",
                 "tier_upgrades", "confirmed")
FIGURES_CELLS = 36  # the cluster's figures column (its CSS width)
WEEK_CELLS = 6  # one week's column: "11-16" and a space
WEEK_HEIGHT = 4


# -- pure drawing (tested without a terminal) -------------------------------------------------
def shown(value: Any, kind: str) -> str:
    """A figure as read on screen: 1,234,567.00 · 52.25% · — when there is no rate."""
    if value is None:
        return "—"
    try:
        if kind == "money":
            return f"{Decimal(value):,.2f}"
        if kind == "rate":  # the ratio's four places as a percentage: nothing rounded twice
            return f"{Decimal(value) * 100:.2f}%"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def label(key: str) -> str:
    text = t(f"reports.{key}")
    return f"  {text}" if key in INDENTED else text


def table(rows: Sequence[Sequence[str]], right: Sequence[bool], width: int) -> list[str]:
    """Rows in columns by cell width (Chinese takes two cells); numbers right-aligned.

    Columns that do not fit in `width` are left out from the right, the first always kept.
    """
    if not rows:
        return []
    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(rows[0]))]
    keep, used = 1, widths[0]
    while keep < len(widths) and used + 2 + widths[keep] <= width:
        used += 2 + widths[keep]
        keep += 1
    out = []
    for row in rows:
        cells = []
        for value, cells_wide, r in zip(row[:keep], widths[:keep], right[:keep], strict=True):
            pad = " " * max(0, cells_wide - cell_len(value))
            cells.append(pad + value if r else fit(value, cells_wide))
        out.append(fit("  ".join(cells).rstrip(), width).rstrip())
    return out


def figures_lines(cluster: dict[str, Any], width: int) -> list[str]:
    rows = [[label(key), shown(cluster.get(key), kind)] for key, kind in FIGURES]
    return table(rows, [False, True], width)


def bar_lines(items: Sequence[tuple[str, Decimal | int, str]], width: int) -> list[str]:
    """One bar per item: its label, the bar, its value; bars scaled to the largest value."""
    if not items:
        return []
    label_cells = max(cell_len(name) for name, _, _ in items)
    value_cells = max(cell_len(text) for _, _, text in items)
    room = max(1, width - label_cells - value_cells - 2)
    largest = max(value for _, value, _ in items)
    return [f"{fit(name, label_cells)} {fit(bar(value, largest, room), room)} "
            f"{' ' * (value_cells - cell_len(text))}{text}" for name, value, text in items]


def funnel_lines(cluster: dict[str, Any], width: int) -> list[str]:
    """invited → confirmed → attended → forms → approved as horizontal bars."""
    return bar_lines([(t(f"reports.{stage}"), int(cluster.get(stage) or 0),
                       f"{int(cluster.get(stage) or 0):,}") for stage in FUNNEL], width)


def products_lines(products: Sequence[dict[str, Any]], width: int) -> list[str]:
    """Amounts by product as bars; count products (credit cards) after them, as counts."""
    amounts = [(p["name_zh"], Decimal(p["amount"]), shown(p["amount"], "money"))
               for p in products if p.get("kind") == "amount" and p.get("amount") is not None]
    lines = bar_lines(amounts, width)
    for p in products:
        if p.get("kind") == "count":
            lines.append(fit(t("reports.count_line", name=p["name_zh"],
                               count=f"{p.get('count') or 0:,}"), width).rstrip())
    return lines


def weeks_lines(weeks: Sequence[dict[str, Any]], width: int,
                height: int = WEEK_HEIGHT) -> list[str]:
    """Sessions per week as a row of columns, the count above and the Monday (MM-DD) below;
    only the latest weeks that fit in `width`."""
    shown_weeks = list(weeks)[-max(1, width // WEEK_CELLS):]
    if not shown_weeks:
        return []
    largest = max(int(w["sessions"]) for w in shown_weeks)
    counts = "".join(f"{w['sessions']:^{WEEK_CELLS - 1}} " for w in shown_weeks)
    bars = [column(int(w["sessions"]), largest, height) for w in shown_weeks]
    lines = [counts.rstrip()]
    for level in range(height):
        lines.append("".join(f" {b[level] * 3} " + " " for b in bars).rstrip())
    lines.append("".join(f"{w['week_of'][5:]:<{WEEK_CELLS}}" for w in shown_weeks).rstrip())
    return lines


def group_lines(groups: Sequence[dict[str, Any]], first: Sequence[tuple[str, str]],
                width: int) -> list[str]:
    """Branches, marketers or sessions: their own columns (`first`: key, header) then the
    figures that fit."""
    header = [h for _, h in first] + [t(f"reports.col_{key}") for key in GROUP_COLUMNS]
    rows = [header]
    for g in groups:
        rows.append([str(g.get(key) or "") for key, _ in first]
                    + [shown(g.get(key), KIND[key]) for key in GROUP_COLUMNS])
    return table(rows, [False] * len(first) + [True] * len(GROUP_COLUMNS), width)


# -- messages from the worker ---------------------------------------------------------------
class ReportLoaded(Message):
    def __init__(self, doc: dict[str, Any], branches: list[dict[str, Any]], today: date) -> None:
        super().__init__()
        self.doc = doc
        self.branches = branches
        self.today = today


class ReportProblem(Message):
    """A load failed; `retry` when waiting may help (a busy database, not a refusal)."""

    def __init__(self, text: str, retry: bool) -> None:
        super().__init__()
        self.text = text
        self.retry = retry


# -- dialogs ----------------------------------------------------------------------------------
class DatesScreen(ModalScreen[tuple[date, date] | None]):
    """The campaign's first and last days, typed as YYYY-MM-DD."""

    AUTO_FOCUS = "#dates-from"
    BINDINGS = [Binding("escape", "back", show=False, id="reports.dates_back")]
    DEFAULT_CSS = """
    DatesScreen {
        align: center middle;
    }
    DatesScreen #dates-box {
        width: 50;
        max-width: 95%;
        height: auto;
        padding: 1 2;
        border: thick $primary;
        background: $surface;
    }
    DatesScreen Input {
        width: 100%;
    }
    DatesScreen #dates-problem {
        height: auto;
        color: $error;
    }
    DatesScreen #dates-keys {
        color: $text-muted;
    }
    """

    def __init__(self, first: date, last: date) -> None:
        super().__init__()
        self.first, self.last = first, last

    def compose(self) -> ComposeResult:
        with Vertical(id="dates-box"):
            yield Static(t("reports.dates_title"), markup=False)
            yield Static(t("reports.dates_from"), markup=False)
            yield Input(self.first.isoformat(), placeholder="YYYY-MM-DD", id="dates-from")
            yield Static(t("reports.dates_to"), markup=False)
            yield Input(self.last.isoformat(), placeholder="YYYY-MM-DD", id="dates-to")
            yield Static("", id="dates-problem", markup=False)
            yield Static(t("reports.dates_keys"), id="dates-keys", markup=False)

    @on(Input.Submitted, "#dates-from")
    def _from_done(self) -> None:
        self.query_one("#dates-to", Input).focus()

    @on(Input.Submitted, "#dates-to")
    def _to_done(self) -> None:
        try:
            first = date.fromisoformat(self.query_one("#dates-from", Input).value.strip())
            last = date.fromisoformat(self.query_one("#dates-to", Input).value.strip())
        except ValueError:
            first = last = None
        if first is None or last is None or first > last:
            self.query_one("#dates-problem", Static).update(t("reports.dates_bad"))
            return
        self.dismiss((first, last))

    def action_back(self) -> None:
        self.dismiss(None)


class SessionPickScreen(ModalScreen[str | None]):
    """A session of the campaign, newest first."""

    AUTO_FOCUS = "#pick-list"
    BINDINGS = [Binding("escape", "back", show=False, id="reports.pick_back")]
    DEFAULT_CSS = """
    SessionPickScreen {
        align: center middle;
    }
    SessionPickScreen #pick-box {
        width: 76;
        max-width: 95%;
        height: 80%;
        padding: 0 1;
        border: thick $primary;
        background: $surface;
    }
    SessionPickScreen #pick-list {
        height: 1fr;
    }
    SessionPickScreen #pick-keys {
        color: $text-muted;
    }
    """

    def __init__(self, sessions: Sequence[dict[str, Any]]) -> None:
        super().__init__()
        self.sessions = list(sessions)

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box"):
            yield Static(t("reports.pick_title"), classes="box-title", markup=False)
            yield OptionList(*(Option(
                f"{s['date']} {s['time']}  {s['branch']}  {s.get('theme', '')}  "
                f"{t('reports.pick_counts', attended=s['attended'], forms=s['forms'])}",
                id=s["session_id"]) for s in reversed(self.sessions)), id="pick-list")
            yield Static(t("reports.pick_keys") if self.sessions else t("reports.pick_empty"),
                         id="pick-keys", markup=False)

    @on(OptionList.OptionSelected, "#pick-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_back(self) -> None:
        self.dismiss(None)


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
        Binding("r", "reload", show=False, id="reports.reload"),
        Binding("escape", "back", show=False, id="reports.back"),
    ]
    DEFAULT_CSS = """
    ReportsScreen #reports-scope {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ReportsScreen #reports-body {
        height: 1fr;
        padding: 0 1;
    }
    ReportsScreen #reports-top {
        height: auto;
    }
    ReportsScreen #reports-figures-box {
        width: 36;
        height: auto;
        margin-right: 2;
    }
    ReportsScreen #reports-charts {
        width: 1fr;
        height: auto;
    }
    ReportsScreen #reports-body Static {
        text-wrap: nowrap;
    }
    ReportsScreen #reports-message {
        height: auto;
        max-height: 3;
        padding: 0 1;
    }
    """

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
        yield Static(t("reports.keys"), classes="keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        self.action_reload()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self.action_reload()

    def on_resize(self) -> None:
        if self.doc is not None:
            self.call_after_refresh(self._draw)

    # -- loading ----------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load(self.session_id, self.first, self.last, self.branch)

    @work(thread=True, exclusive=True, group="reports-load", exit_on_error=False)
    def load(self, session_id: str | None, first: date | None, last: date | None,
             branch: str | None) -> None:
        try:
            self.actor.require("reports.read", "read reports")
            services = self.app.get_services()
            from upgradecamp.domain.rules import business_date
            from upgradecamp.queries import branches
            from upgradecamp.queries.reports import campaign_report, session_report

            now = services.clock()
            today = business_date(now)
            if session_id is not None:
                doc = session_report(services.engine, session_id, now)
            else:
                doc = campaign_report(services.engine, today=today, start=first, end=last,
                                      branch=branch, now=now)
            known = branches(services.engine)
        except Exception as exc:  # said on screen; the next log change or a retry reloads
            from upgradecamp.domain.errors import DomainError

            self.post_message(ReportProblem(describe_error(exc),
                                            retry=not isinstance(exc, DomainError)))
            return
        self.post_message(ReportLoaded(doc, known, today))

    def on_report_loaded(self, message: ReportLoaded) -> None:
        doc = message.doc
        self.loaded = True
        self.doc = doc
        self.branches = message.branches
        if doc["scope"]["kind"] == "campaign":
            self.first = date.fromisoformat(doc["scope"]["from"])
            self.last = date.fromisoformat(doc["scope"]["to"])
            self.campaign_sessions = doc["sessions"]
        self._say("")
        self._draw()

    def on_report_problem(self, message: ReportProblem) -> None:
        self._say(message.text, error=True)
        if not self.loaded:
            self.query_one("#reports-scope", Static).update("")
        if message.retry:
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
            "\n".join(figures_lines(doc["cluster"], FIGURES_CELLS)))
        charts = max(20, body - FIGURES_CELLS - 2)
        if not doc["sessions"]:
            empty = t("reports.no_sessions")
            for name in ("funnel", "products", "weeks", "branches", "marketers", "sessions"):
                self.query_one(f"#reports-{name}", Static).update(
                    empty if name == "funnel" else "")
            return
        self.query_one("#reports-funnel", Static).update(
            "\n".join(funnel_lines(doc["cluster"], charts)))
        products = products_lines(doc["products"], charts)
        self.query_one("#reports-products", Static).update(
            "\n".join(products) if products else t("reports.no_products"))
        self.query_one("#reports-weeks", Static).update(
            "\n".join(weeks_lines(doc["weeks"], charts)))
        self.query_one("#reports-branches", Static).update("\n".join(group_lines(
            doc["branches"], [("branch", t("reports.col_branch")),
                              ("name", t("reports.col_name"))], body)))
        marketers = group_lines(doc["marketers"], [("marketer", t("reports.col_marketer")),
                                                   ("name", t("reports.col_name"))], body)
        self.query_one("#reports-marketers", Static).update(
            "\n".join(marketers) if doc["marketers"] else t("reports.no_marketers"))
        self.query_one("#reports-sessions", Static).update("\n".join(group_lines(
            [{**s, "when": f"{s['date'][5:]} {s['time']}"} for s in doc["sessions"]],
            [("when", t("reports.col_when")), ("branch", t("reports.col_branch"))], body)))

    def _scope_text(self, doc: dict[str, Any]) -> str:
        s = doc["scope"]
        branch = (f"{s['branch']} {s.get('branch_name') or ''}".strip() if s["branch"]
                  else t("reports.all_branches"))
        if s["kind"] == "session":
            first = doc["sessions"][0] if doc["sessions"] else {}
            return t("reports.scope_session", session=s["session_id"], date=s["from"],
                     time=first.get("time", ""), branch=branch,
                     status=t(f"reports.status_{first.get('status', 'planned')}"))
        return t("reports.scope_campaign", start=s["from"], end=s["to"], branch=branch,
                 sessions=doc["cluster"]["sessions"])

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

    def action_back(self) -> None:
        self.app.pop_screen()
