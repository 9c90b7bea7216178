"""Set a marketer's month targets (设定考核目标) from the Marketers' review: forms, upgrades,
converted AUM, through the handler `upgradecamp targets set` uses.

Typed at any speed (`OrderedFields`): Enter moves on, Enter in the last field (or Ctrl+S)
saves. Each field is checked as it is saved (`domain.targets.target_from_text`): a bad month,
a negative or non-numeric figure is one line under the form, the field in question takes the
focus, and nothing typed is cleared; so is a refusal of the handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from upgradecamp.domain.errors import BadInput
from upgradecamp.tui.errors import describe_error
from upgradecamp.tui.i18n import t
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.ordered_fields import ENTER, OrderedFields, OrderedInput
from upgradecamp.tui.workers import Failure, run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor

FIELDS = ("staff", "month", "forms", "upgrades", "converted_aum")


class TargetDialog(OrderedFields, ModalScreen[dict[str, Any] | None]):
    """Dismissed with what the handler recorded, or None when the head backs out."""

    AUTO_FOCUS = "#target-forms"
    DEFAULT_CSS = stylesheet("target_dialog")
    BINDINGS = [
        Binding("escape", "cancel", show=False, id="targets.cancel"),
        Binding("ctrl+s", "save", show=False, priority=True, id="targets.save"),
        ENTER,
    ]
    FIELD_ORDER = tuple(f"target-{f.replace('_', '-')}" for f in FIELDS)

    def __init__(self, actor: Actor, values: dict[str, str]) -> None:
        super().__init__()
        self.actor = actor
        self.values = values
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="target-box"):
            yield Static(t("targets.title"), classes="target-title", markup=False)
            for field in FIELDS:
                yield Static(t(f"targets.{field}"), classes="target-label", markup=False)
                yield OrderedInput(
                    self.values.get(field, ""),
                    id=f"target-{field.replace('_', '-')}",
                    max_length=20,
                )
            yield Static("", id="target-problem", markup=False)
            yield Static(t("targets.keys"), classes="keys", markup=False)

    def on_mount(self) -> None:
        if not self.values.get("staff"):
            self.query_one("#target-staff", Input).focus()

    def fields_complete(self, values: dict[str, str]) -> None:
        self._save({f: values[f"target-{f.replace('_', '-')}"] for f in FIELDS})

    def action_save(self) -> None:
        self._save(
            {f: self.query_one(f"#target-{f.replace('_', '-')}", Input).value for f in FIELDS}
        )

    def _save(self, typed: dict[str, str]) -> None:
        from upgradecamp.domain.targets import target_from_text

        if self.saving:
            return
        try:
            command = target_from_text(**typed)
        except BadInput as exc:
            self._problem(describe_error(exc), str(exc.params.get("field", "")))
            return
        self.saving = True
        run_in_thread(
            self,
            lambda services: services.execute(command, self.actor),
            self.dismiss,
            self._refused,
            group="target-save",
            exclusive=False,
        )

    def _refused(self, failure: Failure) -> None:
        self.saving = False
        field = failure.error.params.get("field") if isinstance(failure.error, BadInput) else None
        code = getattr(failure.error, "code", None) or ""
        if field is None and code in ("target_unknown_staff", "target_not_marketer"):
            field = "staff"
        self._problem(failure.text, str(field or ""))

    def _problem(self, text: str, field: str) -> None:
        self.query_one("#target-problem", Static).update(text)
        if field in FIELDS:
            self.query_one(f"#target-{field.replace('_', '-')}", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


def saved_text(result: dict[str, Any]) -> str:
    """What the review says once the targets are recorded."""
    none = t("targets.none")
    return t(
        "targets.saved",
        staff=result["staff"],
        month=result["month"],
        forms=none if result["forms"] is None else result["forms"],
        upgrades=none if result["upgrades"] is None else result["upgrades"],
        converted=none if result["converted_aum"] is None else result["converted_aum"],
    )
