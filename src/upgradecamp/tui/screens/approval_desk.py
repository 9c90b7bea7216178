"""The branch head's approval desk (审批台): a live first-come-first-served queue of forms.

The queue follows the log: a form submitted at any terminal shows within a poll (about a
second) without a key press, a form decided elsewhere leaves it, and the cursor stays on the
form it was on. Each form's waiting time is refreshed every few seconds from the clock alone.
Beside (or, on a narrow terminal, below) the queue is the highlighted form: session, client
(masked mobile), marketer, the lines with their calculation breakdown, fixed actions,
appointment, totals, and the client's tier before and after.

Keys: `a` approves (the PIN again, in a dialog that stays on a wrong PIN), `j` rejects and `r`
returns (each with a required reason), `v` switches to today's approved forms awaiting their
photo, where `p` marks it taken. A branch head sees the forms of their branch's sessions; the
core branch's head (and an admin) sees every branch. Every refusal, such as a form decided at
another terminal, is said in the user's language with who decided it, where and when.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from upgradecamp.tui import i18n
from upgradecamp.tui.app import LogAdvanced, describe_error
from upgradecamp.tui.i18n import t
from upgradecamp.tui.screens.approval_dialogs import ApproveOutcome, ApprovePinScreen, ReasonScreen
from upgradecamp.tui.widgets import aligned, column_widths, fit
from upgradecamp.tui.widgets.status_bar import StatusBar
from upgradecamp.tui.widgets.tables import table_key

if TYPE_CHECKING:
    from upgradecamp.domain.commands import Command
    from upgradecamp.domain.staff import Actor

WAIT_TICK_SECONDS = 5.0
RETRY_SECONDS = 2.0
LONG_WAIT_MINUTES = 10  # from here on the waiting time is shown in red
WIDE = 110  # from this width on the detail stands beside the queue, else below it
# Cell limits of the list's text columns, and of the detail's line table.
CLIENT_CELLS, MARKETER_CELLS, TIER_CELLS = 10, 8, 22
LINE_LIMITS = (12, 10, 13, 5, 5, 13, 7)
SOURCES = ("existing", "new", "other_bank")

SHANGHAI = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]


# -- pure helpers (tested without a terminal) -----------------------------------------------
def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def waiting_minutes(submitted_at: str | None, now: datetime) -> int:
    since = parse_time(submitted_at)
    if since is None:
        return 0
    return max(0, int((now - since).total_seconds() // 60))


def waiting_text(minutes: int) -> str:
    """'4 min', '1 h 5 min', '2 d 3 h' (in the user's language)."""
    if minutes < 60:
        return t("approval_desk.wait_minutes", minutes=minutes)
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return t("approval_desk.wait_hours", hours=hours, minutes=rest)
    days, hours = divmod(hours, 24)
    return t("approval_desk.wait_days", days=days, hours=hours)


def clock_text(text: str | None, now: datetime) -> str:
    """A time in Beijing as 'HH:MM' when it is today, else as 'MM-DD HH:MM'."""
    when = parse_time(text)
    if when is None:
        return ""
    local = when.astimezone(SHANGHAI)
    if local.date() == now.astimezone(SHANGHAI).date():
        return local.strftime("%H:%M")
    return local.strftime("%m-%d %H:%M")


def money(text: str | Decimal | None) -> str:
    try:
        return f"{Decimal(str(text)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(text or "")


class Names:
    """Products, fixed actions and tiers as the user reads them: Chinese names in Chinese,
    codes in English (the rule files name products in Chinese only)."""

    def __init__(self, products: dict[str, str] | None = None,
                 actions: dict[str, str] | None = None,
                 tiers: dict[str, str] | None = None) -> None:
        self.products = products or {}
        self.actions = actions or {}
        self.tiers = tiers or {}

    @staticmethod
    def _pick(names: dict[str, str], code: str) -> str:
        if i18n.language() == "zh_CN":
            return names.get(code, code)
        return code

    def product(self, code: str) -> str:
        return self._pick(self.products, code)

    def action(self, code: str) -> str:
        return self._pick(self.actions, code)

    def tier(self, code: str) -> str:
        return self._pick(self.tiers, code)


def source_name(source: str) -> str:
    return t(f"approval_desk.source_{source}") if source in SOURCES else source


def status_name(status: str) -> str:
    key = f"approval_desk.status_{status}"
    return t(key) if i18n.has(key) else status


def tier_change(row: dict[str, Any], names: Names) -> str:
    """'potential → gold', or just 'potential' when the form does not change the tier."""
    before, after = row.get("tier_before") or "", row.get("tier_after") or ""
    if before == after:
        return names.tier(before)
    return f"{names.tier(before)} → {names.tier(after)}"


def form_summary(row: dict[str, Any], names: Names) -> str:
    """One line naming a form for the dialogs: client, mobile (masked), points, tiers."""
    return t("approval_desk.summary", client=row.get("client_name") or row.get("client_id"),
             mobile=row.get("mobile") or "", points=f"{int(row.get('points') or 0):,}",
             tiers=tier_change(row, names),
             marketer=row.get("marketer_name") or row.get("marketer") or "")


def detail_head(d: dict[str, Any], now: datetime) -> str:
    """Who and where: the form and where it stands, session, marketer, client."""
    submitted = clock_text(d.get("submitted_at"), now)
    if d["status"] == "submitted":
        wait = waiting_text(waiting_minutes(d.get("submitted_at"), now))
        when = t("approval_desk.submitted_waiting", at=submitted, wait=wait)
    else:
        when = t("approval_desk.submitted_at", at=submitted)
    rows = [t("approval_desk.form_line", form=d["form_id"], status=status_name(d["status"]),
              when=when)]
    if int(d.get("revision") or 0) > 0:
        rows.append(t("approval_desk.revision", revision=d["revision"]))
    where = t("approval_desk.on_site") if d.get("on_site") else t("approval_desk.after_session")
    rows.append(t("approval_desk.session_line", session=d["session_id"],
                  start=clock_text(d.get("session_starts_at"), now), where=where,
                  marketer=d.get("marketer_name") or "", code=d.get("marketer") or ""))
    risk = d.get("risk_grade") or t("approval_desk.risk_none")
    rows.append(t("approval_desk.client_line", name=d.get("client_name") or "",
                  client=d["client_id"], mobile=d.get("mobile") or "",
                  aum=money(d.get("aum")), risk=risk))
    if d["status"] != "submitted":
        if d.get("decided_by"):
            rows.append(t("approval_desk.decided_line", status=status_name(d["status"]),
                          by=d["decided_by"], terminal=d.get("decided_terminal") or "?",
                          at=clock_text(d.get("decided_at"), now)))
        if d.get("reason"):
            rows.append(t("approval_desk.reason_line", reason=d["reason"]))
        if d["status"] == "approved":
            rows.append(t("approval_desk.photo_taken_line", at=clock_text(d.get("photo_at"), now))
                        if d.get("photo_taken") else t("approval_desk.photo_waiting_line"))
    return "\n".join(rows)


def detail_lines(d: dict[str, Any], names: Names) -> str:
    """The lines with their calculation breakdown, then fixed actions and the appointment."""
    calc = d.get("calculation")
    rows: list[str] = []
    if calc:
        rows.append(t("approval_desk.lines_title", version=calc.get("rule_set", "")))
        header = [t("approval_desk.col_product"), t("approval_desk.col_source"),
                  t("approval_desk.col_value"), t("approval_desk.col_coefficient"),
                  t("approval_desk.col_multiplier"), t("approval_desk.col_converted"),
                  t("approval_desk.col_points")]
        cells = [[names.product(x["product"]), source_name(x["source"]), money(x["value"]),
                  str(x["coefficient"]), str(x["multiplier"]), money(x["converted_delta"]),
                  f"{int(x['points']):,}"] for x in calc.get("lines", [])]
        rows.extend(_table(header, cells, right=(2, 3, 4, 5, 6)))
        actions = [f"{names.action(a['code'])} +{int(a['points']):,}"
                   for a in calc.get("actions", [])]
    else:
        rows.append(t("approval_desk.lines_as_typed"))
        header = [t("approval_desk.col_product"), t("approval_desk.col_source"),
                  t("approval_desk.col_value")]
        cells = [[names.product(x["product"]), source_name(x["source"]), money(x["value"])]
                 for x in d.get("lines", [])]
        rows.extend(_table(header, cells, right=(2,)))
        actions = [names.action(code) for code in d.get("actions", [])]
    if not cells:
        rows.append(t("approval_desk.no_lines"))
    rows.append(t("approval_desk.actions_line",
                  actions=", ".join(actions) or t("approval_desk.none")))
    rows.append(t("approval_desk.appointment_line",
                  date=d.get("appointment") or t("approval_desk.none")))
    return "\n".join(rows)


def _table(header: list[str], cells: list[list[str]], right: tuple[int, ...]) -> list[str]:
    widths = column_widths([header, *cells], LINE_LIMITS[:len(header)])
    out = []
    for row in [header, *cells]:
        shown = []
        for i, (value, width) in enumerate(zip(row, widths, strict=True)):
            if i in right and cell_len(value) <= width:
                shown.append(" " * (width - cell_len(value)) + value)
            else:
                shown.append(fit(value, width))
        out.append(aligned(shown, widths, gap=" "))
    return out


def detail_foot(d: dict[str, Any], names: Names, now: datetime) -> str:
    """Totals, the tier before and after, and any earlier return (with its reason)."""
    rows = [t("approval_desk.totals_line", delta=money(d.get("converted_delta")),
              points=f"{int(d.get('points') or 0):,}")]
    rises = d.get("tier_rises")
    if rises is None:
        rises = d.get("tier_before") != d.get("tier_after")
    rows.append(t("approval_desk.tier_line", before=names.tier(d.get("tier_before", "")),
                  after=names.tier(d.get("tier_after", "")),
                  change=t("approval_desk.tier_rises") if rises else t("approval_desk.tier_same")))
    for ev in d.get("history") or []:
        if ev.get("type") == "FormReturned":
            rows.append(t("approval_desk.history_returned", by=ev.get("by") or "?",
                          at=clock_text(ev.get("at"), now), reason=ev.get("reason") or ""))
    return "\n".join(rows)


def approved_text(result: dict[str, Any], row: dict[str, Any], names: Names) -> str:
    """What an approval did: points credited, tiers, an experience period, bonuses."""
    client = row.get("client_name") or result.get("client_id", "")
    parts = [t("approval_desk.approved", form=result.get("form_id", ""), client=client,
               points=f"{int(result.get('points') or 0):,}",
               tiers=tier_change(result, names))]
    if result.get("experience"):
        parts.append(t("approval_desk.experience", tier=names.tier(result["experience"])))
    for bonus in result.get("bonuses") or []:
        kind = str(bonus.get("kind", ""))
        key = f"approval_desk.bonus_{kind}"
        parts.append(t("approval_desk.bonus", points=f"{int(bonus.get('points') or 0):,}",
                       client=bonus.get("client_id", ""),
                       kind=t(key) if i18n.has(key) else kind))
    parts.append(t("approval_desk.photo_next"))
    return " ".join(parts)


# -- messages from the workers --------------------------------------------------------------
class DeskLoaded(Message):
    def __init__(self, queue: list[dict[str, Any]], photos: list[dict[str, Any]],
                 scope: str | None, names: Names, clock: Clock) -> None:
        super().__init__()
        self.queue = queue
        self.photos = photos
        self.scope = scope
        self.names = names
        self.clock = clock


class DetailLoaded(Message):
    def __init__(self, form_id: str, detail: dict[str, Any] | None) -> None:
        super().__init__()
        self.form_id = form_id
        self.detail = detail


class DeskProblem(Message):
    """A load or a command failed; `text` is in the user's language."""

    def __init__(self, text: str, loading: bool = False, reload: bool = False) -> None:
        super().__init__()
        self.text = text
        self.loading = loading  # the desk could not load: retry shortly
        self.reload = reload  # a command was refused: what is shown may be out of date


class DeskDone(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


# -- the desk -------------------------------------------------------------------------------
class ApprovalDeskScreen(Screen[None]):
    """Forms waiting for the branch head, oldest first, and the highlighted one in full."""

    AUTO_FOCUS = "#desk-table"
    BINDINGS = [
        Binding("a", "approve", show=False, id="approval_desk.approve"),
        Binding("j", "decide('reject')", show=False, id="approval_desk.reject"),
        Binding("r", "decide('return')", show=False, id="approval_desk.return"),
        Binding("p", "photo", show=False, id="approval_desk.photo"),
        Binding("v", "toggle_view", show=False, id="approval_desk.view"),
        Binding("escape", "back", show=False, id="approval_desk.back"),
    ]
    DEFAULT_CSS = """
    ApprovalDeskScreen #desk-scope {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ApprovalDeskScreen #desk-body {
        height: 1fr;
        layout: horizontal;
    }
    ApprovalDeskScreen #desk-list-box {
        width: 60;
        height: 1fr;
        padding: 0 1;
    }
    ApprovalDeskScreen #desk-table {
        height: 1fr;
    }
    ApprovalDeskScreen #desk-detail {
        width: 1fr;
        height: 1fr;
        padding: 0 1;
        border-left: vkey $panel;
    }
    ApprovalDeskScreen.-narrow #desk-body {
        layout: vertical;
    }
    ApprovalDeskScreen.-narrow #desk-list-box {
        width: 1fr;
        height: auto;
        max-height: 9;
    }
    ApprovalDeskScreen.-narrow #desk-table {
        height: auto;
        max-height: 8;
    }
    ApprovalDeskScreen.-narrow #desk-detail {
        width: 1fr;
        height: 1fr;
        border-left: none;
        border-top: hkey $panel;
    }
    ApprovalDeskScreen #detail-head, ApprovalDeskScreen #detail-foot {
        height: auto;
    }
    ApprovalDeskScreen #detail-lines {
        height: auto;
        margin-top: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ApprovalDeskScreen #desk-message {
        height: auto;
        max-height: 3;
        padding: 0 1;
    }
    ApprovalDeskScreen #desk-keys {
        height: auto;
        max-height: 2;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.view = "queue"  # or "photos": today's approved forms awaiting their photo
        self.scope: str | None = None  # the branch shown; None: every branch
        self.scope_known = False
        self.names = Names()
        self.clock: Clock | None = None
        self.queue: list[dict[str, Any]] = []
        self.photos: list[dict[str, Any]] = []
        self.current_id: str | None = None
        self.current_index = 0
        self.detail: dict[str, Any] | None = None
        self.loaded = False
        self.load_failed = False

    def compose(self) -> ComposeResult:
        yield Static(t("approval_desk.title"), id="desk-title", classes="screen-title",
                     markup=False)
        yield Static(t("approval_desk.loading"), id="desk-scope", markup=False)
        with Horizontal(id="desk-body"):
            with Vertical(id="desk-list-box"):
                yield Static(t("approval_desk.queue_title"), id="desk-list-title",
                             classes="box-title", markup=False)
                yield DataTable(id="desk-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="desk-detail"):
                yield Static(t("approval_desk.loading"), id="detail-head", markup=False)
                yield Static("", id="detail-foot", markup=False)
                yield Static("", id="detail-lines", markup=False)
        yield Static("", id="desk-message", markup=False)
        yield Static(t("approval_desk.keys"), id="desk-keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        self._fit_layout()
        self.set_interval(WAIT_TICK_SECONDS, self.tick, name="approval-desk-wait")
        self.action_reload()

    def on_resize(self) -> None:
        self._fit_layout()

    def _fit_layout(self) -> None:
        self.set_class(self.size.width < WIDE, "-narrow")

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.action_reload()

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        self.action_reload()

    # -- loading --------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load_desk(self.scope_known, self.scope, self.names)

    @work(thread=True, exclusive=True, group="approval-desk-load", exit_on_error=False)
    def load_desk(self, scope_known: bool, scope: str | None, names: Names) -> None:
        try:
            services = self.app.get_services()
            from upgradecamp.domain.rules import business_date
            from upgradecamp.queries.approval_desk import awaiting_photo
            from upgradecamp.queries.forms import approval_queue

            if not scope_known:
                scope, names = self._setup(services)
            queue = approval_queue(services.engine, branch=scope)
            photos = awaiting_photo(services.engine, business_date(services.clock()),
                                    branch=scope)
        except Exception as exc:  # shown on screen; a retry or the next log change reloads
            self.post_message(DeskProblem(describe_error(exc), loading=True))
            return
        self.post_message(DeskLoaded(queue, photos, scope, names, services.clock))

    def _setup(self, services: Any) -> tuple[str | None, Names]:
        """Which branch's forms this actor decides, and the names of products and tiers."""
        from upgradecamp.queries import branches, rules_in_force

        core = {b["code"] for b in branches(services.engine) if b.get("kind") == "core"}
        everything = self.actor.role == "admin" or (self.actor.branch or "") in core
        rule_sets, ladder, _current = rules_in_force(services.engine, services.clock())
        products: dict[str, str] = {}
        actions: dict[str, str] = {}
        for rule_set in rule_sets:  # oldest first: the newest name of a code wins
            products.update({code: p.name_zh for code, p in rule_set.products.items()})
            actions.update({code: a.name_zh for code, a in rule_set.actions.items()})
        tiers = {tier.code: tier.name_zh for tier in ladder.tiers}
        return (None if everything else self.actor.branch), Names(products, actions, tiers)

    def on_desk_loaded(self, message: DeskLoaded) -> None:
        self.loaded = True
        self.scope_known = True
        self.scope = message.scope
        self.names = message.names
        self.clock = message.clock
        if self.load_failed:
            self.load_failed = False
            self._say("")
        self.queue = message.queue
        self.photos = message.photos
        self._fill_table()

    def on_desk_problem(self, message: DeskProblem) -> None:
        self._say(message.text, error=True)
        if message.loading:
            self.load_failed = True
            self.set_timer(RETRY_SECONDS, self.action_reload)
        elif message.reload:
            self.action_reload()

    def now(self) -> datetime:
        return self.clock() if self.clock is not None else datetime.now(UTC)

    # -- the list -------------------------------------------------------------------------------
    def rows(self) -> list[dict[str, Any]]:
        return self.queue if self.view == "queue" else self.photos

    def _columns(self) -> list[str]:
        columns = ["wait"] if self.view == "queue" else ["approved"]
        if self.scope is None:
            columns.append("branch")
        return [*columns, "client", "marketer", "points", "tier"]

    def _cells(self, row: dict[str, Any], now: datetime) -> list[Text]:
        cells = []
        for column in self._columns():
            if column == "wait":
                cells.append(self._wait_cell(row, now))
            elif column == "approved":
                cells.append(Text(clock_text(row.get("decided_at"), now)))
            elif column == "branch":
                cells.append(Text(str(row.get("branch") or "")))
            elif column == "client":
                cells.append(Text(fit(str(row.get("client_name") or row["client_id"]),
                                      CLIENT_CELLS).rstrip()))
            elif column == "marketer":
                cells.append(Text(fit(str(row.get("marketer_name") or row.get("marketer")),
                                      MARKETER_CELLS).rstrip()))
            elif column == "points":
                cells.append(Text(f"{int(row.get('points') or 0):,}", justify="right"))
            else:
                rises = row.get("tier_before") != row.get("tier_after")
                cells.append(Text(fit(tier_change(row, self.names), TIER_CELLS).rstrip(),
                                  style="bold" if rises else ""))
        return cells

    @staticmethod
    def _wait_cell(row: dict[str, Any], now: datetime) -> Text:
        minutes = waiting_minutes(row.get("submitted_at"), now)
        return Text(waiting_text(minutes), style="bold red" if minutes >= LONG_WAIT_MINUTES
                    else "")

    def _fill_table(self) -> None:
        table = self.query_one("#desk-table", DataTable)
        rows = self.rows()
        ids = [row["form_id"] for row in rows]
        keep, index = self.current_id, self.current_index
        now = self.now()
        table.clear(columns=True)
        for column in self._columns():
            table.add_column(t(f"approval_desk.col_{column}"), key=column)
        for row in rows:
            table.add_row(*self._cells(row, now), key=row["form_id"])
        if keep in ids:
            table.move_cursor(row=ids.index(keep), animate=False)
        elif ids:  # the form it was on was decided: stay at the same place in the queue
            table.move_cursor(row=min(index, len(ids) - 1), animate=False)
        title = "approval_desk.queue_title" if self.view == "queue" else "approval_desk.photo_title"
        self.query_one("#desk-list-title", Static).update(t(title))
        self._show_scope()
        self._current_changed(force=True)

    def _show_scope(self) -> None:
        if self.scope is None:
            scope = t("approval_desk.scope_all")
        else:
            scope = t("approval_desk.scope_branch", branch=self.scope)
        self.query_one("#desk-scope", Static).update(t(
            "approval_desk.scope", scope=scope, waiting=len(self.queue), photos=len(self.photos)))

    def tick(self) -> None:
        """Refresh the waiting times (and the detail's) from the clock: no database call."""
        if not self.loaded or self.view != "queue":
            return
        table = self.query_one("#desk-table", DataTable)
        now = self.now()
        for row in self.queue:
            try:
                table.update_cell(row["form_id"], "wait", self._wait_cell(row, now))
            except Exception:  # noqa: BLE001 - a row replaced by a reload meanwhile
                continue
        self._show_detail()

    def _cursor_id(self) -> str | None:
        return table_key(self.query_one("#desk-table", DataTable))

    @on(DataTable.RowHighlighted, "#desk-table")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        # The cursor's row when handled, not the event's: a reload may have moved it since.
        self._current_changed()

    def _current_changed(self, force: bool = False) -> None:
        form_id = self._cursor_id()
        table = self.query_one("#desk-table", DataTable)
        if form_id is not None:
            self.current_index = table.cursor_row
        if form_id == self.current_id and not force:
            return
        if form_id != self.current_id:
            self.detail = None
        self.current_id = form_id
        if form_id is None:
            self._show_detail()
            return
        if self.detail is None:
            self._show_detail()
        self.load_detail(form_id)

    @work(thread=True, exclusive=True, group="approval-desk-detail", exit_on_error=False)
    def load_detail(self, form_id: str) -> None:
        try:
            services = self.app.get_services()
            from upgradecamp.queries.forms import form_detail

            detail = form_detail(services.engine, form_id)
        except Exception as exc:  # shown on screen; the next log change reloads
            self.post_message(DeskProblem(describe_error(exc)))
            return
        self.post_message(DetailLoaded(form_id, detail))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        if message.form_id != self.current_id:
            return
        self.detail = message.detail
        self._show_detail()

    def _show_detail(self) -> None:
        head = self.query_one("#detail-head", Static)
        lines = self.query_one("#detail-lines", Static)
        foot = self.query_one("#detail-foot", Static)
        row = self.highlighted()
        if row is None or self.detail is None:
            if not self.loaded:
                text = t("approval_desk.loading")
            elif row is None:
                text = t("approval_desk.queue_empty" if self.view == "queue"
                         else "approval_desk.photo_empty")
            else:
                text = t("approval_desk.loading_form", form=row["form_id"])
            head.update(text)
            lines.update("")
            foot.update("")
            return
        now = self.now()
        head.update(detail_head(self.detail, now))
        lines.update(detail_lines(self.detail, self.names))
        foot.update(detail_foot(self.detail, self.names, now))

    def highlighted(self) -> dict[str, Any] | None:
        return next((r for r in self.rows() if r["form_id"] == self.current_id), None)

    def _say(self, text: str, *, error: bool = False) -> None:
        view = self.query_one("#desk-message", Static)
        view.update(text)
        view.set_class(error, "-error")

    # -- deciding -------------------------------------------------------------------------------
    def _chosen_waiting(self) -> dict[str, Any] | None:
        """The highlighted form, if it waits for a decision (else say why nothing happens)."""
        row = self.highlighted()
        if row is None:
            self._say(t("approval_desk.choose_first"), error=True)
            return None
        if self.view != "queue":
            self._say(t("approval_desk.not_waiting", form=row["form_id"],
                        status=status_name(row.get("status", ""))), error=True)
            return None
        return row

    def action_approve(self) -> None:
        row = self._chosen_waiting()
        if row is None:
            return
        self._say("")

        def done(outcome: ApproveOutcome | None) -> None:
            if outcome is None:
                return
            if outcome.refusal is not None:
                self._say(outcome.refusal, error=True)
            elif outcome.result is not None:
                self._say(approved_text(outcome.result, row, self.names))
            self.action_reload()

        self.app.push_screen(ApprovePinScreen(self.actor, row, form_summary(row, self.names)),
                             done)

    def action_decide(self, kind: str) -> None:
        row = self._chosen_waiting()
        if row is None:
            return
        self._say("")
        from upgradecamp.domain.commands.forms import RejectForm, ReturnForm

        def reason_given(reason: str | None) -> None:
            if not reason:
                return
            self._say(t("approval_desk.working"))
            if kind == "reject":
                command: Command = RejectForm(form_id=row["form_id"], reason=reason)
                text = t("approval_desk.rejected", form=row["form_id"], reason=reason)
            else:
                command = ReturnForm(form_id=row["form_id"], reason=reason)
                text = t("approval_desk.returned", form=row["form_id"], reason=reason,
                         marketer=row.get("marketer_name") or row.get("marketer") or "")
            self.run_command(command, text)

        self.app.push_screen(ReasonScreen(kind, row, form_summary(row, self.names)),
                             reason_given)

    def action_photo(self) -> None:
        row = self.highlighted()
        if self.view != "photos":
            self._say(t("approval_desk.photo_in_queue"), error=True)
            return
        if row is None:
            self._say(t("approval_desk.choose_first"), error=True)
            return
        from upgradecamp.domain.commands.forms import MarkPhotoTaken

        self._say(t("approval_desk.working"))
        self.run_command(MarkPhotoTaken(form_id=row["form_id"]),
                         t("approval_desk.photo_marked", form=row["form_id"],
                           client=row.get("client_name") or row["client_id"]))

    @work(thread=True, group="approval-desk-command", exit_on_error=False)
    def run_command(self, command: Command, done_text: str) -> None:
        try:
            self.app.get_services().execute(command, self.actor)
        except Exception as exc:  # the handler's refusal, said in the user's language
            self.post_message(DeskProblem(describe_error(exc), reload=True))
            return
        self.post_message(DeskDone(done_text))

    def on_desk_done(self, message: DeskDone) -> None:
        self._say(message.text)
        self.action_reload()

    # -- views ----------------------------------------------------------------------------------
    def action_toggle_view(self) -> None:
        self.view = "photos" if self.view == "queue" else "queue"
        self.current_id = None
        self.current_index = 0
        self.detail = None
        self._say("")
        self._fill_table()
        self.action_reload()

    def action_back(self) -> None:
        self.app.pop_screen()
