"""The invite-list builder (邀约名单): criteria in, a live count of who would be invited out.

As the organizer types the AUM range, the invitations per seat or switches the segment mix,
the same `BuildInviteList` handler runs as a dry run (debounced, in a thread worker, the latest
request wins) and the screen shows the target, the candidates, how many would be invited and
why the others are left out. Nothing is written until Ctrl+S (or the Build button) builds the
list for real. An input that is not a number, or a range whose lower end is not below its upper
end, is answered on the spot and no count is shown for it. With the 2:1 mix switched on the
handler lets the segments set the asset range, so the AUM fields are switched off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Input, Static, Switch

from upgradecamp.tui.app import LogAdvanced
from upgradecamp.tui.i18n import has, t
from upgradecamp.tui.screens.call_list import explain, local_start, segment_name, status_name
from upgradecamp.tui.widgets import aligned, column_widths
from upgradecamp.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor

SCREEN = "invite_builder"
DEBOUNCE_SECONDS = 0.3
# The SPEC's invite mix: about 2/3 potential clients and 1/3 mid-high clients.
MIX = {"potential": 2, "mid_high": 1}
EXCLUSION_REASONS = ("no_consent", "unreachable", "invited_elsewhere", "attended_recently",
                     "already_invited")
EXAMPLES_SHOWN = 3
DEFAULT_MIN, DEFAULT_MAX = "50000", "200000"


@dataclass(frozen=True)
class Criteria:
    """The criteria as the handler takes them: decimal strings, and the mix or None."""

    aum_min: str
    aum_max: str
    per_seat: str
    mix: dict[str, int] | None


def reason_name(reason: str) -> str:
    key = f"invite_builder.reason.{reason}"
    return t(key) if has(key) else reason


def _number(raw: str) -> Decimal | None:
    """A typed amount (`50000`, `50,000`, `1.5`); None when it is not a finite number."""
    text = raw.replace(",", "").replace("，", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def read_criteria(aum_min: str, aum_max: str, per_seat: str,
                  mixed: bool) -> tuple[Criteria | None, str | None]:
    """The criteria, or what is wrong with what was typed (in the user's language)."""
    fields = (("aum_min", aum_min, DEFAULT_MIN), ("aum_max", aum_max, DEFAULT_MAX),
              ("per_seat", per_seat, "1.5"))
    if mixed:  # the mix's segments set the asset range; the AUM fields are switched off
        fields = (("aum_min", DEFAULT_MIN, DEFAULT_MIN), ("aum_max", DEFAULT_MAX, DEFAULT_MAX),
                  fields[2])
    values: dict[str, Decimal] = {}
    for name, raw, example in fields:
        label = t(f"invite_builder.{name}")
        if not raw.strip():
            return None, t("invite_builder.empty", field=label, example=example)
        value = _number(raw)
        if value is None:
            return None, t("invite_builder.not_a_number", field=label, value=raw.strip(),
                           example=example)
        if value < 0:
            return None, t("invite_builder.negative", field=label)
        values[name] = value
    from upgradecamp.domain.invitations import MAX_PER_SEAT

    if not 0 < values["per_seat"] <= MAX_PER_SEAT:
        return None, t("invite_builder.per_seat_range", max=MAX_PER_SEAT)
    if values["aum_min"] >= values["aum_max"]:
        return None, t("invite_builder.min_not_below_max", low=f"{values['aum_min']:,}",
                       high=f"{values['aum_max']:,}")
    return Criteria(str(values["aum_min"]), str(values["aum_max"]), str(values["per_seat"]),
                    dict(MIX) if mixed else None), None


def _names(group: list[dict[str, Any]]) -> str:
    """A few left-out clients by name (never a mobile), e.g. `张三、李四…`."""
    names = [str(c.get("name") or c.get("client_id") or "?") for c in group[:EXAMPLES_SHOWN]]
    return "、".join(names) + ("…" if len(group) > EXAMPLES_SHOWN else "")


def _amount(value: Any) -> str:
    from upgradecamp.domain.invitations import NO_UPPER_BOUND

    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return "∞" if amount >= NO_UPPER_BOUND else f"{amount:,.0f}"


def examples_by_reason(examples: Any) -> dict[str, list[dict[str, Any]]]:
    """The dry run's left-out clients by reason, whether listed flat or grouped."""
    if isinstance(examples, dict):
        return {str(k): [e for e in v if isinstance(e, dict)] for k, v in examples.items()
                if isinstance(v, list)}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for example in examples or []:
        if isinstance(example, dict):
            grouped.setdefault(str(example.get("reason")), []).append(example)
    return grouped


def days_before(session: dict[str, Any] | None, now: datetime | None) -> int | None:
    """Whole business days from `now` to the session's start (Asia/Shanghai dates)."""
    if not session or now is None or not session.get("starts_at"):
        return None
    from upgradecamp.domain.rules import business_date

    starts = datetime.fromisoformat(str(session["starts_at"]))
    return (business_date(starts) - business_date(now)).days


def preview_text(result: dict[str, Any], days: int | None = None,
                 mix: dict[str, int] | None = None) -> str:
    """The dry run as the organizer reads it: target, candidates, would invite, left out.

    The handler's notes and warnings are English sentences; the screen says the same from the
    numbers in the result (and the days to the session) in the user's language.
    """
    from upgradecamp.domain.invitations import ADVANCE_DAYS, split_target

    target = int(result.get("target", 0))
    issued = int(result.get("issued", 0))
    already = result.get("already_invited", 0)
    lines = [t("invite_builder.target", target=target, already=already)]
    if target == 0:
        lines.append(t("invite_builder.list_full", invited=already))
    criteria = result.get("criteria") or {}
    if mix and criteria.get("aum_min") is not None:
        lines.append(t("invite_builder.range_used", low=_amount(criteria["aum_min"]),
                       high=_amount(criteria.get("aum_max"))))
    lines += [
        t("invite_builder.candidates", candidates=result.get("candidates", 0),
          eligible=result.get("eligible", 0)),
        t("invite_builder.would_invite", issued=issued),
    ]
    by_segment = {s: n for s, n in (result.get("by_segment") or {}).items() if n}
    if by_segment:
        lines.append("  " + segment_counts(by_segment))
    if mix and target:
        wanted = split_target(target, mix)
        lines.append(t("invite_builder.mix_wanted", counts=segment_counts(wanted)))
    if 0 < target and issued < target:
        lines.append(t("invite_builder.short", issued=issued, target=target))
    excluded = {k: v for k, v in (result.get("excluded") or {}).items() if v}
    examples = examples_by_reason(result.get("excluded_clients"))
    if excluded:
        lines.append(t("invite_builder.excluded"))
        order = [r for r in EXCLUSION_REASONS if r in excluded]
        order += sorted(r for r in excluded if r not in EXCLUSION_REASONS)
        rows = [[reason_name(r), f"{excluded[r]:>5}", _names(examples.get(r) or [])]
                for r in order]
        widths = column_widths(rows, [28, 6, 60])
        lines += ["  " + aligned(row, widths) for row in rows]
    else:
        lines.append(t("invite_builder.none_excluded"))
    if isinstance(result.get("days_ahead"), int):
        days = result["days_ahead"]
    if days is not None and days < ADVANCE_DAYS:
        lines.append(t("invite_builder.too_soon", days=days, lead=ADVANCE_DAYS))
    return "\n".join(lines)


def segment_counts(counts: dict[str, int]) -> str:
    """`Potential 10 · Mid-high 5`: segments in the ladder's order, from the low end."""
    from upgradecamp.domain.tiers import SEGMENTS

    order = sorted(counts, key=lambda s: (SEGMENTS.index(s) if s in SEGMENTS else 99, s))
    return " · ".join(t("invite_builder.segment_count", segment=segment_name(s),
                        count=counts[s]) for s in order)


def session_text(session: dict[str, Any]) -> str:
    return t("invite_builder.session",
             start=local_start(session.get("starts_at")),
             branch=str(session.get("branch_name") or session.get("branch") or ""),
             venue=str(session.get("venue") or ""), theme=str(session.get("theme") or ""),
             capacity=session.get("capacity", "?"), invited=session.get("invited", 0),
             status=status_name(session.get("status")))


class SessionLoaded(Message):
    def __init__(self, session: dict[str, Any] | None, problem: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.problem = problem


class PreviewReady(Message):
    def __init__(self, seq: int, criteria: Criteria, result: dict[str, Any] | None,
                 now: datetime | None = None, problem: str | None = None,
                 code: str | None = None, params: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.seq = seq
        self.criteria = criteria
        self.result = result
        self.now = now
        self.problem = problem
        self.code = code
        self.params = params or {}


class BuildDone(Message):
    def __init__(self, result: dict[str, Any] | None, problem: str | None = None,
                 code: str | None = None) -> None:
        super().__init__()
        self.result = result
        self.problem = problem
        self.code = code


class InviteBuilderScreen(Screen[None]):
    """Criteria for one session's invite list, its live dry-run counts, and Build."""

    AUTO_FOCUS = "#ib-aum-min"
    DEFAULT_CSS = """
    #ib-session {
        height: auto;
        max-height: 2;
        padding: 0 1;
    }
    #ib-criteria {
        height: 3;
        padding: 0 1;
    }
    .ib-label {
        width: auto;
        padding: 1 1 0 0;
    }
    #ib-criteria Input {
        padding: 0 1;
    }
    #ib-aum-min, #ib-aum-max {
        width: 12;
    }
    #ib-per-seat {
        width: 8;
    }
    #ib-mix {
        margin-left: 1;
    }
    #ib-mix-text {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #ib-message {
        height: auto;
        max-height: 2;
        padding: 0 1;
    }
    #ib-preview-box {
        height: 1fr;
        padding: 0 1;
        border-top: hkey $panel;
    }
    #ib-preview {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #ib-actions {
        height: auto;
        padding: 0 1;
    }
    #ib-build {
        margin-right: 1;
    }
    #ib-result {
        width: 1fr;
        height: auto;
        max-height: 3;
    }
    #ib-result.-done {
        color: $success;
        text-style: bold;
    }
    """
    BINDINGS = [
        Binding("escape", "back", show=False, id="invite_builder.back"),
        Binding("ctrl+s", "build", show=False, priority=True, id="invite_builder.build"),
    ]

    def __init__(self, actor: Actor | None, session_id: str) -> None:
        super().__init__()
        self.actor = actor
        self.session_id = session_id
        self.session: dict[str, Any] | None = None
        self.preview: dict[str, Any] | None = None
        self.built: dict[str, Any] | None = None
        self.criteria: Criteria | None = None
        self._preview_seq = 0
        self._shown_seq = 0
        self._timer: Timer | None = None
        self._building = False

    def compose(self) -> ComposeResult:
        yield Static(t("invite_builder.title"), id="ib-title", classes="screen-title",
                     markup=False)
        yield Static(t("home.loading"), id="ib-session", markup=False)
        with Horizontal(id="ib-criteria"):
            yield Static(t("invite_builder.aum_min"), classes="ib-label", markup=False)
            yield Input(DEFAULT_MIN, id="ib-aum-min", max_length=16)
            yield Static(t("invite_builder.aum_max"), classes="ib-label", markup=False)
            yield Input(DEFAULT_MAX, id="ib-aum-max", max_length=16)
            yield Static(t("invite_builder.per_seat"), classes="ib-label", markup=False)
            yield Input("1.5", id="ib-per-seat", max_length=6)
            yield Switch(False, id="ib-mix")
            yield Static(t("invite_builder.mix"), classes="ib-label", markup=False)
        yield Static(t("invite_builder.mix_off"), id="ib-mix-text", markup=False)
        yield Static("", id="ib-message", classes="-error", markup=False)
        with VerticalScroll(id="ib-preview-box"):
            yield Static(t("invite_builder.preview_title"), classes="box-title", markup=False)
            yield Static(t("invite_builder.counting"), id="ib-preview", markup=False)
        with Horizontal(id="ib-actions"):
            yield Button(t("invite_builder.build"), id="ib-build", variant="primary",
                         compact=True)
            yield Static("", id="ib-result", markup=False)
        yield Static(t("invite_builder.keys"), classes="keys", markup=False)
        yield StatusBar()

    def on_mount(self) -> None:
        self.load_session()
        self.criteria_changed(debounce=False)

    def on_log_advanced(self, _message: LogAdvanced) -> None:
        # Another terminal may have invited clients: the header and the counts follow.
        self.load_session()
        if self.criteria is not None:
            self.criteria_changed()  # debounced: a busy log does not run a count per event

    # -- the session header -------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="invite-builder-session", exit_on_error=False)
    def load_session(self) -> None:
        try:
            services = self.app.get_services()
            from upgradecamp.queries.sessions import session_detail

            session = session_detail(services.engine, self.session_id)
        except Exception as exc:  # shown on screen
            self.post_message(SessionLoaded(None, explain(exc, SCREEN)))
            return
        self.post_message(SessionLoaded(session))

    def on_session_loaded(self, message: SessionLoaded) -> None:
        header = self.query_one("#ib-session", Static)
        if message.problem or message.session is None:
            header.update(message.problem or t("invite_builder.no_session",
                                               session=self.session_id))
            header.add_class("-error")
            return
        self.session = message.session
        header.remove_class("-error")
        header.update(session_text(message.session))

    # -- criteria and the live preview -------------------------------------------------------
    @on(Input.Changed)
    @on(Switch.Changed)
    def _changed(self, _event: Any) -> None:
        self.criteria_changed()

    @property
    def preview_settled(self) -> bool:
        """No preview waiting to start or to come back (tests wait for this)."""
        return self._timer is None and self._shown_seq == self._preview_seq

    def criteria_changed(self, *, debounce: bool = True) -> None:
        mixed = self.query_one("#ib-mix", Switch).value
        for selector in ("#ib-aum-min", "#ib-aum-max"):
            self.query_one(selector, Input).disabled = mixed
        self.query_one("#ib-mix-text", Static).update(
            t("invite_builder.mix_on", potential=segment_name("potential"),
              mid_high=segment_name("mid_high")) if mixed else t("invite_builder.mix_off"))
        criteria, problem = read_criteria(self.query_one("#ib-aum-min", Input).value,
                                          self.query_one("#ib-aum-max", Input).value,
                                          self.query_one("#ib-per-seat", Input).value, mixed)
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.criteria = criteria
        self.say(problem)
        if criteria is None:
            # No preview for a bad input; a preview still on its way is ignored.
            self._preview_seq += 1
            self._shown_seq = self._preview_seq
            self.preview = None
            self.query_one("#ib-preview", Static).update(t("invite_builder.fix_first"))
            return
        if debounce:
            self._timer = self.set_timer(DEBOUNCE_SECONDS, self._start_preview)
        else:
            self._start_preview()

    def _start_preview(self) -> None:
        self._timer = None
        if self.criteria is None:
            return
        self._preview_seq += 1
        self._run_preview(self._preview_seq, self.criteria)

    @work(thread=True, exclusive=True, group="invite-builder-preview", exit_on_error=False)
    def _run_preview(self, seq: int, criteria: Criteria) -> None:
        try:
            result, now = self._execute(criteria, dry_run=True)
        except Exception as exc:  # the handler's own checks, in the user's language
            self.post_message(PreviewReady(seq, criteria, None, problem=explain(exc, SCREEN),
                                           code=getattr(exc, "code", None),
                                           params=getattr(exc, "params", None)))
            return
        self.post_message(PreviewReady(seq, criteria, result, now))

    def on_preview_ready(self, message: PreviewReady) -> None:
        if message.seq != self._preview_seq:
            return  # the criteria changed since: a newer preview is coming
        self._shown_seq = message.seq
        view = self.query_one("#ib-preview", Static)
        self.preview = message.result
        if message.code == "invite_list_full":
            # Not a mistake: the list already holds what the seats allow.
            view.update(t("invite_builder.list_full",
                          invited=message.params.get("invited", "?")))
            return
        if message.problem or message.result is None:
            self.say(message.problem)
            view.update(t("invite_builder.fix_first"))
            return
        view.update(preview_text(message.result, days_before(self.session, message.now),
                                 message.criteria.mix))

    def say(self, problem: str | None) -> None:
        """The inline message under the criteria; its line is hidden while all is well."""
        message = self.query_one("#ib-message", Static)
        message.update(problem or "")
        message.display = bool(problem)

    def _execute(self, criteria: Criteria, *,
                 dry_run: bool) -> tuple[dict[str, Any], datetime]:
        services = self.app.get_services()
        from upgradecamp.domain.commands.invitations import BuildInviteList

        command = BuildInviteList(session_id=self.session_id, aum_min=criteria.aum_min,
                                  aum_max=criteria.aum_max, per_seat=criteria.per_seat,
                                  mix=criteria.mix, dry_run=dry_run)
        result = services.execute(command, self.actor or self.app.actor)
        return result, services.clock()

    # -- building for real --------------------------------------------------------------------
    @on(Button.Pressed, "#ib-build")
    def _build_pressed(self, _event: Button.Pressed) -> None:
        self.action_build()

    def action_build(self) -> None:
        result = self.query_one("#ib-result", Static)
        if self._building:
            return
        if self.criteria is None:
            result.update(t("invite_builder.fix_first"))
            result.set_classes("-error")
            return
        self._building = True
        result.set_classes("")
        result.update(t("invite_builder.building"))
        self._build(self.criteria)

    @work(thread=True, group="invite-builder-build", exit_on_error=False)
    def _build(self, criteria: Criteria) -> None:
        try:
            result, _now = self._execute(criteria, dry_run=False)
        except Exception as exc:  # nothing was written: the handler records all or nothing
            self.post_message(BuildDone(None, explain(exc, SCREEN), getattr(exc, "code", None)))
            return
        self.post_message(BuildDone(result))

    def on_build_done(self, message: BuildDone) -> None:
        self._building = False
        view = self.query_one("#ib-result", Static)
        if message.code in ("invite_list_full", "invite_nobody_qualifies"):
            view.set_classes("-error")
            view.update(t("invite_builder.nothing_to_build"))
            return
        if message.problem or message.result is None:
            view.set_classes("-error")
            view.update(message.problem or "?")
            return
        self.built = message.result
        issued = int(message.result.get("issued", 0))
        view.set_classes("-done" if issued else "")
        view.update(t("invite_builder.built", issued=issued,
                      target=message.result.get("target", 0)) if issued
                    else t("invite_builder.built_none"))
        self.load_session()
        self.criteria_changed(debounce=False)

    def action_back(self) -> None:
        self.app.pop_screen()
