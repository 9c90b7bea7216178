"""The follow-up desk's small windows: the note of an outcome, a new due date, a new assignee.

Each returns what was entered (None on Esc); the desk runs the command, so its refusals show
in one place. The due date is checked as it is typed (format, not before today, not the day
it is already due), so a wrong date never reaches the handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from upgradecamp.tui.i18n import role_name, t
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets import fit

if TYPE_CHECKING:
    from upgradecamp.queries.sessions import StaffChoice

NOTE_LENGTH = 200
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_due(text: str, today: date, current: date | None) -> tuple[date | None, str]:
    """The typed due date, or None with what is wrong with it (in the user's language)."""
    text = text.strip()
    example = (today + timedelta(days=7)).isoformat()
    if not DATE_PATTERN.match(text):
        return None, t("followup_desk.date_bad", example=example)
    try:
        due = date.fromisoformat(text)
    except ValueError:
        return None, t("followup_desk.date_bad", example=example)
    if due < today:
        return None, t("followup_desk.date_past", due=due.isoformat(), today=today.isoformat())
    if current is not None and due == current:
        return None, t("followup_desk.date_same", due=due.isoformat())
    return due, t("followup_desk.date_ok", due=due.isoformat(), days=(due - today).days)


class NoteScreen(ModalScreen[str | None]):
    """An outcome's note: optional; Enter saves (even empty), Esc records nothing."""

    AUTO_FOCUS = "#note-input"
    BINDINGS = [Binding("escape", "back", show=False, id="followup_desk.note_back")]
    DEFAULT_CSS = stylesheet("note_screen")

    def __init__(self, title: str, summary: str) -> None:
        super().__init__()
        self.title_text = title
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(classes="fu-box"):
            yield Static(self.title_text, classes="fu-box-title", markup=False)
            yield Static(self.summary, id="note-summary", classes="fu-hint", markup=False)
            yield Static(t("followup_desk.note_label"), markup=False)
            yield Input(
                placeholder=t("followup_desk.note_placeholder"),
                max_length=NOTE_LENGTH,
                id="note-input",
            )
            yield Static(t("followup_desk.note_keys"), classes="fu-keys", markup=False)

    @on(Input.Submitted, "#note-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(" ".join(event.value.split()))

    def action_back(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class NewDue:
    due: date
    reason: str


class RescheduleScreen(ModalScreen[NewDue | None]):
    """A new due date (checked as typed) and an optional reason."""

    AUTO_FOCUS = "#reschedule-date"
    BINDINGS = [Binding("escape", "back", show=False, id="followup_desk.reschedule_back")]
    DEFAULT_CSS = stylesheet("reschedule_screen")

    def __init__(self, title: str, summary: str, today: date, current: date | None) -> None:
        super().__init__()
        self.title_text = title
        self.summary = summary
        self.today = today
        self.current = current

    def compose(self) -> ComposeResult:
        current = self.current.isoformat() if self.current else "—"
        with Vertical(classes="fu-box"):
            yield Static(self.title_text, classes="fu-box-title", markup=False)
            yield Static(self.summary, classes="fu-hint", markup=False)
            yield Static(
                t("followup_desk.reschedule_now", due=current, today=self.today.isoformat()),
                classes="fu-hint",
                markup=False,
            )
            yield Static(t("followup_desk.date_label"), markup=False)
            yield Input(
                placeholder="YYYY-MM-DD", max_length=10, restrict=r"[0-9-]*", id="reschedule-date"
            )
            yield Static("", id="reschedule-problem", classes="fu-problem", markup=False)
            yield Static(t("followup_desk.reason_label"), markup=False)
            yield Input(
                placeholder=t("followup_desk.reason_placeholder"),
                max_length=NOTE_LENGTH,
                id="reschedule-reason",
            )
            yield Static(t("followup_desk.reschedule_keys"), classes="fu-keys", markup=False)

    @on(Input.Changed, "#reschedule-date")
    def _date_changed(self, event: Input.Changed) -> None:
        if not event.value:
            self._say("", ok=True)
            return
        due, text = parse_due(event.value, self.today, self.current)
        # A date half typed is not an error yet: only say so once it is as long as a date.
        if due is None and len(event.value) < 10:
            self._say("", ok=True)
            return
        self._say(text, ok=due is not None)

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        field = self.query_one("#reschedule-date", Input)
        due, text = parse_due(field.value, self.today, self.current)
        if due is None:
            self._say(text, ok=False)
            field.focus()
            return
        reason = " ".join(self.query_one("#reschedule-reason", Input).value.split())
        self.dismiss(NewDue(due, reason))

    def _say(self, text: str, *, ok: bool) -> None:
        view = self.query_one("#reschedule-problem", Static)
        view.update(text)
        view.set_class(not ok, "-error")
        view.set_class(ok and bool(text), "-ok")

    def action_back(self) -> None:
        self.dismiss(None)


def reassign_choices(staff: list[StaffChoice]) -> list[StaffChoice]:
    """The branch's staff who may take a follow-up over: those who work follow-ups
    (marketers) first, then those who manage them; by code."""
    from upgradecamp.domain.staff import Actor

    chosen = [
        m
        for m in staff
        if Actor(code=m["code"], role=m["role"]).may("followups.work")
        or Actor(code=m["code"], role=m["role"]).may("followups.manage")
    ]
    chosen.sort(key=lambda m: (m["role"] != "marketer", m["code"]))
    return chosen


def staff_label(member: StaffChoice, current: str) -> str:
    name = fit(str(member.get("name") or ""), 10)
    label = f"{member['code']:<8} {name} {role_name(str(member.get('role') or ''))}"
    if member["code"] == current:
        label = f"{label} {t('followup_desk.reassign_current')}"
    return label


class ReassignScreen(ModalScreen[str | None]):
    """Pick the staff member of the branch who takes the follow-up over."""

    AUTO_FOCUS = "#reassign-staff"
    BINDINGS = [Binding("escape", "back", show=False, id="followup_desk.reassign_back")]
    DEFAULT_CSS = stylesheet("reassign_screen")

    def __init__(
        self,
        title: str,
        summary: str,
        staff: list[StaffChoice],
        current: str,
        current_name: str,
        branch: str,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.summary = summary
        self.staff = staff
        self.current = current
        self.current_name = current_name
        self.branch = branch

    def compose(self) -> ComposeResult:
        others = [m for m in self.staff if m["code"] != self.current]
        with Vertical(classes="fu-box"):
            yield Static(self.title_text, classes="fu-box-title", markup=False)
            yield Static(self.summary, classes="fu-hint", markup=False)
            yield Static(
                t(
                    "followup_desk.reassign_now",
                    name=self.current_name,
                    code=self.current,
                    branch=self.branch,
                ),
                markup=False,
            )
            yield OptionList(
                *(
                    Option(
                        Content(staff_label(m, self.current)),
                        id=m["code"],
                        disabled=m["code"] == self.current,
                    )
                    for m in self.staff
                ),
                id="reassign-staff",
            )
            if not others:
                yield Static(
                    t("followup_desk.reassign_none", branch=self.branch),
                    classes="fu-problem -error",
                    markup=False,
                )
            yield Static(t("followup_desk.reassign_keys"), classes="fu-keys", markup=False)

    def on_mount(self) -> None:
        options = self.query_one("#reassign-staff", OptionList)
        first = next((i for i, m in enumerate(self.staff) if m["code"] != self.current), None)
        if first is not None:
            options.highlighted = first

    @on(OptionList.OptionSelected, "#reassign-staff")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id != self.current:
            self.dismiss(event.option.id)

    def action_back(self) -> None:
        self.dismiss(None)
